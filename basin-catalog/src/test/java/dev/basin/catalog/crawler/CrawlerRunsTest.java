package dev.basin.catalog.crawler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.CatalogErrorCode;
import dev.basin.catalog.Column;
import dev.basin.catalog.DatabaseInput;
import dev.basin.catalog.ExternalTable;
import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.Partition;
import dev.basin.catalog.TableInput;
import dev.basin.catalog.crawler.CrawlPlan.TableAction;
import dev.basin.catalog.crawler.CrawlPlan.TableChange;
import dev.basin.catalog.crawler.CrawlRun.State;
import dev.basin.catalog.crawler.CrawlerDefinition.AddOrUpdateBehavior;
import dev.basin.catalog.crawler.CrawlerDefinition.DeleteBehavior;
import dev.basin.catalog.crawler.CrawlerDefinition.RecrawlBehavior;
import dev.basin.catalog.crawler.CrawlerDefinition.Target;
import dev.basin.catalog.crawler.CrawlerDefinition.UpdateBehavior;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.PutOptions;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crawler runs against a real SQLite catalog and a real local object store: grouping folders into
 * tables on a generated corpus with known ground truth (printed per case), then plans, dry runs,
 * atomic applies, rollbacks and the schema-change and recrawl policies.
 */
class CrawlerRunsTest {
  @TempDir Path dir;
  private LocalObjectStore store;
  private LakeCatalog catalog;
  private Crawlers crawlers;

  @BeforeEach
  void open() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir.resolve("objects")));
    store.createBucket("raw");
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, Clock.systemUTC());
    catalog.databases().create(DatabaseInput.named("lake"));
    crawlers = Crawlers.open(catalog, store, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    crawlers.close();
    catalog.close();
    store.close();
  }

  // ---- data

  private void put(String key, byte[] bytes) {
    store.put("raw", key, new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
  }

  private void put(String key, String text) {
    put(key, text.getBytes(StandardCharsets.UTF_8));
  }

  private void remove(String prefix) {
    for (ObjectInfo o : store.list("raw", new ListRequest(prefix, null, null, 1000)).objects()) {
      store.delete("raw", o.key(), null);
    }
  }

  /** A CSV with a header: id (bigint), name, then the extra columns. */
  static String csv(int rows, int seed, String... extra) {
    StringBuilder sb = new StringBuilder("id,name");
    for (String e : extra) {
      sb.append(',').append(e.split(" ")[0]);
    }
    sb.append('\n');
    for (int i = 0; i < rows; i++) {
      sb.append(seed * 1000 + i).append(",n").append(i);
      for (String e : extra) {
        String type = e.split(" ")[1];
        sb.append(',')
            .append(
                type.equals("double")
                    ? (i + 0.123456789) + "" // more than 4 decimals: a double
                    : type.equals("bigint") ? String.valueOf(i * 7) : "v" + (i % 3));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String csvFractionalIds(int rows) {
    StringBuilder sb = new StringBuilder("id,name\n");
    for (int i = 0; i < rows; i++) {
      sb.append(i).append(".123456789,n").append(i).append('\n');
    }
    return sb.toString();
  }

  private CrawlerDefinition def(String name, String... prefixes) {
    List<Target> targets = new ArrayList<>();
    for (String p : prefixes) {
      targets.add(Target.of("s3://raw/" + p));
    }
    return new CrawlerDefinition(
        name, null, targets, "lake", "", null, null, null, false, null, null, null, null, null,
        null);
  }

  private CrawlRun crawl(CrawlerDefinition def) {
    crawlers.create(def);
    return ok(crawlers.run(def.name(), false));
  }

  private static CrawlRun ok(CrawlRun run) {
    assertThat(run.state()).as("errors %s", run.errors()).isEqualTo(State.SUCCEEDED);
    return run;
  }

  private ExternalTable table(String name) {
    return catalog.externalTables().get("lake", name);
  }

  private List<Partition> partitions(String table) {
    return catalog.externalTables().listPartitions("lake", table, (String) null);
  }

  private static String cols(List<Column> cols) {
    return cols.stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", "));
  }

  /** name(columns | keys | N partitions) for every table of the database, sorted. */
  private String describeTables(String prefix) {
    List<String> out = new ArrayList<>();
    for (ExternalTable t : catalog.externalTables().list("lake")) {
      if (!t.location().startsWith("s3://raw/" + prefix)) {
        continue;
      }
      out.add(
          t.name()
              + "("
              + cols(t.columns())
              + " | "
              + t.partitionKeys().stream().map(Column::name).collect(Collectors.joining(","))
              + " | "
              + partitions(t.name()).size()
              + ")");
    }
    return String.join("; ", out);
  }

  // ---- the corpus

  private record Case(String name, CrawlerDefinition def, String expected) {}

  @Test
  void corpusGroupsFoldersIntoTablesAsGlueDoes() throws Exception {
    List<Case> cases = new ArrayList<>();
    put("hive/year=2024/month=01/part-0.csv", csv(5, 1, "amount double"));
    put("hive/year=2024/month=02/part-0.csv", csv(5, 2, "amount double"));
    put("hive/year=2023/month=12/part-0.csv", csv(5, 3, "amount double"));
    cases.add(
        new Case(
            "hive partitions",
            def("c_hive", "hive/"),
            "hive(id bigint, name string, amount double | year,month | 3)"));

    put("unnamed/2024/01/data.csv", csv(4, 1, "qty bigint"));
    put("unnamed/2024/02/data.csv", csv(4, 2, "qty bigint"));
    cases.add(
        new Case(
            "unnamed partitions",
            def("c_unnamed", "unnamed/"),
            "unnamed(id bigint, name string, qty bigint | partition_0,partition_1 | 2)"));

    put("drift/day=1/a.csv", csv(4, 1));
    put("drift/day=2/a.csv", csv(4, 2));
    put("drift/day=3/a.csv", csv(4, 3, "score double"));
    put("drift/day=4/a.csv", csvFractionalIds(4));
    cases.add(
        new Case(
            "schema drift: column added, bigint widened to double",
            def("c_drift", "drift/"),
            "drift(id double, name string, score double | day | 4)"));

    put("mixed/artists/a.csv", "artist_id,followers\na1,10\na2,20\na3,30\n");
    put("mixed/albums/b.csv", "album_id,year,title\nb1,1999,x\nb2,2001,y\nb3,2003,z\n");
    put("mixed/tracks/t.csv", "track_id,duration_ms,explicit\nt1,1000,true\nt2,2000,false\n");
    cases.add(
        new Case(
            "dissimilar folders: a table each",
            def("c_mixed", "mixed/"),
            "albums(album_id string, year bigint, title string |  | 0); "
                + "artists(artist_id string, followers bigint |  | 0); "
                + "tracks(track_id string, duration_ms bigint, explicit boolean |  | 0)"));

    put("glue_doc/year=2017/a.csv", "a,b\n1,x\n2,y\n");
    put("glue_doc/year=2018/c.csv", "c,d\nx,1\ny,2\n");
    cases.add(
        new Case(
            "Glue's example without CombineCompatibleSchemas: two tables",
            def("c_split", "glue_doc/"),
            "year_2017(a bigint, b string |  | 0); year_2018(c string, d bigint |  | 0)"));

    put("combined/year=2017/a.csv", "a,b\n1,x\n2,y\n");
    put("combined/year=2018/c.csv", "c,d\nx,1\ny,2\n");
    cases.add(
        new Case(
            "Glue's example with CombineCompatibleSchemas: one table",
            def("c_combine", "combined/").withCombineCompatibleSchemas(true),
            "combined(a bigint, b string, c string, d bigint | year | 2)"));

    put("excl/a.csv", csv(3, 1));
    put("excl/b.json", "{\"x\":1}\n{\"x\":2}\n");
    put("excl/logs/x.csv", csv(3, 2, "other bigint"));
    cases.add(
        new Case(
            "exclude globs (*.json stays in its folder, logs/** crosses)",
            new CrawlerDefinition(
                "c_excl",
                null,
                List.of(new Target("s3://raw/excl/", List.of("*.json", "logs/**"))),
                "lake",
                "",
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                null,
                null),
            "excl(id bigint, name string |  | 0)"));

    put("marker/year=2024/part.csv", csv(3, 1));
    put("marker/year=2024/_SUCCESS", "ok");
    put("marker/year=2025/part.csv", csv(3, 2));
    put("marker/year=2025/empty.csv", new byte[0]);
    put("marker/_temporary/0/x.json", "{\"x\":1}\n");
    put("marker/.hidden.json", "{\"x\":1}\n");
    cases.add(
        new Case(
            "_SUCCESS, _temporary/, dot files and empty files ignored",
            def("c_marker", "marker/"),
            "marker(id bigint, name string | year | 2)"));

    put(
        "events/dt=2024-01-01/e.json",
        "{\"id\":1,\"user\":{\"name\":\"a\",\"age\":3},\"tags\":[\"x\"]}\n"
            + "{\"id\":2,\"user\":{\"name\":\"b\",\"age\":4},\"tags\":[]}\n");
    put(
        "events/dt=2024-01-02/e.json",
        "{\"id\":3,\"user\":{\"name\":\"c\",\"age\":5},\"tags\":[\"y\"]}\n");
    cases.add(
        new Case(
            "JSON lines with nested types",
            def("c_json", "events/"),
            "events(id bigint, user struct<name:string,age:bigint>, tags array<string> | dt | 2)"));

    put("pq/part-0.parquet", ParquetFiles.orders(dir));
    cases.add(
        new Case(
            "Parquet footer schema",
            def("c_pq", "pq/"),
            "pq("
                + ParquetClassifierTest.EXPECTED_COLUMNS
                    .replace(":", " ")
                    .replace(",", ", ")
                    .replace("decimal(12, 2)", "decimal(12,2)")
                    .replace("decimal(30, 4)", "decimal(30,4)")
                    .replace("struct<city string, zip int>", "struct<city:string,zip:int>")
                    .replace("map<string, bigint>", "map<string,bigint>")
                    .replace(
                        "array<struct<sku string, qty double>>",
                        "array<struct<sku:string,qty:double>>")
                + " |  | 0)"));

    put("gz/dt=1/x.csv.gz", Corpus.gzip(Corpus.utf8(csv(5, 1, "amount double"))));
    put("gz/dt=2/x.csv.gz", Corpus.gzip(Corpus.utf8(csv(5, 2, "amount double"))));
    cases.add(
        new Case(
            "gzip CSV", def("c_gz", "gz/"), "gz(id bigint, name string, amount double | dt | 2)"));

    put("people/customers.csv", Corpus.customers(30, true));
    cases.add(
        new Case(
            "all-string CSV with a header",
            def("c_people", "people/"),
            "people(first_name string, last_name string, country string, status string |  | 0)"));

    StringBuilder report = new StringBuilder("\ncrawler corpus\n");
    report.append(
        String.format("%-62s %-4s %s%n", "case", "ok", "tables (columns | keys | partitions)"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      crawlers.create(c.def());
      CrawlRun run = crawlers.run(c.def().name(), false);
      String prefix = c.def().targets().get(0).path().substring("s3://raw/".length());
      String actual =
          run.state() == State.SUCCEEDED ? describeTables(prefix) : run.errors().toString();
      boolean ok = actual.equals(c.expected());
      report.append(String.format("%-62s %-4s %s%n", c.name(), ok ? "yes" : "NO", actual));
      if (!ok) {
        report.append(String.format("%-62s %-4s %s%n", "", "want", c.expected()));
        failures.add(c.name());
      }
      for (CrawlPlan.TableExplanation e : run.plan().explanations()) {
        report.append("      why ").append(e.table()).append(": ").append(e.text()).append('\n');
      }
    }
    System.out.println(report);
    assertThat(failures).as(report.toString()).isEmpty();

    ExternalTable hive = table("hive");
    assertThat(hive.parameters())
        .containsEntry("classification", "csv")
        .containsEntry("compressionType", "none")
        .containsEntry("UPDATED_BY_CRAWLER", "c_hive")
        .containsEntry("CrawlerSchemaSerializerVersion", "1.0")
        .containsEntry("skip.header.line.count", "1")
        .containsEntry("objectCount", "3");
    assertThat(table("gz").parameters()).containsEntry("compressionType", "gzip");
    assertThat(partitions("hive"))
        .extracting(Partition::values)
        .containsExactly(List.of("2023", "12"), List.of("2024", "01"), List.of("2024", "02"));
    assertThat(partitions("hive").get(0).location()).isEqualTo("s3://raw/hive/year=2023/month=12/");
    assertThat(partitions("unnamed").get(0).values()).containsExactly("2024", "01");
  }

  @Test
  void globsMatchLikeGlue() {
    assertThat(Glob.compile("*.json").matches("a.json")).isTrue();
    assertThat(Glob.compile("*.json").matches("sub/a.json")).isFalse();
    assertThat(Glob.compile("**.json").matches("sub/deeper/a.json")).isTrue();
    assertThat(Glob.compile("logs/**").matches("logs/2024/x.csv")).isTrue();
    assertThat(Glob.compile("**/tmp/**").matches("a/tmp/b")).isTrue();
    assertThat(Glob.compile("{a,b}/*.csv").matches("b/x.csv")).isTrue();
    assertThat(Glob.compile("[!x]?.csv").matches("ab.csv")).isTrue();
    assertThat(Glob.compile("[!x]?.csv").matches("xb.csv")).isFalse();
    assertThat(Glob.compile("tmp/").matches("tmp/a/b.csv")).isTrue();
  }

  // ---- threshold, dry run, atomicity

  @Test
  void tableThresholdFailsTheCrawlAndWritesNothing() {
    put("mixed/artists/a.csv", "artist_id,followers\na1,10\na2,20\n");
    put("mixed/albums/b.csv", "album_id,year,title\nb1,1999,x\nb2,2001,y\n");
    put("mixed/tracks/t.csv", "track_id,duration_ms,explicit\nt1,1000,true\nt2,2000,false\n");
    crawlers.create(def("t", "mixed/").withTableThreshold(2));
    CrawlRun run = crawlers.run("t", false);
    assertThat(run.state()).isEqualTo(State.FAILED);
    assertThat(run.errors().get(0))
        .contains("found 3 tables, more than its table threshold of 2; nothing was written");
    assertThat(catalog.externalTables().list("lake")).isEmpty();
    assertThat(crawlers.runs("t")).extracting(CrawlRun::state).containsExactly(State.FAILED);
  }

  @Test
  void dryRunThenApplyEqualsDirectApply() {
    catalog.databases().create(DatabaseInput.named("other"));
    put("hive/year=2024/month=01/part-0.csv", csv(5, 1, "amount double"));
    put("hive/year=2024/month=02/part-0.csv", csv(5, 2, "amount double"));
    crawlers.create(def("dry", "hive/"));
    CrawlRun planned = crawlers.run("dry", true);
    assertThat(planned.state()).isEqualTo(State.PLANNED);
    assertThat(planned.plan().tables())
        .extracting(TableChange::action)
        .containsExactly(TableAction.CREATE);
    assertThat(planned.plan().partitions()).hasSize(2);
    assertThat(catalog.externalTables().list("lake")).isEmpty();

    CrawlRun applied = crawlers.apply("dry", planned.id());
    assertThat(applied.state()).isEqualTo(State.SUCCEEDED);
    assertThat(applied.tablesCreated()).isEqualTo(1);
    assertThat(applied.partitionsAdded()).isEqualTo(2);
    assertThatThrownBy(() -> crawlers.apply("dry", planned.id()))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("only a PLANNED (dry) run can be applied");

    CrawlerDefinition direct =
        new CrawlerDefinition(
            "direct",
            null,
            List.of(Target.of("s3://raw/hive/")),
            "other",
            "",
            null,
            null,
            null,
            false,
            null,
            null,
            null,
            null,
            null,
            null);
    crawl(direct);
    ExternalTable a = table("hive");
    ExternalTable b = catalog.externalTables().get("other", "hive");
    assertThat(b.columns()).isEqualTo(a.columns());
    assertThat(b.partitionKeys()).isEqualTo(a.partitionKeys());
    assertThat(b.serdeParameters()).isEqualTo(a.serdeParameters());
    Map<String, String> pa = new TreeMap<>(a.parameters());
    Map<String, String> pb = new TreeMap<>(b.parameters());
    pa.remove("UPDATED_BY_CRAWLER");
    pb.remove("UPDATED_BY_CRAWLER");
    assertThat(pb).isEqualTo(pa);
    assertThat(catalog.externalTables().listPartitions("other", "hive", (String) null))
        .extracting(Partition::values, Partition::location)
        .isEqualTo(
            partitions("hive").stream()
                .map(p -> org.assertj.core.groups.Tuple.tuple(p.values(), p.location()))
                .toList());
  }

  @Test
  void applyingAStalePlanFailsWithPlanAgain() {
    put("hive/year=2024/part-0.csv", csv(5, 1));
    crawl(def("s", "hive/"));
    put("hive/year=2025/part-0.csv", csv(5, 2, "extra bigint"));
    CrawlRun planned = crawlers.run("s", true);
    ExternalTable t = table("hive");
    catalog.externalTables().update("lake", t.toInput()); // someone else writes version 2
    assertThatThrownBy(() -> crawlers.apply("s", planned.id()))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("the catalog changed since run 2 was planned")
        .hasMessageContaining("plan again");
    assertThat(crawlers.getRun("s", planned.id()).state()).isEqualTo(State.FAILED);
    assertThat(partitions("hive")).hasSize(1);
  }

  @Test
  void applyIsAtomic() {
    put("hive/year=2024/month=01/part-0.csv", csv(5, 1));
    put("hive/year=2024/month=02/part-0.csv", csv(5, 2));
    crawlers.create(def("atomic", "hive/"));
    CrawlRun planned = crawlers.run("atomic", true);
    CrawlPlan p = planned.plan();
    List<TableChange> tables = new ArrayList<>(p.tables());
    TableInput good = tables.get(0).after();
    // a second table whose definition is invalid, after the good one and its partitions
    TableInput bad =
        new TableInput(
            "broken",
            null,
            List.of(Column.of("x", "no_such_type")),
            List.of(),
            good.location(),
            good.format(),
            null,
            Map.of(),
            Map.of());
    tables.add(
        new TableChange(TableAction.CREATE, "broken", false, null, bad, List.of(), List.of()));
    CrawlPlan tampered =
        new CrawlPlan(
            p.crawler(),
            p.database(),
            p.mode(),
            tables,
            p.partitions(),
            p.seen(),
            p.explanations(),
            p.folders(),
            p.events(),
            p.notes());
    assertThatThrownBy(() -> crawlers.apply(planned.withPlan(tampered)))
        .isInstanceOf(BasinException.class)
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(CatalogErrorCode.INVALID_TYPE);
    assertThat(catalog.externalTables().list("lake")).isEmpty();
    assertThat(crawlers.getRun("atomic", planned.id()).state()).isEqualTo(State.PLANNED);
    // the untampered plan still applies
    assertThat(crawlers.apply("atomic", planned.id()).state()).isEqualTo(State.SUCCEEDED);
    assertThat(partitions("hive")).hasSize(2);
  }

  // ---- rollback

  @Test
  void rollbackRestoresVersionsAndDropsCreatedTables() {
    put("drift/day=1/a.csv", csv(4, 1));
    put("drift/day=2/a.csv", csv(4, 2));
    CrawlRun first = crawl(def("rb", "drift/"));
    assertThat(table("drift").versionId()).isEqualTo("1");
    put("drift/day=3/a.csv", csv(4, 3, "score double"));
    CrawlRun second = ok(crawlers.run("rb", false));
    assertThat(second.tablesUpdated()).isEqualTo(1);
    assertThat(second.partitionsAdded()).isEqualTo(1);
    assertThat(second.plan().tables().get(0).diff()).containsExactly("+ column score double");
    assertThat(cols(table("drift").columns())).isEqualTo("id bigint, name string, score double");
    assertThat(table("drift").versionId()).isEqualTo("2");

    // someone else changes the table: rollback refuses without force
    catalog.externalTables().update("lake", table("drift").toInput());
    assertThatThrownBy(() -> crawlers.rollback("rb", second.id(), false))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("'lake.drift' is at version 3 but the run left it at version 2")
        .hasMessageContaining("pass force");
    assertThat(table("drift").versionId()).isEqualTo("3");

    CrawlRun rolled = crawlers.rollback("rb", second.id(), true);
    assertThat(rolled.state()).isEqualTo(State.ROLLED_BACK);
    ExternalTable back = table("drift");
    assertThat(back.versionId()).isEqualTo("4"); // a new version, Glue-style
    assertThat(cols(back.columns())).isEqualTo("id bigint, name string");
    assertThat(partitions("drift"))
        .extracting(Partition::values)
        .containsExactly(List.of("1"), List.of("2"));
    assertThat(catalog.externalTables().versions("lake", "drift")).hasSize(4);

    assertThatThrownBy(() -> crawlers.rollback("rb", first.id(), false))
        .hasMessageContaining("is at version 4 but the run left it at version 1");
    crawlers.rollback("rb", first.id(), true);
    assertThat(catalog.externalTables().find("lake", "drift")).isEmpty();
    assertThatThrownBy(() -> crawlers.rollback("rb", first.id(), true))
        .hasMessageContaining("only a SUCCEEDED run can be rolled back");
    // everything is new again: the next crawl creates the table with all three days
    CrawlRun again = ok(crawlers.run("rb", false));
    assertThat(again.tablesCreated()).isEqualTo(1);
    assertThat(partitions("drift")).hasSize(3);
  }

  @Test
  void rollbackOfADeleteBringsTheTableAndItsPartitionsBack() {
    put("gone/a/year=1/x.csv", csv(3, 1));
    put("gone/b/x.csv", "k,v,w\nq,1,true\nr,2,false\n");
    put("gone/c/x.csv", "m,n\nz,1.5\ny,2.5\n");
    CrawlerDefinition d =
        def("del", "gone/").withSchemaChangePolicy(null, DeleteBehavior.DELETE_FROM_DATABASE, null);
    crawl(d);
    assertThat(partitions("a")).hasSize(1);
    remove("gone/a/");
    CrawlRun run = ok(crawlers.run("del", false));
    assertThat(run.tablesDeleted()).isEqualTo(1);
    assertThat(catalog.externalTables().find("lake", "a")).isEmpty();
    crawlers.rollback("del", run.id(), false);
    assertThat(table("a").partitionKeys()).extracting(Column::name).containsExactly("year");
    assertThat(partitions("a")).extracting(Partition::values).containsExactly(List.of("1"));
  }

  // ---- recrawls and policies

  @Test
  void recrawlAddsNewPartitionsOnly() {
    put("hive/year=2024/month=01/part-0.csv", csv(5, 1));
    put("hive/year=2024/month=02/part-0.csv", csv(5, 2));
    crawl(def("re", "hive/"));
    CrawlRun same = ok(crawlers.run("re", false));
    assertThat(same.plan().empty()).isTrue();
    put("hive/year=2024/month=03/part-0.csv", csv(5, 3));
    CrawlRun next = ok(crawlers.run("re", false));
    assertThat(next.plan().tables()).isEmpty();
    assertThat(next.plan().partitions())
        .extracting(pc -> pc.action() + " " + pc.values())
        .containsExactly("ADD [2024, 03]");
    assertThat(partitions("hive")).hasSize(3);
    assertThat(table("hive").versionId()).isEqualTo("1");
  }

  @Test
  void newFoldersOnlyIgnoresChangedSchemasOfOldFolders() {
    put("nf/day=1/a.csv", csv(4, 1));
    put("nf/day=2/a.csv", csv(4, 2));
    crawl(def("nf", "nf/").withRecrawlBehavior(RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY));
    put("nf/day=1/a.csv", csv(4, 1, "changed bigint")); // an old folder changes its schema
    put("nf/day=3/a.csv", csv(4, 3));
    CrawlRun run = ok(crawlers.run("nf", false));
    assertThat(run.plan().mode()).isEqualTo("NEW_FOLDERS");
    assertThat(run.plan().partitions())
        .extracting(pc -> pc.action() + " " + pc.values())
        .containsExactly("ADD [3]");
    assertThat(cols(table("nf").columns())).isEqualTo("id bigint, name string");
    assertThat(table("nf").versionId()).isEqualTo("1");
    // a new folder with a new column: the change is logged, not applied
    put("nf/day=4/a.csv", csv(4, 4, "extra bigint"));
    CrawlRun logged = ok(crawlers.run("nf", false));
    assertThat(logged.plan().tables()).hasSize(1);
    assertThat(logged.plan().tables().get(0).logOnly()).isTrue();
    assertThat(logged.plan().tables().get(0).diff()).contains("+ column extra bigint");
    assertThat(table("nf").versionId()).isEqualTo("1");
    assertThat(partitions("nf")).hasSize(4);
    assertThatThrownBy(
            () ->
                crawlers.update(
                    def("nf", "other/")
                        .withRecrawlBehavior(RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY)))
        .hasMessageContaining("targets of a CRAWL_NEW_FOLDERS_ONLY crawler cannot change");
  }

  @Test
  void eventModeListsOnlyFoldersNamedByEvents() throws Exception {
    put("ev/day=1/a.csv", csv(4, 1));
    CrawlRun first = crawl(def("ev", "ev/").withRecrawlBehavior(RecrawlBehavior.CRAWL_EVENT_MODE));
    assertThat(first.plan().mode()).isEqualTo("FULL");
    // events that happen while no one listens (the server is down) are missed
    crawlers.close();
    put("ev/day=2/a.csv", csv(4, 2));
    crawlers = Crawlers.open(catalog, store, Clock.systemUTC());
    put("ev/day=3/a.csv", csv(4, 3));
    put("ev/day=3/_SUCCESS", "x");
    put("elsewhere/x.csv", csv(4, 3));
    long deadline = System.nanoTime() + 10_000_000_000L;
    CrawlPlan.EventRef day3 = new CrawlPlan.EventRef("raw", "ev/day=3/a.csv");
    while (!crawlers.pendingEvents("ev").contains(day3) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    // Events are delivered asynchronously: day=1's may arrive after the first (full) crawl and
    // stay queued; it names a folder already crawled, which is harmless. day=2's was missed,
    // _SUCCESS is not data, and elsewhere/ is outside the target.
    assertThat(crawlers.pendingEvents("ev"))
        .contains(day3)
        .allMatch(e -> e.equals(day3) || e.equals(new CrawlPlan.EventRef("raw", "ev/day=1/a.csv")));
    CrawlRun run = ok(crawlers.run("ev", false));
    assertThat(run.plan().mode()).isEqualTo("EVENTS");
    assertThat(run.plan().folders())
        .contains("s3://raw/ev/day=3/")
        .doesNotContain("s3://raw/ev/day=2/");
    assertThat(partitions("ev"))
        .extracting(Partition::values)
        .containsExactly(List.of("1"), List.of("3"));
    assertThat(crawlers.pendingEvents("ev")).isEmpty();
  }

  @Test
  void logPolicyRecordsButDoesNotChange() {
    put("lg/day=1/a.csv", csv(4, 1));
    crawl(def("lg", "lg/").withSchemaChangePolicy(UpdateBehavior.LOG, DeleteBehavior.LOG, null));
    put("lg/day=1/a.csv", csv(4, 1, "extra bigint"));
    CrawlRun run = ok(crawlers.run("lg", false));
    TableChange change = run.plan().tables().get(0);
    assertThat(change.action()).isEqualTo(TableAction.UPDATE);
    assertThat(change.logOnly()).isTrue();
    assertThat(change.diff()).containsExactly("+ column extra bigint");
    assertThat(run.tablesUpdated()).isZero();
    assertThat(table("lg").versionId()).isEqualTo("1");
    assertThat(cols(table("lg").columns())).isEqualTo("id bigint, name string");
  }

  @Test
  void mergeNewColumnsNeverRemovesColumns() {
    put("mg/day=1/a.csv", csv(4, 1, "score double"));
    crawl(
        def("mg", "mg/").withSchemaChangePolicy(null, null, AddOrUpdateBehavior.MERGE_NEW_COLUMNS));
    put("mg/day=1/a.csv", csv(4, 1, "extra bigint"));
    CrawlRun run = ok(crawlers.run("mg", false));
    assertThat(run.plan().tables().get(0).diff()).containsExactly("+ column extra bigint");
    assertThat(cols(table("mg").columns()))
        .isEqualTo("id bigint, name string, score double, extra bigint");
    // a format change deprecates instead
    remove("mg/");
    put("mg/day=1/a.json", "{\"id\":1}\n{\"id\":2}\n");
    CrawlRun changed = ok(crawlers.run("mg", false));
    assertThat(changed.plan().tables().get(0).action()).isEqualTo(TableAction.DEPRECATE);
    assertThat(table("mg").parameters()).containsEntry("deprecated", "true");
    assertThat(table("mg").columns()).hasSize(4);
  }

  @Test
  void deprecateMarksTablesWhoseObjectsAreGone() {
    put("sp/artists/a.csv", "artist_id,followers\na1,10\na2,20\n");
    put("sp/albums/b.csv", "album_id,year,title\nb1,1999,x\nb2,2001,y\n");
    put("sp/tracks/t.csv", "track_id,duration_ms,explicit\nt1,1000,true\nt2,2000,false\n");
    crawl(def("dep", "sp/"));
    remove("sp/albums/");
    CrawlRun run = ok(crawlers.run("dep", false));
    assertThat(run.tablesDeprecated()).isEqualTo(1);
    assertThat(table("albums").parameters()).containsEntry("deprecated", "true");
    assertThat(table("albums").versionId()).isEqualTo("2");
    assertThat(table("artists").parameters()).doesNotContainKey("deprecated");
    assertThat(table("tracks").versionId()).isEqualTo("1");
    assertThat(ok(crawlers.run("dep", false)).plan().empty()).isTrue(); // not deprecated twice
  }

  // ---- definitions and history

  @Test
  void definitionsAreValidatedWithWhatToFix() {
    assertThatThrownBy(() -> crawlers.create(def("x").withSchedule(null)))
        .hasMessageContaining("at least one target is required");
    CrawlerDefinition badUri =
        new CrawlerDefinition(
            "x",
            null,
            List.of(Target.of("http://raw/a/")),
            "lake",
            "",
            null,
            null,
            null,
            false,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> crawlers.create(badUri))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("target 'http://raw/a/' is not an s3://bucket/prefix/ URI");
    CrawlerDefinition noBucket =
        new CrawlerDefinition(
            "x",
            null,
            List.of(Target.of("s3://nope/a/")),
            "lake",
            "",
            null,
            null,
            null,
            false,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> crawlers.create(noBucket))
        .hasMessageContaining("the bucket 'nope' of target 's3://nope/a/' does not exist");
    assertThatThrownBy(() -> crawlers.create(def("x", "a/").withSchedule("61 * * * *")))
        .hasMessageContaining("schedule '61 * * * *' is not valid cron")
        .hasMessageContaining("field 1 (minute)");
    assertThatThrownBy(() -> crawlers.create(def("x", "a/").withSchedule("0 3 * *")))
        .hasMessageContaining("it has 4 fields; use 5");
    assertThatThrownBy(() -> crawlers.create(def("bad name", "a/")))
        .hasMessageContaining("invalid crawler name 'bad name'");
    CrawlerDefinition noDb =
        new CrawlerDefinition(
            "x",
            null,
            List.of(Target.of("s3://raw/a/")),
            "nodb",
            "",
            null,
            null,
            null,
            false,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> crawlers.create(noDb))
        .hasMessageContaining("database 'nodb' does not exist; create it first");
    CrawlerDefinition badGlob =
        new CrawlerDefinition(
            "x",
            null,
            List.of(new Target("s3://raw/a/", List.of("{a,b"))),
            "lake",
            "",
            null,
            null,
            null,
            false,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> crawlers.create(badGlob)).hasMessageContaining("without a closing");
    assertThatThrownBy(
            () ->
                crawlers.create(
                    def("x", "a/", "b/").withRecrawlBehavior(RecrawlBehavior.CRAWL_EVENT_MODE)))
        .hasMessageContaining("exactly one target");
    assertThatThrownBy(() -> crawlers.create(def("x", "a/").withTablePrefix("Raw-")))
        .hasMessageContaining("table prefix 'Raw-'");
    assertThatThrownBy(() -> crawlers.get("nope"))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("crawler 'nope' not found");
    assertThatThrownBy(() -> crawlers.run("nope", true)).hasMessageContaining("not found");
    assertThat(crawlers.list()).isEmpty(); // nothing was stored by the failed creates

    Crawlers.Info ok =
        crawlers.create(def("x", "a/").withSchedule("cron(15 12 * * ? *)").withTablePrefix("raw_"));
    assertThat(ok.definition().schedule()).isEqualTo("cron(15 12 * * ? *)");
    assertThat(crawlers.create(def("y", "a/").withSchedule("*/5 0-6 1,15 JAN-MAR MON-FRI")))
        .isNotNull();
    assertThatThrownBy(() -> crawlers.create(def("x", "a/")))
        .hasMessageContaining("crawler 'x' already exists");
    assertThatThrownBy(() -> crawlers.getRun("x", 9))
        .hasMessageContaining("crawler 'x' has no run 9");
    crawlers.delete("x");
    assertThat(crawlers.list()).extracting(i -> i.definition().name()).containsExactly("y");
  }

  @Test
  void runsLeftRunningByAStoppedServerBecomeFailed() {
    crawlers.create(def("st", "a/"));
    CrawlRun running =
        new CrawlRun(
            "st",
            1,
            State.RUNNING,
            false,
            java.time.Instant.now(),
            null,
            null,
            0,
            0,
            0,
            0,
            0,
            0,
            List.of(),
            null,
            Map.of());
    catalog
        .externalTables()
        .batch(
            b -> {
              try (var ps =
                  b.connection()
                      .prepareStatement(
                          "INSERT INTO basin_crawler_runs VALUES ('st', 1, 'RUNNING', 0, NULL, ?)")) {
                ps.setString(1, Json.write(running));
                ps.executeUpdate();
              }
              return null;
            });
    crawlers.close();
    crawlers = Crawlers.open(catalog, store, Clock.systemUTC());
    CrawlRun after = crawlers.getRun("st", 1);
    assertThat(after.state()).isEqualTo(State.FAILED);
    assertThat(after.errors())
        .containsExactly(
            "server stopped during the crawl; nothing of it was applied, run it again");
  }
}
