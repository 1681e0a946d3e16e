package dev.basin.etl.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobCompilerTest {
  @TempDir static Path dir;
  static JobTestEngine db;

  @BeforeAll
  static void tables() {
    db = new JobTestEngine(dir);
    db.table(
        "sales",
        "id INTEGER, store VARCHAR, qty INTEGER, price DECIMAL(10,2), day DATE",
        "(1, 'a', 2, 1.50, '2024-01-01'), (2, 'b', NULL, 2.00, '2024-01-01'),"
            + " (3, 'a', 5, NULL, '2024-01-02'), (4, 'c', 1, 3.25, '2024-01-02'),"
            + " (5, 'b', 3, 2.00, '2024-01-03')");
    db.table(
        "tracks",
        "track_id INTEGER, name VARCHAR, album_id INTEGER",
        "(1, 't1', 10), (2, 't2', 10), (3, 't3', 20), (4, 't4', 99)");
    db.table(
        "albums",
        "album_id INTEGER, title VARCHAR, artist_id INTEGER",
        "(10, 'A', 100), (20, 'B', 200), (30, 'C', 300)");
    db.table(
        "dups",
        "k INTEGER, v VARCHAR, ts INTEGER",
        "(1, 'x', 1), (1, 'x', 1), (1, 'y', 2), (2, 'z', 3), (2, 'w', 4)");
    db.table("u1", "id INTEGER, name VARCHAR", "(1, 'a'), (2, 'b')");
    db.table("u2", "name VARCHAR, id INTEGER, extra VARCHAR", "('c', 3, 'e'), ('a', 1, NULL)");
    db.table("u3", "x INTEGER, y VARCHAR", "(7, 'q')");
    db.table("wide", "id INTEGER, q1 INTEGER, q2 INTEGER", "(1, 10, 20), (2, NULL, 5)");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static final String SALES_1 = "1|a|2|1.50|2024-01-01";
  static final String SALES_2 = "2|b|NULL|2.00|2024-01-01";
  static final String SALES_3 = "3|a|5|NULL|2024-01-02";
  static final String SALES_4 = "4|c|1|3.25|2024-01-02";
  static final String SALES_5 = "5|b|3|2.00|2024-01-03";

  /** A job: source s (table), transform x (flow-mapping fields), target o. */
  static String single(String table, String transform) {
    return "name: j\nnodes:\n"
        + "  - {id: s, type: source, catalog: {database: t, table: "
        + table
        + "}}\n"
        + "  - {id: x, input: s, "
        + transform
        + "}\n"
        + "  - {id: o, type: target, input: x, prefix: {uri: \"s3://processed/o/\"}}\n";
  }

  static CompiledJob compile(String yaml) {
    return JobCompiler.compile(JobParser.parse(yaml), Map.of(), db);
  }

  static List<String> output(String yaml) {
    return db.run(compile(yaml)).get("o");
  }

  static List<String> output(String table, String transform) {
    return output(single(table, transform));
  }

  // ---- each transform

  @Test
  void applyMappingCastsRenamesAndDropsUnmapped() {
    CompiledJob job =
        compile(
            single(
                "sales",
                "type: ApplyMapping, mappings: [{from: id, to: sale_id, type: BIGINT},"
                    + " {from: PRICE, to: amount, type: DOUBLE}]"));
    assertThat(JobTestEngine.columns(job.step("x")))
        .containsExactly("sale_id BIGINT", "amount DOUBLE");
    assertThat(db.run(job).get("o")).containsExactly("1|1.5", "2|2.0", "3|NULL", "4|3.25", "5|2.0");
  }

  @Test
  void renameFieldKeepsThePosition() {
    CompiledJob job = compile(single("sales", "type: RenameField, from: qty, to: quantity"));
    assertThat(JobTestEngine.columns(job.step("x")))
        .containsExactly(
            "id INTEGER", "store VARCHAR", "quantity INTEGER", "price DECIMAL(10,2)", "day DATE");
    assertThat(db.run(job).get("o")).containsExactly(SALES_1, SALES_2, SALES_3, SALES_4, SALES_5);
    assertThatThrownBy(() -> compile(single("sales", "type: RenameField, from: qty, to: Store")))
        .hasMessage(
            "node 'x' (RenameField): to: input 's' already has a column 'store'; drop it first or"
                + " choose another name");
  }

  @Test
  void castChangesTypesInPlace() {
    CompiledJob job = compile(single("sales", "type: Cast, columns: {qty: VARCHAR, id: DOUBLE}"));
    assertThat(JobTestEngine.columns(job.step("x")))
        .containsExactly(
            "id DOUBLE", "store VARCHAR", "qty VARCHAR", "price DECIMAL(10,2)", "day DATE");
    assertThat(db.run(job).get("o"))
        .containsExactly(
            "1.0|a|2|1.50|2024-01-01",
            "2.0|b|NULL|2.00|2024-01-01",
            "3.0|a|5|NULL|2024-01-02",
            "4.0|c|1|3.25|2024-01-02",
            "5.0|b|3|2.00|2024-01-03");
  }

  @Test
  void selectFields() {
    assertThat(output("sales", "type: SelectFields, columns: [store, id]"))
        .containsExactly("a|1", "a|3", "b|2", "b|5", "c|4");
  }

  @Test
  void dropFields() {
    assertThat(output("sales", "type: DropFields, columns: [price, day, QTY]"))
        .containsExactly("1|a", "2|b", "3|a", "4|c", "5|b");
    assertThatThrownBy(
            () ->
                compile(single("sales", "type: DropFields, columns: [id, store, qty, price, day]")))
        .hasMessage(
            "node 'x' (DropFields): columns: dropping every column of input 's' leaves nothing to"
                + " write");
  }

  @Test
  void filterWithASqlCondition() {
    assertThat(output("sales", "type: Filter, condition: \"qty >= 2 AND store <> 'c'\""))
        .containsExactly(SALES_1, SALES_3, SALES_5);
  }

  @Test
  void filterWithGlueStyleConditions() {
    assertThat(
            output(
                "sales",
                "type: Filter, logic: or, conditions: [{column: store, op: in, value: [a, c]},"
                    + " {column: price, op: is null}]"))
        .containsExactly(SALES_1, SALES_3, SALES_4);
    assertThat(
            output(
                "sales",
                "type: Filter, conditions: [{column: qty, op: '>', value: 1},"
                    + " {column: day, op: '=', value: '2024-01-01'}]"))
        .containsExactly(SALES_1);
    assertThat(
            output(
                "sales",
                "type: Filter, conditions: [{column: store, op: not in, value: [a]},"
                    + " {column: price, op: '!=', value: 2}, {column: id, op: like, value: '4%'}]"))
        .containsExactly(SALES_4);
  }

  @Test
  void filterConditionMustBeBoolean() {
    JobValidationException e =
        (JobValidationException)
            catchError(() -> compile(single("sales", "type: Filter, condition: qty + 1")));
    assertThat(e.getMessage())
        .isEqualTo(
            "node 'x' (Filter): condition: must be a boolean expression, but 'qty + 1' is"
                + " INTEGER; compare it, e.g. qty + 1 > 0");
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_EXPRESSION);
  }

  @Test
  void filterConditionWithAnUnknownColumnShowsDuckDbsMessage() {
    JobValidationException e =
        (JobValidationException)
            catchError(() -> compile(single("sales", "type: Filter, condition: qtty > 1")));
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_EXPRESSION);
    assertThat(e.nodeId()).isEqualTo("x");
    assertThat(e.getMessage())
        .startsWith("node 'x' (Filter): condition: does not compile: ")
        .contains("qtty");
  }

  static String join(String joinType, boolean drop) {
    return "name: j\nnodes:\n"
        + "  - {id: tracks, type: source, catalog: {database: t, table: tracks}}\n"
        + "  - {id: albums, type: source, catalog: {database: t, table: albums}}\n"
        + "  - {id: x, type: Join, inputs: [tracks, albums], joinType: "
        + joinType
        + ", dropDuplicateColumns: "
        + drop
        + ", on: [{left: album_id, right: album_id}]}\n"
        + "  - {id: o, type: target, input: x, prefix: {uri: \"s3://processed/o/\"}}\n";
  }

  @Test
  void joinPrefixesDuplicateRightColumns() {
    CompiledJob job = compile(join("inner", false));
    assertThat(JobTestEngine.columns(job.step("x")))
        .containsExactly(
            "track_id INTEGER",
            "name VARCHAR",
            "album_id INTEGER",
            "albums_album_id INTEGER",
            "title VARCHAR",
            "artist_id INTEGER");
    assertThat(db.run(job).get("o"))
        .containsExactly("1|t1|10|10|A|100", "2|t2|10|10|A|100", "3|t3|20|20|B|200");
  }

  @Test
  void joinTypes() {
    assertThat(output(join("inner", true)))
        .containsExactly("1|t1|10|A|100", "2|t2|10|A|100", "3|t3|20|B|200");
    assertThat(output(join("left", true)))
        .containsExactly("1|t1|10|A|100", "2|t2|10|A|100", "3|t3|20|B|200", "4|t4|99|NULL|NULL");
    assertThat(output(join("right", false)))
        .containsExactly(
            "1|t1|10|10|A|100", "2|t2|10|10|A|100", "3|t3|20|20|B|200", "NULL|NULL|NULL|30|C|300");
    // with dropped duplicates, a full join keeps the key from whichever side has it
    assertThat(output(join("outer", true)))
        .containsExactly(
            "1|t1|10|A|100",
            "2|t2|10|A|100",
            "3|t3|20|B|200",
            "4|t4|99|NULL|NULL",
            "NULL|NULL|30|C|300");
    assertThat(output(join("semi", false))).containsExactly("1|t1|10", "2|t2|10", "3|t3|20");
    assertThat(output(join("left_anti", false))).containsExactly("4|t4|99");
  }

  @Test
  void joinWithAMissingKeyNamesTheNodeInputAndColumns() {
    String yaml = join("inner", false).replace("right: album_id", "right: album_idd");
    JobValidationException e = (JobValidationException) catchError(() -> compile(yaml));
    assertThat(e.getMessage())
        .isEqualTo(
            "node 'x' (Join): on[0].right: column 'album_idd' is not in input 'albums' (did you"
                + " mean 'album_id'?) (columns: album_id, title, artist_id); check the spelling or"
                + " add a rename before the join");
    assertThat(e.code()).isEqualTo(JobErrorCode.UNKNOWN_COLUMN);
    assertThat(e.nodeId()).isEqualTo("x");
  }

  @Test
  void dropDuplicatesOfWholeRows() {
    assertThat(output("dups", "type: DropDuplicates"))
        .containsExactly("1|x|1", "1|y|2", "2|w|4", "2|z|3");
  }

  @Test
  void dropDuplicatesByKeyKeepsFirstOrLast() {
    assertThat(output("dups", "type: DropDuplicates, keys: [k], orderBy: [ts]"))
        .containsExactly("1|x|1", "2|z|3");
    assertThat(output("dups", "type: DropDuplicates, keys: [k], orderBy: [ts], keep: last"))
        .containsExactly("1|y|2", "2|w|4");
  }

  @Test
  void aggregate() {
    CompiledJob job =
        compile(
            single(
                "sales",
                "type: Aggregate, groupBy: [store], aggregations: [{function: count, as: n},"
                    + " {column: qty, function: sum, as: total}, {column: price, function: avg,"
                    + " as: avg_price}, {column: day, function: count_distinct, as: days},"
                    + " {column: id, function: max}, {column: day, function: min}]"));
    assertThat(job.step("x").columns().stream().map(SqlColumn::name))
        .containsExactly("store", "n", "total", "avg_price", "days", "max_id", "min_day");
    assertThat(db.run(job).get("o"))
        .containsExactly(
            "a|2|7|1.5|2|3|2024-01-01", "b|2|3|2.0|2|5|2024-01-01", "c|1|1|3.25|1|4|2024-01-02");
    assertThat(
            output(
                "sales",
                "type: Aggregate, aggregations: [{function: count}, {column: qty, function:"
                    + " stddev, as: sd}]"))
        .containsExactly("5|1.707825127659933");
  }

  static String union(String a, String b, String options) {
    return "name: j\nnodes:\n"
        + "  - {id: a, type: source, catalog: {database: t, table: "
        + a
        + "}}\n"
        + "  - {id: b, type: source, catalog: {database: t, table: "
        + b
        + "}}\n"
        + "  - {id: x, type: Union, inputs: [a, b]"
        + options
        + "}\n"
        + "  - {id: o, type: target, input: x, prefix: {uri: \"s3://processed/o/\"}}\n";
  }

  @Test
  void unionByNameFillsMissingColumnsWithNull() {
    CompiledJob job = compile(union("u1", "u2", ""));
    assertThat(JobTestEngine.columns(job.step("x")))
        .containsExactly("id INTEGER", "name VARCHAR", "extra VARCHAR");
    assertThat(db.run(job).get("o")).containsExactly("1|a|NULL", "1|a|NULL", "2|b|NULL", "3|c|e");
    assertThat(output(union("u1", "u2", ", distinct: true")))
        .containsExactly("1|a|NULL", "2|b|NULL", "3|c|e");
  }

  @Test
  void unionByPosition() {
    CompiledJob job = compile(union("u1", "u3", ", byName: false"));
    assertThat(JobTestEngine.columns(job.step("x"))).containsExactly("id INTEGER", "name VARCHAR");
    assertThat(db.run(job).get("o")).containsExactly("1|a", "2|b", "7|q");
    assertThatThrownBy(() -> compile(union("u1", "u2", ", byName: false")))
        .hasMessageContaining("node 'x' (Union): input 'b' has 3 columns but 'a' has 2");
  }

  @Test
  void derivedColumnReplacesInPlaceOrAppends() {
    assertThat(
            output("sales", "type: DerivedColumn, name: QTY, expression: 'coalesce(qty, 0) + 1'"))
        .containsExactly(
            "1|a|3|1.50|2024-01-01",
            "2|b|1|2.00|2024-01-01",
            "3|a|6|NULL|2024-01-02",
            "4|c|2|3.25|2024-01-02",
            "5|b|4|2.00|2024-01-03");
    CompiledJob job =
        compile(
            single(
                "sales",
                "type: DerivedColumn, name: label, expression: \"upper(store) || '-' || id"
                    + " -- a comment\""));
    assertThat(JobTestEngine.columns(job.step("x"))).last().isEqualTo("label VARCHAR");
    assertThat(db.run(job).get("o"))
        .containsExactly(
            SALES_1 + "|A-1",
            SALES_2 + "|B-2",
            SALES_3 + "|A-3",
            SALES_4 + "|C-4",
            SALES_5 + "|B-5");
  }

  @Test
  void fillMissingValues() {
    // mean of qty (2, 5, 1, 3) = 2.75, cast back to INTEGER = 3; median price = 2.00
    assertThat(
            output(
                "sales",
                "type: FillMissingValues, fills: [{column: qty, strategy: mean}, {column: price,"
                    + " strategy: median}]"))
        .containsExactly(
            SALES_1, "2|b|3|2.00|2024-01-01", "3|a|5|2.00|2024-01-02", SALES_4, SALES_5);
    assertThat(
            output(
                "sales",
                "type: FillMissingValues, fills: [{column: qty, value: 0}, {column: price,"
                    + " value: '9.99'}]"))
        .containsExactly(
            SALES_1, "2|b|0|2.00|2024-01-01", "3|a|5|9.99|2024-01-02", SALES_4, SALES_5);
    assertThat(output("dups", "type: FillMissingValues, fills: [{column: v, strategy: mode}]"))
        .hasSize(5);
  }

  @Test
  void pivot() {
    CompiledJob job =
        compile(
            single(
                "sales",
                "type: Pivot, groupBy: [store], pivotColumn: day, valueColumn: qty, values:"
                    + " ['2024-01-01', '2024-01-02']"));
    assertThat(job.step("x").columns().stream().map(SqlColumn::name))
        .containsExactly("store", "2024-01-01", "2024-01-02");
    assertThat(db.run(job).get("o")).containsExactly("a|2|5", "b|NULL|NULL", "c|NULL|1");
    assertThat(
            output(
                "sales",
                "type: Pivot, pivotColumn: qty, valueColumn: id, aggregation: count, values: [1,"
                    + " 2, 9]"))
        .containsExactly("1|1|0");
  }

  @Test
  void unpivot() {
    assertThat(
            output(
                "wide",
                "type: Unpivot, columns: [q1, q2], nameColumn: quarter, valueColumn: amount"))
        .containsExactly("1|q1|10", "1|q2|20", "2|q1|NULL", "2|q2|5");
    assertThat(output("wide", "type: Unpivot, columns: [q1, q2], dropNulls: true"))
        .containsExactly("1|q1|10", "1|q2|20", "2|q2|5");
    assertThatThrownBy(
            () -> compile(single("wide", "type: Unpivot, columns: [q1], valueColumn: q2")))
        .hasMessageContaining("column 'q2' (nameColumn/valueColumn) is already a kept column");
  }

  @Test
  void sqlReadsItsInputsByNodeId() {
    assertThat(
            output(
                "sales",
                "type: Sql, sql: 'SELECT store, count(*) AS n FROM s GROUP BY store -- per store'"))
        .containsExactly("a|2", "b|2", "c|1");
    String two =
        "name: j\nnodes:\n"
            + "  - {id: tracks, type: source, catalog: {database: t, table: tracks}}\n"
            + "  - {id: albums, type: source, catalog: {database: t, table: albums}}\n"
            + "  - id: x\n    type: Sql\n    inputs: [tracks, albums]\n    sql: |\n"
            + "      WITH t AS (SELECT * FROM tracks WHERE track_id > 1)\n"
            + "      SELECT t.name, a.title FROM t JOIN albums a USING (album_id)\n"
            + "  - {id: o, type: target, input: x, prefix: {uri: \"s3://processed/o/\"}}\n";
    assertThat(output(two)).containsExactly("t2|A", "t3|B");
  }

  @Test
  void sqlReadingANonInputExplainsWhatItCanRead() {
    JobValidationException e =
        (JobValidationException)
            catchError(() -> compile(single("sales", "type: Sql, sql: SELECT * FROM nowhere")));
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_EXPRESSION);
    assertThat(e.getMessage())
        .startsWith("node 'x' (Sql): sql: does not compile: ")
        .endsWith("; a Sql node reads only its inputs, by node id: s");
  }

  @Test
  void unknownColumnsNameTheNodeAndTheInput() {
    assertThatThrownBy(() -> compile(single("sales", "type: SelectFields, columns: [id, stor]")))
        .isInstanceOf(JobValidationException.class)
        .hasMessage(
            "node 'x' (SelectFields): columns: column 'stor' is not in input 's' (did you mean"
                + " 'store'?) (columns: id, store, qty, price, day); check the spelling or add a"
                + " rename before this node");
  }

  // ---- arguments

  static final String ARGS =
      "name: j\narguments: {min_qty: '1', tbl: sales}\nnodes:\n"
          + "  - {id: s, type: source, catalog: {database: t, table: '${tbl}'}}\n"
          + "  - {id: x, type: Filter, input: s, condition: 'qty > ${min_qty}'}\n"
          + "  - {id: o, type: target, input: x, prefix: {uri: \"s3://processed/${out}/\"}}\n";

  @Test
  void argumentsAreSubstitutedRunArgumentsFirst() {
    JobDefinition job = JobParser.parse(ARGS);
    CompiledJob compiled = JobCompiler.compile(job, Map.of("out", "x", "min_qty", "2"), db);
    assertThat(((TransformNode) compiled.job().node("x")).transform())
        .isEqualTo(new Transform.Filter("qty > 2", List.of(), null));
    assertThat(((PrefixTarget) ((TargetNode) compiled.job().node("o")).target()).uri())
        .isEqualTo("s3://processed/x/");
    assertThat(db.run(compiled).get("o")).containsExactly(SALES_3, SALES_5);
    assertThat(db.run(JobCompiler.compile(job, Map.of("out", "x"), db)).get("o"))
        .containsExactly(SALES_1, SALES_3, SALES_5);
  }

  @Test
  void unknownArgumentNamesTheNodeAndField() {
    JobValidationException e =
        (JobValidationException)
            catchError(() -> JobCompiler.compile(JobParser.parse(ARGS), Map.of(), db));
    assertThat(e.code()).isEqualTo(JobErrorCode.UNKNOWN_ARGUMENT);
    assertThat(e.nodeId()).isEqualTo("o");
    assertThat(e.getMessage())
        .isEqualTo(
            "node 'o' (target): field 'prefix.uri': argument 'out' has no value; pass it as a run"
                + " argument or add it to the job's arguments (known: min_qty, tbl)");
  }

  @Test
  void anArgumentCannotInjectAStatement() {
    assertThatThrownBy(
            () ->
                JobCompiler.compile(
                    JobParser.parse(ARGS), Map.of("out", "x", "min_qty", "1; DROP TABLE t"), db))
        .isInstanceOf(JobValidationException.class)
        .hasMessageContaining("node 'x' (Filter): field 'condition' is not a single SQL expression")
        .hasMessageContaining("contains ';'");
  }

  @Test
  void dollarDollarIsALiteral() {
    String yaml = single("sales", "type: DerivedColumn, name: tag, expression: \"'$${x}'\"");
    assertThat(compile(yaml).step("x").select()).contains("'${x}'");
  }

  // ---- quality and targets

  static String quality(String rules, String extra) {
    return "name: j\nnodes:\n"
        + "  - {id: s, type: source, catalog: {database: t, table: sales}}\n"
        + "  - {id: st, type: source, catalog: {database: t, table: u1}}\n"
        + "  - {id: dq, type: DataQuality, input: s, rules: '"
        + rules
        + "'"
        + extra
        + "}\n"
        + "  - {id: o, type: target, input: dq, prefix: {uri: \"s3://processed/o/\"}}\n"
        + "  - {id: o2, type: target, input: st, prefix: {uri: \"s3://processed/o2/\"}}\n";
  }

  @Test
  void qualityRulesMustNameInputColumns() {
    CompiledJob ok =
        compile(
            quality(
                "Rules = [ IsComplete \"id\", ReferentialIntegrity \"store\" \"ref.name\" > 0.5 ]",
                ", references: {ref: st}"));
    Step dq = ok.step("dq");
    assertThat(dq.select()).isNull();
    assertThat(dq.columns()).isEqualTo(ok.step("s").columns());
    assertThat(dq.rowsSameAs()).isEqualTo("s");
    assertThat(ok.step("s").materialize()).isTrue();
    assertThat(ok.step("st").materialize()).isTrue(); // a reference is read twice
    assertThatThrownBy(() -> compile(quality("Rules = [ ColumnValues \"qtty\" > 0 ]", "")))
        .isInstanceOf(JobValidationException.class)
        .hasMessage(
            "node 'dq' (DataQuality): rule 'ColumnValues \"qtty\" > 0': column 'qtty' is not in"
                + " input 's' (did you mean 'qty'?) (columns: id, store, qty, price, day); check"
                + " the spelling or add a rename before this node");
    assertThatThrownBy(
            () ->
                compile(
                    quality(
                        "Rules = [ ReferentialIntegrity \"store\" \"ref.nme\" > 0.5 ]",
                        ", references: {ref: st}")))
        .hasMessageContaining("column 'nme' is not in input 'st'");
    assertThatThrownBy(
            () ->
                compile(
                    quality("Rules = [ ReferentialIntegrity \"store\" \"dim.name\" > 0.5 ]", "")))
        .isInstanceOf(JobValidationException.class)
        .hasMessageStartingWith("node 'dq' (DataQuality): rules: ")
        .hasMessageContaining("dim");
  }

  @Test
  void qualityRuleQueriesMustCompileOverTheInput() {
    compile(
        quality(
            "Rules = [ CustomSql \"SELECT count(*) FROM primary WHERE qty > 1\" > 0 ]",
            ", action: quarantine, quarantine: \"s3://processed/q/\""));
    JobValidationException e =
        (JobValidationException)
            catchError(
                () ->
                    compile(
                        quality(
                            "Rules = [ CustomSql \"SELECT count(*) FROM primary WHERE nope > 1\""
                                + " > 0 ]",
                            "")));
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_EXPRESSION);
    assertThat(e.getMessage())
        .startsWith("node 'dq' (DataQuality): rules: does not compile: ")
        .contains("nope");
  }

  static String iceberg(String options) {
    return "name: j\nnodes:\n"
        + "  - {id: s, type: source, catalog: {database: t, table: sales}}\n"
        + "  - {id: o, type: target, input: s, iceberg: {database: lake, table: sales"
        + options
        + "}}\n";
  }

  @Test
  void icebergTargetsAreCheckedAgainstTheirInputAndTable() {
    assertThatThrownBy(() -> compile(iceberg(", mode: merge, keys: [idd]")))
        .hasMessage(
            "node 'o' (target): iceberg.keys: column 'idd' is not in input 's' (did you mean"
                + " 'id'?) (columns: id, store, qty, price, day); check the spelling or add a"
                + " rename before this node");
    assertThatThrownBy(() -> compile(iceberg(", partitionBy: ['day(dy)']")))
        .hasMessageContaining("iceberg.partitionBy: column 'dy' is not in input 's'");
    compile(iceberg(", mode: merge, keys: [id], partitionBy: ['day(day)', 'bucket(8, store)']"));
    assertThatThrownBy(() -> compile(iceberg(", createIfMissing: false")))
        .hasMessage(
            "node 'o' (target): iceberg: table lake.sales does not exist and createIfMissing is"
                + " false; create the table or set createIfMissing: true");
  }

  @Test
  void anExistingIcebergTableMustHoldEveryInputColumn() {
    SqlColumn id = new SqlColumn("id", SqlType.of(SqlType.Kind.BIGINT, "BIGINT"), true);
    SqlColumn store = new SqlColumn("store", SqlType.of(SqlType.Kind.VARCHAR, "VARCHAR"), true);
    SqlColumn qty = new SqlColumn("qty", SqlType.of(SqlType.Kind.BIGINT, "BIGINT"), true);
    SqlColumn price =
        new SqlColumn("price", new SqlType(SqlType.Kind.DECIMAL, "DECIMAL(12,2)", 12, 2), true);
    SqlColumn day = new SqlColumn("day", SqlType.of(SqlType.Kind.TIMESTAMP, "TIMESTAMP"), true);
    SqlColumn extra = new SqlColumn("extra", SqlType.of(SqlType.Kind.VARCHAR, "VARCHAR"), true);
    try {
      db.tables.put("lake.sales", List.of(id, store, qty, price, day, extra));
      compile(iceberg(", mode: overwrite")); // widening types, extra table column is NULL
      db.tables.put("lake.sales", List.of(id, store, qty, price));
      assertThatThrownBy(() -> compile(iceberg("")))
          .hasMessage(
              "node 'o' (target): column 'day' of input 's' is not in table lake.sales (columns:"
                  + " id, store, qty, price); drop it with DropFields, rename it with ApplyMapping,"
                  + " or add the column to the table");
      db.tables.put(
          "lake.sales",
          List.of(
              id,
              store,
              new SqlColumn("qty", SqlType.of(SqlType.Kind.SMALLINT, "SMALLINT"), true),
              price,
              day));
      JobValidationException e = (JobValidationException) catchError(() -> compile(iceberg("")));
      assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_TARGET);
      assertThat(e.getMessage())
          .isEqualTo(
              "node 'o' (target): column 'qty' of input 's' is INTEGER but table lake.sales has"
                  + " SMALLINT; cast it with Cast or ApplyMapping (type: SMALLINT)");
    } finally {
      db.tables.clear();
    }
  }

  @Test
  void prefixTargetPartitionKeysMustExist() {
    String yaml =
        single("sales", "type: SelectFields, columns: [id, store]")
            .replace(
                "prefix: {uri: \"s3://processed/o/\"}",
                "prefix: {uri: \"s3://processed/o/\", partitionKeys: [stor]}");
    assertThatThrownBy(() -> compile(yaml))
        .hasMessageContaining(
            "node 'o' (target): prefix.partitionKeys: column 'stor' is not in input 'x'");
  }

  // ---- steps

  @Test
  void stepsAreTopologicalWithTheMaterializationRule() {
    String yaml =
        "name: j\nnodes:\n"
            + "  - {id: o1, type: target, input: f, prefix: {uri: \"s3://processed/o1/\"}}\n"
            + "  - {id: f, type: Filter, input: m, condition: qty > 1}\n"
            + "  - {id: m, type: SelectFields, input: s, columns: [id, qty]}\n"
            + "  - {id: s, type: source, catalog: {database: t, table: sales}}\n"
            + "  - {id: o2, type: target, input: m, prefix: {uri: \"s3://processed/o2/\"}}\n";
    CompiledJob job = compile(yaml);
    assertThat(job.steps().stream().map(Step::relation)).containsExactly("s", "m", "f", "o1", "o2");
    assertThat(job.step("s").materialize()).isFalse();
    assertThat(job.step("m").materialize()).isTrue(); // read twice
    assertThat(job.step("m").rowsSameAs()).isEqualTo("s");
    assertThat(job.step("f").materialize()).isFalse();
    assertThat(job.step("f").rowsSameAs()).isNull();
    assertThat(job.step("o1").rowsSameAs()).isEqualTo("f");
    assertThat(job.step("o1").select()).isNull();
    assertThat(JobTestEngine.columns(job.step("o1"))).containsExactly("id INTEGER", "qty INTEGER");
    assertThat(job.step("s").select()).isEqualTo("SELECT * FROM src_sales");
    assertThat(job.step("m").select()).isEqualTo("SELECT \"id\", \"qty\" FROM \"s\"");

    CompiledJob counted = JobCompiler.compile(JobParser.parse(yaml), Map.of(), db, true);
    assertThat(counted.step("s").materialize()).isTrue();
    assertThat(counted.step("f").materialize()).isTrue();
    assertThat(db.run(counted))
        .isEqualTo(
            Map.of(
                "o1",
                List.of("1|2", "3|5", "5|3"),
                "o2",
                List.of("1|2", "2|NULL", "3|5", "4|1", "5|3")));
  }

  // ---- seed 001: join three CSVs, drop the duplicated fields, drop duplicates

  @Test
  void seed001JoinsThreeTablesDropsDuplicatedFieldsAndDuplicateRows() {
    db.table(
        "s_tracks",
        "track_id VARCHAR, track_name VARCHAR, album_id VARCHAR, duration_ms INTEGER",
        "('t1', 'Intro', 'al1', 61000), ('t2', 'Song', 'al1', 200000),"
            + " ('t2', 'Song', 'al1', 200000), ('t3', 'Ballad', 'al2', 250000),"
            + " ('t4', 'Orphan', 'al9', 1000)");
    db.table(
        "s_albums",
        "album_id VARCHAR, album_name VARCHAR, artist_id VARCHAR, release_date DATE",
        "('al1', 'First', 'ar1', '2001-02-03'), ('al2', 'Second', 'ar2', '2010-05-06')");
    db.table(
        "s_artists",
        "artist_id VARCHAR, artist_name VARCHAR, genre VARCHAR",
        "('ar1', 'Ann', 'pop'), ('ar2', 'Bob', 'rock'), ('ar3', 'Cy', 'jazz')");
    String yaml =
        """
        name: spotify_join
        description: seed 001 - join three CSVs, drop the duplicate fields
        nodes:
          - {id: tracks, type: source, catalog: {database: raw, table: s_tracks}}
          - {id: albums, type: source, catalog: {database: raw, table: s_albums}}
          - {id: artists, type: source, catalog: {database: raw, table: s_artists}}
          - id: join_albums
            type: Join
            inputs: [tracks, albums]
            on: [{left: album_id, right: album_id}]
          - id: join_artists
            type: Join
            inputs: [join_albums, artists]
            on: [{left: artist_id, right: artist_id}]
          - id: dropped
            type: DropFields
            input: join_artists
            columns: [albums_album_id, artists_artist_id]
          - {id: deduped, type: DropDuplicates, input: dropped}
          - id: dq
            type: DataQuality
            input: deduped
            rules: Rules = [ IsComplete "track_id", IsUnique "track_id" ]
            action: warn
          - id: lake
            type: target
            input: dq
            iceberg: {database: lake, table: spotify, mode: overwrite}
        """;
    CompiledJob job = compile(yaml);
    assertThat(JobTestEngine.columns(job.step("lake")))
        .containsExactly(
            "track_id VARCHAR",
            "track_name VARCHAR",
            "album_id VARCHAR",
            "duration_ms INTEGER",
            "album_name VARCHAR",
            "artist_id VARCHAR",
            "release_date DATE",
            "artist_name VARCHAR",
            "genre VARCHAR");
    assertThat(job.step("deduped").materialize()).isTrue(); // read by a DataQuality node
    assertThat(db.run(job).get("lake"))
        .containsExactly(
            "t1|Intro|al1|61000|First|ar1|2001-02-03|Ann|pop",
            "t2|Song|al1|200000|First|ar1|2001-02-03|Ann|pop",
            "t3|Ballad|al2|250000|Second|ar2|2010-05-06|Bob|rock");
  }

  private static Throwable catchError(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected an error");
  }
}
