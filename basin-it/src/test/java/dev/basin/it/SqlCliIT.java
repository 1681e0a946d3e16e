package dev.basin.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess.Exit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basin sql} as a user runs it, in its own JVM against a running server: the three output
 * formats, dry runs, scripts from a file and from standard input, and failing statements.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class SqlCliIT {
  private static final Duration CLI_TIMEOUT = Duration.ofMinutes(2);

  @TempDir Path dir;

  private static Exit sql(String dataDir, String stdin, String... args) {
    List<String> full = new ArrayList<>();
    full.add("sql");
    full.addAll(List.of(args));
    full.add("--data-dir");
    full.add(dataDir);
    return BasinProcess.runMain(Map.of(), stdin, CLI_TIMEOUT, full.toArray(new String[0]));
  }

  private static Exit ok(Exit e) {
    assertThat(e.code()).as("stdout: %s\nstderr: %s", e.stdout(), e.stderr()).isZero();
    return e;
  }

  @Test
  void runsSqlAndPrintsTablesCsvAndJson() throws Exception {
    try (BasinProcess server = BasinProcess.start(dir.resolve("data"))) {
      String dd = server.dataDir().toString();
      ok(sql(dd, null, "CREATE DATABASE shop"));
      ok(
          sql(
              dd,
              null,
              "CREATE TABLE shop.items AS SELECT range AS id, 'item, \"' || range || '\"' AS name,"
                  + " CASE WHEN range = 2 THEN NULL ELSE range * 10 END AS price FROM range(3)"));

      Exit table = ok(sql(dd, null, "SELECT * FROM items ORDER BY id", "--database", "shop"));
      List<String> lines = table.stdout().lines().toList();
      assertThat(lines.get(0)).matches("id\\s+name\\s+price");
      assertThat(lines.get(1)).matches("-+\\s+-+\\s+-+");
      assertThat(lines.get(2)).matches("0\\s+item, \"0\"\\s+0");
      assertThat(lines.get(4)).matches("2\\s+item, \"2\"\\s+NULL");
      // columns line up: every value of a column starts at the same offset
      int nameAt = lines.get(0).indexOf("name");
      assertThat(lines.get(2).indexOf("item")).isEqualTo(nameAt);
      assertThat(lines.get(4).indexOf("item")).isEqualTo(nameAt);
      assertThat(table.stderr()).contains("(3 rows,");

      Exit csv = ok(sql(dd, null, "SELECT * FROM shop.items ORDER BY id", "--format", "csv"));
      assertThat(csv.stdout())
          .isEqualTo(
              "\"id\",\"name\",\"price\"\n"
                  + "\"0\",\"item, \"\"0\"\"\",\"0\"\n"
                  + "\"1\",\"item, \"\"1\"\"\",\"10\"\n"
                  + "\"2\",\"item, \"\"2\"\"\",\n");

      Exit json = ok(sql(dd, null, "SELECT * FROM shop.items ORDER BY id", "--format", "json"));
      JsonNode rows = new ObjectMapper().readTree(json.stdout());
      assertThat(rows).hasSize(3);
      assertThat(rows.get(1).get("id").asLong()).isEqualTo(1);
      assertThat(rows.get(1).get("name").asText()).isEqualTo("item, \"1\"");
      assertThat(rows.get(2).get("price").isNull()).isTrue();

      Exit dry = ok(sql(dd, null, "SELECT * FROM shop.items", "--dry-run"));
      assertThat(dry.stdout()).contains("shop.items");
      assertThat(dry.stderr()).contains("would scan");

      Path script = dir.resolve("script.sql");
      Files.writeString(
          script, "-- two statements\nSELECT count(*) AS n FROM shop.items;\nSELECT 'a;b' AS s;\n");
      Exit file = ok(sql(dd, null, "--file", script.toString(), "--format", "csv"));
      assertThat(file.stdout()).isEqualTo("\"n\"\n\"3\"\n\"s\"\n\"a;b\"\n");

      Exit piped = ok(sql(dd, "SELECT 41 + 1 AS answer;\n", "--format", "csv"));
      assertThat(piped.stdout()).isEqualTo("\"answer\"\n\"42\"\n");

      Exit param =
          ok(
              sql(
                  dd,
                  null,
                  "SELECT name FROM shop.items WHERE id = ?",
                  "--param",
                  "1",
                  "--format",
                  "csv"));
      assertThat(param.stdout()).isEqualTo("\"name\"\n\"item, \"\"1\"\"\"\n");

      Exit bad = sql(dd, null, "SELECT * FORM shop.items");
      assertThat(bad.code()).isEqualTo(1);
      assertThat(bad.stderr()).contains("error: line 1:");
      Exit badDb = sql(dd, null, "SELECT 1", "--database", "x; DROP DATABASE shop");
      assertThat(badDb.code()).isNotZero();
      assertThat(badDb.stderr()).contains("invalid database name");
      Exit badFormat = sql(dd, null, "SELECT 1", "--format", "xml");
      assertThat(badFormat.code()).isNotZero();
      assertThat(badFormat.stderr()).contains("--format must be table, csv or json");
      assertThat(ok(sql(dd, null, "SELECT count(*) FROM shop.items", "--format", "csv")).stdout())
          .endsWith("\n\"3\"\n");
    }
  }
}
