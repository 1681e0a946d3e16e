package dev.basin.catalog.crawler;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run of a crawler, as kept in its history.
 *
 * @param crawler the crawler's name
 * @param id the run id, 1, 2, … per crawler
 * @param state where the run is
 * @param dryRun whether it was started as a dry run (planned, not applied)
 * @param startTime when it started
 * @param endTime when it ended (null while RUNNING)
 * @param appliedTime when its plan was applied (null if never)
 * @param tablesCreated tables created (0 unless applied)
 * @param tablesUpdated tables updated
 * @param tablesDeleted tables deleted
 * @param tablesDeprecated tables marked deprecated
 * @param partitionsAdded partitions added
 * @param partitionsDeleted partitions deleted
 * @param errors what went wrong (empty when it succeeded)
 * @param plan the plan (null if planning failed)
 * @param versionsAfter the version of every table the applied run wrote, for rollback's check
 */
public record CrawlRun(
    String crawler,
    long id,
    State state,
    boolean dryRun,
    Instant startTime,
    Instant endTime,
    Instant appliedTime,
    int tablesCreated,
    int tablesUpdated,
    int tablesDeleted,
    int tablesDeprecated,
    int partitionsAdded,
    int partitionsDeleted,
    List<String> errors,
    CrawlPlan plan,
    Map<String, String> versionsAfter) {

  /** A run's states (Glue's CrawlState plus PLANNED and ROLLED_BACK). */
  public enum State {
    /** A dry run: the plan is stored and can be applied by its id. */
    PLANNED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    /** It had succeeded and was rolled back. */
    ROLLED_BACK,
    /** A planned run that will not be applied. */
    CANCELLED
  }

  public CrawlRun {
    errors = errors == null ? List.of() : List.copyOf(errors);
    versionsAfter = versionsAfter == null ? Map.of() : Map.copyOf(versionsAfter);
  }

  CrawlRun withState(State s, Instant end, List<String> errs) {
    return new CrawlRun(
        crawler,
        id,
        s,
        dryRun,
        startTime,
        end,
        appliedTime,
        tablesCreated,
        tablesUpdated,
        tablesDeleted,
        tablesDeprecated,
        partitionsAdded,
        partitionsDeleted,
        errs,
        plan,
        versionsAfter);
  }

  CrawlRun withPlan(CrawlPlan p) {
    return new CrawlRun(
        crawler,
        id,
        state,
        dryRun,
        startTime,
        endTime,
        appliedTime,
        tablesCreated,
        tablesUpdated,
        tablesDeleted,
        tablesDeprecated,
        partitionsAdded,
        partitionsDeleted,
        errors,
        p,
        versionsAfter);
  }

  CrawlRun applied(Instant at, Map<String, String> versions) {
    return new CrawlRun(
        crawler,
        id,
        State.SUCCEEDED,
        dryRun,
        startTime,
        at,
        at,
        (int) plan.appliedTableChanges(CrawlPlan.TableAction.CREATE),
        (int) plan.appliedTableChanges(CrawlPlan.TableAction.UPDATE),
        (int) plan.appliedTableChanges(CrawlPlan.TableAction.DELETE),
        (int) plan.appliedTableChanges(CrawlPlan.TableAction.DEPRECATE),
        (int) plan.appliedPartitionChanges(CrawlPlan.PartitionAction.ADD),
        (int) plan.appliedPartitionChanges(CrawlPlan.PartitionAction.DELETE),
        List.of(),
        plan,
        versions);
  }
}
