package dev.basin.etl.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class JobParserTest {

  /** A job using every node type, every transform and most options. */
  static final String FULL =
      """
      name: spotify_join
      description: join tracks to albums and artists
      settings: {timeout: 30m, maxRetries: 1, bookmarks: enable, maxConcurrentRuns: 2}
      arguments: {source_bucket: raw}
      nodes:
        - id: tracks
          type: source
          prefix:
            uri: s3://${source_bucket}/spotify/tracks/
            format: csv
            options: {header: true, delimiter: ","}
        - id: albums
          type: source
          catalog: {database: raw_db, table: albums}
        - id: joined
          type: Join
          inputs: [tracks, albums]
          joinType: left
          on: [{left: album_id, right: album_id}]
          dropDuplicateColumns: true
        - id: mapped
          type: ApplyMapping
          input: joined
          mappings:
            - {from: track_id, to: id, type: BIGINT}
            - {from: title}
            - {from: qty}
            - {from: price}
            - {from: store}
            - {from: day}
        - id: renamed
          type: RenameField
          input: mapped
          from: title
          to: album_title
        - id: typed
          type: Cast
          input: renamed
          columns: {qty: INTEGER}
        - id: picked
          type: SelectFields
          input: typed
          columns: [id, album_title, qty, price, store, day]
        - id: dropped
          type: DropFields
          input: picked
          columns: [day]
        - id: filtered
          type: Filter
          input: dropped
          condition: qty > 0
        - id: filtered2
          type: Filter
          input: filtered
          conditions:
            - {column: store, op: in, value: [a, b]}
            - {column: price, op: ">=", value: 1.5}
            - {column: album_title, op: is not null}
          logic: or
        - id: derived
          type: DerivedColumn
          input: filtered2
          name: total
          expression: qty * price
        - id: filled
          type: FillMissingValues
          input: derived
          fills:
            - {column: qty, strategy: median}
            - {column: album_title, value: unknown}
        - id: deduped
          type: DropDuplicates
          input: filled
          keys: [id]
          keep: last
          orderBy: [price]
        - id: agg
          type: Aggregate
          input: deduped
          groupBy: [store]
          aggregations:
            - {function: count, as: n}
            - {column: qty, function: count_distinct, as: q}
        - id: wide
          type: Pivot
          input: deduped
          groupBy: [store]
          pivotColumn: qty
          valueColumn: price
          aggregation: max
          values: [1, 2, three, true]
        - id: long
          type: Unpivot
          input: wide
          columns: ["1", "2"]
          nameColumn: k
          valueColumn: v
          dropNulls: true
        - id: both
          type: Union
          inputs: [agg, agg]
          byName: false
          distinct: true
        - id: q
          type: Sql
          inputs: [both, long]
          sql: SELECT * FROM both
        - id: dq
          type: DataQuality
          input: q
          rules: |
            Rules = [ IsComplete "store", ReferentialIntegrity "store" "dim.store" = 1.0 ]
          action: quarantine
          quarantine: s3://processed/quarantine/sales/
          references: {dim: agg}
        - id: lake
          type: target
          input: dq
          iceberg: {database: lake, table: spotify, mode: merge, keys: [store], partitionBy: ["bucket(4, store)"], createIfMissing: false}
        - id: files
          type: target
          input: dq
          prefix: {uri: s3://processed/spotify/, format: csv, compression: gzip, partitionKeys: [store], register: {database: processed, table: spotify}}
      """;

  @Test
  void parsesEveryNodeTypeIntoTheModel() {
    JobDefinition job = JobParser.parse(FULL);
    assertThat(job.name()).isEqualTo("spotify_join");
    assertThat(job.settings())
        .isEqualTo(new JobSettings(Duration.ofMinutes(30), 1, BookmarkOption.ENABLE, 2));
    assertThat(job.defaultArguments()).containsExactly(Map.entry("source_bucket", "raw"));
    assertThat(job.nodes()).hasSize(21);
    assertThat(job.node("tracks"))
        .isEqualTo(
            new SourceNode(
                "tracks",
                new PrefixSource(
                    "s3://${source_bucket}/spotify/tracks/",
                    "csv",
                    Map.of("header", "true", "delimiter", ","))));
    assertThat(job.node("joined"))
        .isEqualTo(
            new TransformNode(
                "joined",
                "Join",
                List.of("tracks", "albums"),
                new Transform.Join(
                    Transform.JoinType.LEFT,
                    List.of(new Transform.JoinKey("album_id", "album_id")),
                    true)));
    assertThat(((TransformNode) job.node("filtered2")).transform())
        .isEqualTo(
            new Transform.Filter(
                null,
                List.of(
                    new Transform.FilterCondition(
                        "store", Transform.FilterOp.IN, List.of("a", "b")),
                    new Transform.FilterCondition(
                        "price", Transform.FilterOp.GE, new BigDecimal("1.5")),
                    new Transform.FilterCondition(
                        "album_title", Transform.FilterOp.IS_NOT_NULL, null)),
                Transform.Logic.OR));
    assertThat(((TransformNode) job.node("wide")).transform())
        .isEqualTo(
            new Transform.Pivot(
                List.of("store"),
                "qty",
                "price",
                Transform.AggFunction.MAX,
                List.of(BigDecimal.ONE, BigDecimal.valueOf(2), "three", true)));
    assertThat(((TransformNode) job.node("agg")).transform())
        .isEqualTo(
            new Transform.Aggregate(
                List.of("store"),
                List.of(
                    new Transform.Aggregation(null, Transform.AggFunction.COUNT, "n"),
                    new Transform.Aggregation("qty", Transform.AggFunction.COUNT_DISTINCT, "q"))));
    assertThat(job.node("dq"))
        .isEqualTo(
            new QualityNode(
                "dq",
                "q",
                "Rules = [ IsComplete \"store\", ReferentialIntegrity \"store\" \"dim.store\" = 1.0"
                    + " ]\n",
                QualityAction.QUARANTINE,
                "s3://processed/quarantine/sales/",
                Map.of("dim", "agg")));
    assertThat(job.node("dq").inputs()).containsExactly("q", "agg");
    assertThat(job.node("lake"))
        .isEqualTo(
            new TargetNode(
                "lake",
                "dq",
                new IcebergTarget(
                    "lake",
                    "spotify",
                    WriteMode.MERGE,
                    List.of("store"),
                    List.of("bucket(4, store)"),
                    false)));
    assertThat(job.node("files"))
        .isEqualTo(
            new TargetNode(
                "files",
                "dq",
                new PrefixTarget(
                    "s3://processed/spotify/",
                    "csv",
                    "gzip",
                    List.of("store"),
                    new CatalogRegistration("processed", "spotify"))));
  }

  @Test
  void roundTripsThroughJson() {
    JobDefinition job = JobParser.parse(FULL);
    JsonNode json = JobParser.toJson(job);
    assertThat(JobParser.parseJson(json)).isEqualTo(job);
    // JSON text is accepted by parse, and the JSON is stable
    assertThat(JobParser.parse(json.toString())).isEqualTo(job);
    assertThat(JobParser.toJson(JobParser.parseJson(json))).isEqualTo(json);
  }

  @Test
  void defaultsApply() {
    JobDefinition job =
        JobParser.parse(
            """
            name: minimal
            nodes:
              - {id: s, type: source, catalog: {database: d, table: t}}
              - {id: o, type: target, input: s, prefix: {uri: "s3://processed/o/"}}
            """);
    assertThat(job.settings()).isEqualTo(JobSettings.defaults());
    assertThat(job.settings().timeout()).isEqualTo(Duration.ofHours(48));
    assertThat(job.description()).isEmpty();
    assertThat(((TargetNode) job.node("o")).target())
        .isEqualTo(new PrefixTarget("s3://processed/o/", "parquet", "snappy", List.of(), null));
  }

  @Test
  void typeNamesAreCaseInsensitiveWithGlueAliases() {
    JobDefinition job =
        JobParser.parse(
            minimal("{id: x, type: changeschema, input: s, mappings: [{from: a, to: b}]}"));
    assertThat(job.node("x").type()).isEqualTo("ApplyMapping");
  }

  // ---- errors

  private static String minimal(String transform) {
    return "name: j\nnodes:\n"
        + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
        + "  - "
        + transform
        + "\n"
        + "  - {id: o, type: target, input: x, prefix: {uri: \"s3://processed/o/\"}}\n";
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> fails(String yaml) {
    return assertThatThrownBy(() -> JobParser.parse(yaml))
        .isInstanceOf(JobValidationException.class);
  }

  private static JobValidationException error(String yaml) {
    try {
      JobParser.parse(yaml);
    } catch (JobValidationException e) {
      return e;
    }
    throw new AssertionError("expected an error for\n" + yaml);
  }

  @Test
  void unknownTypeListsTheValidOnesWithPosition() {
    JobValidationException e = error(minimal("{id: x, type: Jion, inputs: [s, s]}"));
    assertThat(e.getMessage())
        .isEqualTo(
            "line 4:13: node 'x': field 'type' 'Jion' is not a node type (did you mean 'Join'?);"
                + " valid types: source, target, DataQuality, ApplyMapping, RenameField, Cast,"
                + " SelectFields, DropFields, Filter, Join, DropDuplicates, Aggregate, Union,"
                + " DerivedColumn, FillMissingValues, Pivot, Unpivot, Sql");
    assertThat(e.nodeId()).isEqualTo("x");
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_JOB);
    assertThat(e.line()).isEqualTo(4);
  }

  @Test
  void missingRequiredField() {
    fails(minimal("{id: x, type: RenameField, input: s, from: a}"))
        .hasMessage("line 4:5: node 'x' (RenameField): missing required field 'to'");
  }

  @Test
  void missingNestedField() {
    fails(
            "name: j\nnodes:\n  - id: s\n    type: source\n    prefix:\n      uri: s3://raw/x/\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n")
        .hasMessage("line 5:5: node 's' (source): missing required field 'prefix.format'");
  }

  @Test
  void unknownFieldIsRejectedWithTheValidOnes() {
    fails(minimal("{id: x, type: SelectFields, input: s, colums: [a]}"))
        .hasMessage(
            "line 4:43: node 'x' (SelectFields): field 'colums' unknown field (did you mean"
                + " 'columns'?); valid fields here include: id, type, inputs, input, columns");
  }

  @Test
  void duplicateIds() {
    fails(
            "name: j\nnodes:\n  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: s, type: source, catalog: {database: d, table: u}}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n")
        .hasMessage("line 4:6: node 's' (source): duplicate node id 's'; node ids must be unique");
  }

  @Test
  void badIdSyntax() {
    fails(minimal("{id: Bad-Id, type: SelectFields, input: s, columns: [a]}"))
        .hasMessageStartingWith(
            "line 4:6: node 'Bad-Id' (SelectFields): field 'id' 'Bad-Id' is not a valid node id:");
  }

  @Test
  void badEnumValue() {
    fails(minimal("{id: x, type: DropDuplicates, input: s, keys: [a], keep: middle}"))
        .hasMessage(
            "line 4:56: node 'x' (DropDuplicates): field 'keep' 'middle' is not one of first,"
                + " last");
    fails(minimal("{id: x, type: Join, inputs: [s, s], joinType: cross, on: [{left: a}]}"))
        .hasMessageContaining(
            "field 'joinType' 'cross' is not one of inner, left, right, full (outer), semi, anti");
    fails(
            "name: j\nsettings: {bookmarks: sometimes}\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n")
        .hasMessage(
            "line 2:12: job: field 'settings.bookmarks' 'sometimes' is not one of enable, disable,"
                + " pause");
  }

  @Test
  void cycleReportsThePath() {
    JobValidationException e =
        error(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: a, type: Union, inputs: [s, c]}\n"
                + "  - {id: b, type: SelectFields, input: a, columns: [x]}\n"
                + "  - {id: c, type: SelectFields, input: b, columns: [x]}\n"
                + "  - {id: o, type: target, input: c, prefix: {uri: \"s3://processed/o/\"}}\n");
    assertThat(e.getMessage())
        .isEqualTo(
            "line 5:33: node 'b' (SelectFields): the nodes form a cycle: b -> c -> a -> b; remove"
                + " one of these inputs so data flows one way");
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_GRAPH);
  }

  @Test
  void missingInputNamesTheKnownNodes() {
    fails(minimal("{id: x, type: SelectFields, input: ss, columns: [a]}"))
        .hasMessage(
            "line 4:33: node 'x' (SelectFields): input 'ss' is not a node of this job (did you"
                + " mean 's'?); nodes: s, x, o");
  }

  @Test
  void danglingNodeIsAnError() {
    fails(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: x, type: SelectFields, input: s, columns: [a]}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n")
        .hasMessage(
            "line 4:5: node 'x' (SelectFields): no node reads its output; every path must end in"
                + " a target (add a target with input: x, or remove the node)");
  }

  @Test
  void readingATargetIsAnError() {
    fails(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n"
                + "  - {id: x, type: SelectFields, input: o, columns: [a]}\n"
                + "  - {id: p, type: target, input: x, prefix: {uri: \"s3://processed/p/\"}}\n")
        .hasMessageContaining(
            "node 'x' (SelectFields): input 'o' is a target, which has no output; read the node"
                + " the target reads ('s') instead");
  }

  @Test
  void badDqdlSurfacesItsLineAndColumn() {
    JobValidationException e =
        error(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - id: x\n    type: DataQuality\n    input: s\n    rules: |\n"
                + "      Rules = [\n        IsComplete \"a\",\n        IsComplet \"b\"\n      ]\n"
                + "  - {id: o, type: target, input: x, prefix: {uri: \"s3://processed/o/\"}}\n");
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_RULES);
    assertThat(e.getMessage())
        .startsWith("line 7:5: node 'x' (DataQuality): field 'rules' is not valid DQDL: line 3:3:")
        .endsWith("(line 3 of the rules)");
  }

  @Test
  void mergeWithoutKeys() {
    fails(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: o, type: target, input: s, iceberg: {database: l, table: t, mode:"
                + " merge}}\n")
        .hasMessage(
            "line 4:70: node 'o' (target): field 'iceberg.mode' merge needs 'keys': list the"
                + " columns that identify a row, e.g. keys: [id]");
  }

  @Test
  void expressionWithASemicolon() {
    JobValidationException e =
        error(minimal("{id: x, type: Filter, input: s, condition: \"a > 1; DROP TABLE t\"}"));
    assertThat(e.code()).isEqualTo(JobErrorCode.INVALID_EXPRESSION);
    assertThat(e.getMessage())
        .isEqualTo(
            "line 4:37: node 'x' (Filter): field 'condition' is not a single SQL expression: it"
                + " contains ';' (one expression or query only, not statements)");
    // inside a string literal a semicolon is fine
    JobParser.parse(minimal("{id: x, type: Filter, input: s, condition: \"a = ';'\"}"));
    fails(minimal("{id: x, type: DerivedColumn, input: s, name: n, expression: \"(a\"}"))
        .hasMessageContaining("it has 1 unclosed '('");
    fails(minimal("{id: x, type: Sql, inputs: [s], sql: \"DELETE FROM s\"}"))
        .hasMessageContaining("must be a query starting with SELECT, WITH, FROM or VALUES");
  }

  @Test
  void inputCountsAreChecked() {
    fails(minimal("{id: x, type: Join, inputs: [s, s, s], on: [{left: a}]}"))
        .hasMessage(
            "line 4:25: node 'x' (Join): field 'inputs' lists 3 input(s); Join takes exactly 2"
                + " ([left, right])");
    fails(minimal("{id: x, type: Union, inputs: [s]}"))
        .hasMessageContaining("Union takes 2 or more");
  }

  @Test
  void quarantineNeedsAUri() {
    fails(
            minimal(
                "{id: x, type: DataQuality, input: s, rules: 'Rules = [ IsComplete \"a\" ]',"
                    + " action: quarantine}"))
        .hasMessageContaining(
            "node 'x' (DataQuality): field 'action' quarantine needs 'quarantine:"
                + " s3://bucket/prefix/'");
    fails(
            minimal(
                "{id: x, type: DataQuality, input: s, rules: 'Rules = [ IsComplete \"a\" ]',"
                    + " action: quarantine, quarantine: /tmp/q}"))
        .hasMessageContaining("field 'quarantine' '/tmp/q' must be an s3://bucket/prefix/ URI");
  }

  @Test
  void filterConditionValuesAreChecked() {
    fails(
            minimal(
                "{id: x, type: Filter, input: s, conditions: [{column: a, op: in, value: [b, null]}]}"))
        .hasMessageContaining(
            "field 'conditions[0].value[1]' must be a string, number or boolean, not null");
    fails(minimal("{id: x, type: Filter, input: s, conditions: [{column: a, op: in, value: 1}]}"))
        .hasMessageContaining("field 'conditions[0].value' must be a non-empty list for op 'in'");
    fails(minimal("{id: x, type: Filter, input: s, conditions: [{column: a, op: '~', value: 1}]}"))
        .hasMessageContaining(
            "field 'conditions[0].op' '~' is not one of =, !=, <, <=, >, >=, in, not in, like,"
                + " not like, is null, is not null");
  }

  @Test
  void invalidYamlHasAPosition() {
    JobValidationException e = error("name: j\nnodes: [\n  - {id: s\n");
    assertThat(e.getMessage()).startsWith("line ").contains("job: not valid YAML");
    assertThat(e.line()).isPositive();
    fails("name: j\nname: k\nnodes: []\n").hasMessageContaining("Duplicate field 'name'");
  }

  @Test
  void moreFieldErrors() {
    fails(minimal("{id: x, type: SelectFields, input: s, inputs: [s], columns: [a]}"))
        .hasMessageContaining("field 'input' give either 'input: id' or 'inputs: [ids]', not both");
    fails(
            "name: j\nowner: me\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n")
        .hasMessageStartingWith("line 2:1: job: field 'owner' unknown field; valid fields here:");
    fails(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t},"
                + " prefix: {uri: s3://raw/x/, format: csv}}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n")
        .hasMessageContaining("give exactly one of 'catalog: {database, table}' or 'prefix:");
    fails(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o\"}}\n")
        .hasMessageContaining(
            "field 'prefix.uri' 's3://processed/o' must be a prefix ending in '/'");
    fails(
            "name: j\nnodes:\n"
                + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
                + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://p/o/\", format: csv,"
                + " compression: snappy}}\n")
        .hasMessageContaining("field 'prefix.compression' 'snappy' is not one of none, gzip, zstd");
    fails(minimal("{id: x, type: Aggregate, input: s, aggregations: [{function: sum}]}"))
        .hasMessageContaining("missing required field 'aggregations[0].column'");
    fails("name: 'bad name'\nnodes: []\n").hasMessageContaining("is not a valid job name");
  }

  @Test
  void timeoutAcceptsMinutesAndDurations() {
    String nodes =
        "nodes:\n"
            + "  - {id: s, type: source, catalog: {database: d, table: t}}\n"
            + "  - {id: o, type: target, input: s, prefix: {uri: \"s3://processed/o/\"}}\n";
    assertThat(JobParser.parse("name: j\nsettings: {timeout: 90}\n" + nodes).settings().timeout())
        .isEqualTo(Duration.ofMinutes(90));
    assertThat(JobParser.parse("name: j\nsettings: {timeout: 2h}\n" + nodes).settings().timeout())
        .isEqualTo(Duration.ofHours(2));
    fails("name: j\nsettings: {timeout: soon}\n" + nodes)
        .hasMessageContaining("field 'settings.timeout' not a duration: 'soon'");
    fails("name: j\nsettings: {maxRetries: -1}\n" + nodes)
        .hasMessageContaining("field 'settings.maxRetries' must be at least 0, not -1");
  }

  @Test
  void jsonErrorsHaveNoPosition() {
    JsonNode json = JobParser.toJson(JobParser.parse(FULL));
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("nodes").get(2))
        .put("joinType", "x");
    assertThatThrownBy(() -> JobParser.parseJson(json))
        .hasMessageStartingWith("node 'joined' (Join): field 'joinType' 'x' is not one of");
  }
}
