package dev.basin.catalog.crawler;

import dev.basin.catalog.PartitionInput;
import dev.basin.catalog.TableInput;
import java.util.List;

/**
 * The exact difference a crawl makes to the catalog, computed by {@link Crawler#plan} and applied
 * by {@link Crawlers} in one transaction. Changes with {@code logOnly} are what the schema change
 * or recrawl policy kept from being applied; they are recorded, not written. Serializable as JSON.
 *
 * @param crawler the crawler's name
 * @param database the target database
 * @param mode FULL (every object listed), NEW_FOLDERS (only folders not seen before) or EVENTS
 *     (only folders named by queued object-created events)
 * @param tables table creates, updates, deprecations and deletes
 * @param partitions partition adds and deletes
 * @param seen every table the plan touches with the version it saw (null: absent); applying fails
 *     if any of them differs
 * @param explanations why the folders were grouped into tables as they were, one per table
 * @param folders the leaf folders ({@code s3://…/}) this crawl looked at, recorded as seen
 * @param events the queued object-created events the crawl consumes
 * @param notes skipped objects and folders and other things worth knowing
 */
public record CrawlPlan(
    String crawler,
    String database,
    String mode,
    List<TableChange> tables,
    List<PartitionChange> partitions,
    List<SeenTable> seen,
    List<TableExplanation> explanations,
    List<String> folders,
    List<EventRef> events,
    List<String> notes) {

  public CrawlPlan {
    tables = List.copyOf(tables);
    partitions = List.copyOf(partitions);
    seen = List.copyOf(seen);
    explanations = List.copyOf(explanations);
    folders = List.copyOf(folders);
    events = List.copyOf(events);
    notes = List.copyOf(notes);
  }

  /** What happens to a table. */
  public enum TableAction {
    CREATE,
    UPDATE,
    /** An update that sets the table parameter {@code deprecated=true}. */
    DEPRECATE,
    DELETE
  }

  /** What happens to a partition. */
  public enum PartitionAction {
    ADD,
    DELETE
  }

  /**
   * A change to one table.
   *
   * @param action what happens
   * @param table the table name
   * @param logOnly true when the policy only records it
   * @param before the definition before (null for CREATE)
   * @param after the definition after (null for DELETE)
   * @param diff human-readable differences ({@code + column z bigint}, {@code ~ column x: bigint →
   *     double}, {@code - column y}, {@code ~ serde field.delim: , → |})
   * @param partitionsBefore for DELETE: the partitions the table had, to restore on rollback
   */
  public record TableChange(
      TableAction action,
      String table,
      boolean logOnly,
      TableInput before,
      TableInput after,
      List<String> diff,
      List<PartitionInput> partitionsBefore) {
    public TableChange {
      diff = diff == null ? List.of() : List.copyOf(diff);
      partitionsBefore = partitionsBefore == null ? List.of() : List.copyOf(partitionsBefore);
    }
  }

  /**
   * A change to one partition.
   *
   * @param action what happens
   * @param table the table
   * @param values one value per partition key
   * @param location the partition's folder
   * @param logOnly true when the policy only records it
   */
  public record PartitionChange(
      PartitionAction action, String table, List<String> values, String location, boolean logOnly) {
    public PartitionChange {
      values = List.copyOf(values);
    }
  }

  /**
   * A table the plan saw.
   *
   * @param table the name
   * @param versionId its version, or null when it did not exist
   */
  public record SeenTable(String table, String versionId) {}

  /**
   * Why a table looks as it does.
   *
   * @param table the table name
   * @param location its root folder
   * @param folders its leaf folders
   * @param similarity the share of folders that match the majority schema, 0–1
   * @param schemas the number of distinct schemas among its folders
   * @param text the decision in words
   */
  public record TableExplanation(
      String table,
      String location,
      List<String> folders,
      double similarity,
      int schemas,
      String text) {
    public TableExplanation {
      folders = List.copyOf(folders);
    }
  }

  /** An object-created event the crawl consumes. */
  public record EventRef(String bucket, String key) {}

  /** The changes that are applied (not log-only). */
  public long appliedTableChanges(TableAction action) {
    return tables.stream().filter(t -> !t.logOnly() && t.action() == action).count();
  }

  /** The partition changes that are applied (not log-only). */
  public long appliedPartitionChanges(PartitionAction action) {
    return partitions.stream().filter(p -> !p.logOnly() && p.action() == action).count();
  }

  /** Whether applying it would change nothing. */
  public boolean empty() {
    return tables.stream().allMatch(TableChange::logOnly)
        && partitions.stream().allMatch(PartitionChange::logOnly);
  }
}
