package dev.basin.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ExtractTest extends DashboardTestBase {

  static final String SUM =
      "{`id`: `k`, `type`: `kpi`, `dataset`: `sales`,"
          + " `measures`: [{`column`: `revenue`, `aggregation`: `sum`}]}";
  static final String COUNT =
      "{`id`: `c`, `type`: `kpi`, `dataset`: `sales`, `measures`: [{`aggregation`: `count`}]}";

  Path extracts() {
    return dir.resolve("lake").resolve(".extracts");
  }

  List<Path> files(String dataset) throws IOException {
    Path d = extracts().resolve(dataset);
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    }
  }

  ExtractStatus status(String dataset) {
    return dashboards.dataset(dataset).extract().status();
  }

  /** Polls the extract's state until {@code done} holds (the refresher runs in the background). */
  ExtractStatus await(String dataset, Predicate<ExtractStatus> done) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    ExtractStatus s = status(dataset);
    while (!done.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("extract of '" + dataset + "' never got there; last: " + s);
      }
      Thread.sleep(50);
      s = status(dataset);
    }
    return s;
  }

  static boolean ready(ExtractStatus s) {
    return s.status().equals("ready");
  }

  Dataset create(String definition) {
    return dashboards.createDataset(json(definition), "test");
  }

  @Test
  void extractIsBuiltWithCalculatedFieldsAndVisualsReadIt() throws Exception {
    Dataset ds =
        create(
            "{`name`: `sales`, `table`: `lake.sales`, `extract`: {`refresh`: `onSnapshot`},"
                + " `calculatedFields`: [{`name`: `double_qty`, `expression`: `qty * 2`}]}");
    assertThat(ds.extract().refresh()).isEqualTo("onSnapshot");
    assertThat(ds.extract().status().status()).isIn("building", "pending", "ready");

    ExtractStatus s = await("sales", ExtractTest::ready);
    assertThat(s.rows()).isEqualTo(8);
    assertThat(s.bytes()).isPositive();
    assertThat(s.refreshedAt()).isNotNull();
    assertThat(s.lastError()).isNull();
    assertThat(s.sourceSnapshots()).containsOnlyKeys("lake.sales");
    List<Path> files = files("sales");
    assertThat(files).hasSize(1);
    assertThat(files.get(0).getFileName().toString()).endsWith(".parquet");
    assertThat(count("SELECT count(*) FROM read_parquet('" + files.get(0) + "')")).isEqualTo(8);

    VisualData sum =
        preview(
            "{`id`: `k`, `type`: `table`, `dataset`: `sales`, `measures`: [{`column`: `revenue`,"
                + " `aggregation`: `sum`}, {`column`: `double_qty`, `aggregation`: `sum`}]}");
    assertThat(sum.sql()).contains("read_parquet(").contains(files.get(0).toString());
    assertThat(sum.sql()).doesNotContain("lake.sales");
    assertThat(rows(sum)).containsExactly(row(360.0, 72L));

    // The dataset's JSON carries the definition and the state; the stored definition only the
    // former, so a GET body can be PUT back.
    var json = dashboards.dataset("sales").toJson();
    assertThat(json.path("extract").path("status").asText()).isEqualTo("ready");
    assertThat(json.path("extract").path("rows").asLong()).isEqualTo(8);
    assertThat(json.path("extract").path("sourceSnapshots").has("lake.sales")).isTrue();
    Dataset back = dashboards.updateDataset("sales", json, "test");
    assertThat(back.extract().refresh()).isEqualTo("onSnapshot");
    assertThat(dashboards.dataset("sales").definitionJson().path("extract").has("status"))
        .isFalse();
  }

  @Test
  void onSnapshotExtractsAreRebuiltWhenTheSourceGetsANewSnapshot() throws Exception {
    create("{`name`: `sales`, `table`: `lake.sales`, `extract`: {}}");
    ExtractStatus first = await("sales", ExtractTest::ready);
    Path firstFile = files("sales").get(0);

    exec("INSERT INTO lake.sales VALUES ('EU', 'fig', DATE '2024-04-01', 1.0, 1)");
    ExtractStatus second =
        await("sales", s -> ready(s) && !s.sourceSnapshots().equals(first.sourceSnapshots()));
    assertThat(second.rows()).isEqualTo(9);
    assertThat(second.refreshedAt()).isAfterOrEqualTo(first.refreshedAt());

    List<Path> files = files("sales");
    assertThat(files).hasSize(1).doesNotContain(firstFile);
    VisualData count = preview(COUNT);
    assertThat(count.sql()).contains(files.get(0).toString());
    assertThat(rows(count)).containsExactly(row(9L));
  }

  @Test
  void manualRefreshRebuildsAndNeedsAnExtract() throws Exception {
    create(
        "{`name`: `sales`, `table`: `lake.sales`,"
            + " `extract`: {`refresh`: {`schedule`: `0 0 1 1 *`}}}");
    ExtractStatus first = await("sales", ExtractTest::ready);
    exec("INSERT INTO lake.sales VALUES ('EU', 'fig', DATE '2024-04-01', 1.0, 1)");
    // The schedule is yearly: without a manual refresh the extract keeps the old rows.
    assertThat(rows(preview(COUNT))).containsExactly(row(8L));

    ExtractStatus asked = dashboards.refreshExtract("sales");
    assertThat(asked.status()).isIn("queued", "refreshing", "ready");
    ExtractStatus second = await("sales", s -> ready(s) && s.rows() == 9);
    assertThat(second.sourceSnapshots()).isNotEqualTo(first.sourceSnapshots());
    assertThat(rows(preview(COUNT))).containsExactly(row(9L));

    create("{`name`: `plain`, `table`: `lake.sales`}");
    assertThatThrownBy(() -> dashboards.refreshExtract("plain"))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("dataset 'plain' has no extract")
        .hasMessageContaining("PUT /api/v1/datasets/plain");
    assertThatThrownBy(() -> dashboards.refreshExtract("nope"))
        .hasMessageContaining("dataset 'nope' not found");
  }

  /** A clock the test moves, so schedules fire without waiting for real minutes. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void scheduledAndIntervalExtractsRefreshWhenTheirTimeComes() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2024-06-01T10:00:30Z"));
    dashboards.close();
    dashboards = DashboardService.open(CatalogConfig.sqlite(dir), engine, clock, maxRows());
    create(
        "{`name`: `every`, `table`: `lake.sales`,"
            + " `extract`: {`refresh`: {`everySeconds`: 300}}}");
    create(
        "{`name`: `sched`, `table`: `lake.sales`,"
            + " `extract`: {`refresh`: {`schedule`: `*/5 * * * *`}}}");
    assertThat(await("every", ExtractTest::ready).refreshedAt())
        .isEqualTo(Instant.parse("2024-06-01T10:00:30Z"));
    await("sched", ExtractTest::ready);
    exec("INSERT INTO lake.sales VALUES ('EU', 'fig', DATE '2024-04-01', 1.0, 1)");

    // 10:05:10: the schedule fired at 10:05, the 300 s interval ends at 10:05:30. Each refresher
    // pass checks 'every' before 'sched', so once 'sched' is rebuilt 'every' was found not due.
    clock.set(Instant.parse("2024-06-01T10:05:10Z"));
    ExtractStatus sched = await("sched", s -> ready(s) && s.rows() == 9);
    assertThat(sched.refreshedAt()).isEqualTo(Instant.parse("2024-06-01T10:05:10Z"));
    assertThat(status("every").rows()).isEqualTo(8);

    clock.set(Instant.parse("2024-06-01T10:05:40Z"));
    ExtractStatus every = await("every", s -> ready(s) && s.rows() == 9);
    assertThat(every.refreshedAt()).isEqualTo(Instant.parse("2024-06-01T10:05:40Z"));
    assertThat(status("sched").refreshedAt()).isEqualTo(sched.refreshedAt());
  }

  @Test
  void badRefreshSpecsAreRejectedWithTheMemberAtFault() {
    assertThatThrownBy(
            () ->
                create(
                    "{`name`: `x`, `table`: `lake.sales`,"
                        + " `extract`: {`refresh`: {`schedule`: `x`}}}"))
        .hasMessageContaining("extract.refresh.schedule 'x' is not a cron expression: it has 1")
        .hasMessageContaining("e.g. '0 3 * * *'");
    assertThatThrownBy(
            () ->
                create(
                    "{`name`: `x`, `table`: `lake.sales`,"
                        + " `extract`: {`refresh`: {`schedule`: `61 * * * *`}}}"))
        .hasMessageContaining("is not a cron expression: field 1 (minute)")
        .hasMessageContaining("out of range 0-59");
    assertThatThrownBy(
            () ->
                create(
                    "{`name`: `x`, `table`: `lake.sales`,"
                        + " `extract`: {`refresh`: {`everySeconds`: 30}}}"))
        .hasMessageContaining("extract.refresh.everySeconds must be a whole number from 60")
        .hasMessageContaining("was 30");
    assertThatThrownBy(
            () -> create("{`name`: `x`, `table`: `lake.sales`, `extract`: {`refresh`: `hourly`}}"))
        .hasMessageContaining("extract.refresh must be \"onSnapshot\"");
    assertThatThrownBy(
            () -> create("{`name`: `x`, `table`: `lake.sales`, `extract`: {`refrsh`: {}}}"))
        .hasMessageContaining("extract: unknown member 'refrsh'; allowed: [enabled, refresh]");
    assertThatThrownBy(
            () ->
                create(
                    "{`name`: `x`, `table`: `lake.sales`,"
                        + " `extract`: {`refresh`: {`cron`: `* * * * *`}}}"))
        .hasMessageContaining("extract.refresh has unknown member 'cron'");
    assertThatThrownBy(
            () -> create("{`name`: `x`, `table`: `lake.sales`, `extract`: {`enabled`: `yes`}}"))
        .hasMessageContaining("extract.enabled must be true or false");
    assertThat(dashboards.datasets()).isEmpty();

    Dataset every =
        create(
            "{`name`: `x`, `table`: `lake.sales`,"
                + " `extract`: {`refresh`: {`everySeconds`: 60}, `enabled`: false}}");
    assertThat(every.extract().everySeconds()).isEqualTo(60);
    assertThat(every.extract().status().status()).isEqualTo("disabled");
  }

  @Test
  void cronSchedulesFireAtTheNextMatchingMinute() {
    Instant t = Instant.parse("2024-01-01T05:00:30Z");
    assertThat(CronSchedule.parse("0 3 * * *").next(t))
        .isEqualTo(Instant.parse("2024-01-02T03:00:00Z"));
    assertThat(CronSchedule.parse("*/15 * * * *").next(t))
        .isEqualTo(Instant.parse("2024-01-01T05:15:00Z"));
    assertThat(
            CronSchedule.parse("cron(30 9 ? * MON-FRI *)")
                .next(Instant.parse("2024-01-05T10:00:00Z")))
        .isEqualTo(Instant.parse("2024-01-08T09:30:00Z"));
    // Both day fields restricted: either matches (the 15th, or a Sunday).
    assertThat(CronSchedule.parse("0 0 15 * 0").next(Instant.parse("2024-01-08T00:00:00Z")))
        .isEqualTo(Instant.parse("2024-01-14T00:00:00Z"));
    assertThat(CronSchedule.parse("0 0 31 2 *").next(t)).isNull();
    assertThatThrownBy(() -> CronSchedule.parse("0 0 L * *"))
        .hasMessageContaining("not supported for extract schedules");
  }

  @Test
  void aFailedRefreshKeepsServingFromTheSourceWithItsError() throws Exception {
    // Casting every product name to an integer fails when the extract materializes the column;
    // visuals that do not use it still read the source.
    create(
        "{`name`: `sales`, `table`: `lake.sales`, `extract`: {},"
            + " `calculatedFields`: [{`name`: `bad`, `expression`: `CAST(product AS INTEGER)`}]}");
    ExtractStatus s = await("sales", x -> x.status().equals("failed"));
    assertThat(s.lastError()).contains("apple");
    assertThat(s.rows()).isZero();
    assertThat(files("sales")).noneMatch(p -> p.toString().endsWith(".parquet"));

    VisualData sum = preview(SUM);
    assertThat(sum.sql()).doesNotContain("read_parquet").contains("lake.sales");
    assertThat(rows(sum)).containsExactly(row(360.0));
    assertThat(dashboards.dataset("sales").toJson().path("extract").path("lastError").asText())
        .contains("apple");

    // Fixing the definition builds the extract, and visuals move to it.
    dashboards.updateDataset("sales", json("{`table`: `lake.sales`, `extract`: {}}"), "test");
    ExtractStatus fixed = await("sales", ExtractTest::ready);
    assertThat(fixed.lastError()).isNull();
    assertThat(preview(SUM).sql()).contains("read_parquet");
  }

  @Test
  void rowLevelSecurityStillAppliesOnExtractReads() throws Exception {
    create(
        "{`name`: `sales`, `table`: `lake.sales`, `extract`: {},"
            + " `rowLevelSecurity`: {`column`: `region`, `rules`: {`alice`: [`EU`]},"
            + " `allowAll`: [`boss`]}}");
    ExtractStatus s = await("sales", ExtractTest::ready);
    assertThat(s.rows()).isEqualTo(8);

    VisualData alice = preview(COUNT, "{}", "alice");
    assertThat(alice.sql()).contains("read_parquet");
    assertThat(rows(alice)).containsExactly(row(3L));
    assertThat(rows(preview(COUNT, "{}", "boss"))).containsExactly(row(8L));
    assertThat(rows(preview(COUNT, "{}", "mallory"))).containsExactly(row(0L));
    // A visual filter cannot widen the rule.
    VisualData filtered =
        preview(
            COUNT,
            "{`filters`: [{`field`: `region`, `type`: `in`, `values`: [`US`, `EU`]}]}",
            "alice");
    assertThat(rows(filtered)).containsExactly(row(3L));
  }

  @Test
  void deletingTheDatasetDeletesItsFiles() throws Exception {
    create("{`name`: `sales`, `table`: `lake.sales`, `extract`: {}}");
    await("sales", ExtractTest::ready);
    assertThat(files("sales")).hasSize(1);

    dashboards.deleteDataset("sales");
    assertThat(extracts().resolve("sales")).doesNotExist();
    assertThatThrownBy(() -> dashboards.dataset("sales")).hasMessageContaining("not found");

    // Disabling an extract drops its files too, and visuals go back to the source.
    create("{`name`: `sales`, `table`: `lake.sales`, `extract`: {}}");
    await("sales", ExtractTest::ready);
    dashboards.updateDataset(
        "sales", json("{`table`: `lake.sales`, `extract`: {`enabled`: false}}"), "test");
    assertThat(status("sales").status()).isEqualTo("disabled");
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (Files.exists(extracts().resolve("sales")) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(extracts().resolve("sales")).doesNotExist();
    assertThat(preview(COUNT).sql()).doesNotContain("read_parquet");
  }

  @Test
  void aRestartReusesTheExtractAndSweepsLeftoversOfACrash() throws Exception {
    create("{`name`: `sales`, `table`: `lake.sales`, `extract`: {}}");
    ExtractStatus before = await("sales", ExtractTest::ready);
    Path file = files("sales").get(0);

    dashboards.close();
    // What a crash in the middle of a refresh leaves: a temporary file and a renamed file the
    // metadata database never recorded.
    Path tmp = extracts().resolve("sales").resolve("crashed.parquet.tmp");
    Path orphan = extracts().resolve("sales").resolve("crashed.parquet");
    Files.copy(file, tmp);
    Files.copy(file, orphan);
    dashboards =
        DashboardService.open(CatalogConfig.sqlite(dir), engine, Clock.systemUTC(), maxRows());

    // A dataset created after the restart is built by a refresher pass that also checked 'sales'
    // (datasets are checked in name order), so once it is ready 'sales' had its chance to rebuild.
    create("{`name`: `zz`, `table`: `lake.sales`, `extract`: {}}");
    await("zz", ExtractTest::ready);
    ExtractStatus after = await("sales", ExtractTest::ready);
    assertThat(after.refreshedAt()).isEqualTo(before.refreshedAt());
    assertThat(after.sourceSnapshots()).isEqualTo(before.sourceSnapshots());
    assertThat(files("sales")).containsExactly(file);
    assertThat(preview(COUNT).sql()).contains(file.toString());
  }
}
