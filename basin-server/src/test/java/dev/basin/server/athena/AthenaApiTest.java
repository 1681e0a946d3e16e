package dev.basin.server.athena;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Principal;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import dev.basin.server.aws.WireFormat;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlSession;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.SqlEngineConfig;
import dev.basin.sql.service.QueryService;
import dev.basin.sql.service.QueryServiceConfig;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Athena operations over a real query service and DuckDB engine, without HTTP. */
class AthenaApiTest {
  private static final Principal ME = new Principal("AKIDUSER", "us-east-1", "athena");

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();
  private LocalObjectStore store;
  private LakeCatalog catalog;
  private DuckDbSqlEngine engine;
  private QueryService queries;
  private AthenaApi api;

  @BeforeEach
  void open() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir), clock);
    for (String b : List.of("curated", "results")) {
      store.createBucket(b);
    }
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, clock);
    engine =
        DuckDbSqlEngine.open(
            SqlEngineConfig.defaults(dir).withThreads(2).withMemoryLimit("512MB"),
            catalog,
            store,
            clock);
    try (SqlSession s = engine.openSession(new SessionContext("setup", null))) {
      for (String sql :
          List.of(
              "CREATE DATABASE sales",
              "CREATE TABLE sales.orders AS SELECT range AS id, 'r' || (range % 3) AS region"
                  + " FROM range(2500)")) {
        try (ResultCursor c = s.execute(sql)) {
          while (c.next()) {
            // drain
          }
        }
      }
    }
    queries =
        QueryService.open(QueryServiceConfig.defaults(dir), engine, store, catalog.config(), clock);
    api = new AthenaApi(queries, clock);
  }

  @AfterEach
  void close() {
    queries.close();
    engine.close();
    catalog.close();
    store.close();
  }

  private JsonNode call(String op, String json) throws Exception {
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(w)) {
      g.writeStartObject();
      try {
        if (api.rawInputOperations().contains(op)) {
          api.handleRaw(op, json.getBytes(StandardCharsets.UTF_8), WireFormat.JSON, ME, g);
        } else {
          api.handle(op, new AwsInput(Json.mapper().readTree(json), WireFormat.JSON), ME, g);
        }
      } catch (BasinException e) {
        throw api.translate(e);
      }
      g.writeEndObject();
    }
    return Json.mapper().readTree(w.toByteArray());
  }

  private AwsErrorException error(String op, String json) {
    try {
      call(op, json);
    } catch (AwsErrorException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no error for " + op + " " + json);
  }

  private JsonNode waitFor(String id) throws Exception {
    queries.await(id, java.time.Duration.ofSeconds(60));
    return call("GetQueryExecution", "{\"QueryExecutionId\":\"" + id + "\"}").get("QueryExecution");
  }

  @Test
  void startPollAndPageResultsWithTheHeaderRowFirst() throws Exception {
    String id =
        call(
                "StartQueryExecution",
                "{\"QueryString\":\"SELECT id, region FROM orders ORDER BY id\","
                    + "\"QueryExecutionContext\":{\"Database\":\"sales\",\"Catalog\":\"AwsDataCatalog\"},"
                    + "\"ClientRequestToken\":\"11111111-2222-3333-4444-555555555555\"}")
            .get("QueryExecutionId")
            .asText();
    JsonNode e = waitFor(id);
    assertThat(e.at("/Status/State").asText()).isEqualTo("SUCCEEDED");
    assertThat(e.at("/Statistics/DataScannedInBytes").asLong()).isPositive();
    assertThat(e.at("/Statistics/EngineExecutionTimeInMillis").isNumber()).isTrue();
    assertThat(e.at("/Statistics/ResultReuseInformation/ReusedPreviousResult").asBoolean())
        .isFalse();
    assertThat(e.at("/ResultConfiguration/OutputLocation").asText())
        .isEqualTo("s3://results/" + id + ".csv");
    assertThat(e.at("/QueryExecutionContext/Database").asText()).isEqualTo("sales");
    assertThat(e.at("/StatementType").asText()).isEqualTo("DML");
    assertThat(e.at("/Status/SubmissionDateTime").isNumber()).isTrue();

    List<String> ids = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      JsonNode page =
          call(
              "GetQueryResults",
              "{\"QueryExecutionId\":\""
                  + id
                  + "\""
                  + (token == null ? "" : ",\"NextToken\":\"" + token + "\"")
                  + "}");
      JsonNode rows = page.at("/ResultSet/Rows");
      for (int i = 0; i < rows.size(); i++) {
        JsonNode data = rows.get(i).get("Data");
        if (pages == 0 && i == 0) {
          assertThat(data.get(0).get("VarCharValue").asText()).isEqualTo("id");
          assertThat(data.get(1).get("VarCharValue").asText()).isEqualTo("region");
          continue;
        }
        ids.add(data.get(0).get("VarCharValue").asText());
      }
      if (pages == 0) {
        assertThat(rows.size()).isEqualTo(1000);
        JsonNode cols = page.at("/ResultSet/ResultSetMetadata/ColumnInfo");
        assertThat(cols.get(0).get("Name").asText()).isEqualTo("id");
        assertThat(cols.get(0).get("Type").asText()).isEqualTo("bigint");
        assertThat(cols.get(1).get("Type").asText()).isEqualTo("varchar");
      }
      token = page.has("NextToken") ? page.get("NextToken").asText() : null;
      pages++;
    } while (token != null);
    assertThat(ids).hasSize(2500);
    assertThat(ids.get(0)).isEqualTo("0");
    assertThat(ids.get(2499)).isEqualTo("2499");
    assertThat(pages).isEqualTo(3);

    // the same token returns the same execution
    assertThat(
            call(
                    "StartQueryExecution",
                    "{\"QueryString\":\"SELECT id, region FROM orders ORDER BY id\","
                        + "\"QueryExecutionContext\":{\"Database\":\"sales\",\"Catalog\":\"AwsDataCatalog\"},"
                        + "\"ClientRequestToken\":\"11111111-2222-3333-4444-555555555555\"}")
                .get("QueryExecutionId")
                .asText())
        .isEqualTo(id);
  }

  @Test
  void maxResultsOfOneReturnsTheHeaderAloneThenRows() throws Exception {
    String id =
        call("StartQueryExecution", "{\"QueryString\":\"SELECT 7 AS x\"}")
            .get("QueryExecutionId")
            .asText();
    waitFor(id);
    JsonNode first =
        call("GetQueryResults", "{\"QueryExecutionId\":\"" + id + "\",\"MaxResults\":1}");
    assertThat(first.at("/ResultSet/Rows/0/Data/0/VarCharValue").asText()).isEqualTo("x");
    JsonNode second =
        call(
            "GetQueryResults",
            "{\"QueryExecutionId\":\""
                + id
                + "\",\"MaxResults\":1,\"NextToken\":\""
                + first.get("NextToken").asText()
                + "\"}");
    assertThat(second.at("/ResultSet/Rows/0/Data/0/VarCharValue").asText()).isEqualTo("7");
    assertThat(second.has("NextToken")).isFalse();
    assertThat(
            error("GetQueryResults", "{\"QueryExecutionId\":\"" + id + "\",\"MaxResults\":1001}")
                .code())
        .isEqualTo("InvalidRequestException");
  }

  @Test
  void failedQueriesCarryTheEnginesMessageAndAthenaError() throws Exception {
    String id =
        call(
                "StartQueryExecution",
                "{\"QueryString\":\"SELECT * FORM orders\",\"QueryExecutionContext\":{\"Database\":\"sales\"}}")
            .get("QueryExecutionId")
            .asText();
    JsonNode e = waitFor(id);
    assertThat(e.at("/Status/State").asText()).isEqualTo("FAILED");
    assertThat(e.at("/Status/StateChangeReason").asText()).startsWith("line 1:");
    assertThat(e.at("/Status/AthenaError/ErrorCategory").asInt()).isEqualTo(2);
    assertThat(e.at("/Status/AthenaError/ErrorMessage").asText()).startsWith("line 1:");
    AwsErrorException results = error("GetQueryResults", "{\"QueryExecutionId\":\"" + id + "\"}");
    assertThat(results.code()).isEqualTo("InvalidRequestException");
    assertThat(results.fields()).containsKey("AthenaErrorCode");
    assertThat(results.getMessage()).contains("FAILED");

    String missing =
        call("StartQueryExecution", "{\"QueryString\":\"SELECT * FROM sales.nope\"}")
            .get("QueryExecutionId")
            .asText();
    assertThat(waitFor(missing).at("/Status/StateChangeReason").asText()).contains("nope");
  }

  @Test
  void badRequestsGetAthenasErrorsAndRunNothing() {
    AwsErrorException db =
        error(
            "StartQueryExecution",
            "{\"QueryString\":\"SELECT 1\",\"QueryExecutionContext\":{\"Database\":\"x; DROP TABLE"
                + " sales.orders\"}}");
    assertThat(db.code()).isEqualTo("InvalidRequestException");
    assertThat(db.getMessage()).contains("invalid database name");
    AwsErrorException wg =
        error("StartQueryExecution", "{\"QueryString\":\"SELECT 1\",\"WorkGroup\":\"a' OR '1\"}");
    assertThat(wg.getMessage()).contains("invalid workgroup name");
    AwsErrorException param =
        error(
            "StartQueryExecution",
            "{\"QueryString\":\"SELECT ?\",\"ExecutionParameters\":[\"1); DROP TABLE t; --\"]}");
    assertThat(param.getMessage()).contains("execution parameter 1");
    assertThat(error("GetQueryExecution", "{\"QueryExecutionId\":\"nope\"}").getMessage())
        .isEqualTo("QueryExecution nope was not found");
    assertThat(error("StartQueryExecution", "{}").code()).isEqualTo("ValidationException");
    assertThat(
            error(
                    "StartQueryExecution",
                    "{\"QueryString\":\"SELECT 1\",\"ResultConfiguration\":{\"EncryptionConfiguration\":"
                        + "{\"EncryptionOption\":\"SSE_S3\"}}}")
                .getMessage())
        .contains("not supported by Basin");
    assertThat(queries.list(null, null, 100, null).items()).isEmpty();
    AwsErrorException busy =
        api.translate(
            new BasinException(
                dev.basin.sql.service.QueryErrorCode.TOO_MANY_QUERIES, "too many queries"));
    assertThat(busy.code()).isEqualTo("TooManyRequestsException");
    assertThat(busy.status()).isEqualTo(400);
  }

  @Test
  void workgroupsWithABytesLimitCancelQueriesAndListTheirHistory() throws Exception {
    call(
        "CreateWorkGroup",
        "{\"Name\":\"capped\",\"Description\":\"d\",\"Configuration\":{"
            + "\"ResultConfiguration\":{\"OutputLocation\":\"s3://results/capped/\"},"
            + "\"BytesScannedCutoffPerQuery\":10,\"EnforceWorkGroupConfiguration\":true}}");
    assertThat(error("CreateWorkGroup", "{\"Name\":\"capped\"}").getMessage())
        .contains("is already created");
    JsonNode wg = call("GetWorkGroup", "{\"WorkGroup\":\"capped\"}").get("WorkGroup");
    assertThat(wg.at("/Configuration/BytesScannedCutoffPerQuery").asLong()).isEqualTo(10);
    assertThat(wg.at("/State").asText()).isEqualTo("ENABLED");

    String id =
        call(
                "StartQueryExecution",
                "{\"QueryString\":\"SELECT * FROM sales.orders\",\"WorkGroup\":\"capped\"}")
            .get("QueryExecutionId")
            .asText();
    JsonNode e = waitFor(id);
    assertThat(e.at("/Status/State").asText()).isEqualTo("CANCELLED");
    assertThat(e.at("/Status/StateChangeReason").asText())
        .isEqualTo("Query cancelled! : Bytes scanned limit was exceeded");
    assertThat(e.at("/ResultConfiguration/OutputLocation").asText())
        .startsWith("s3://results/capped/");

    JsonNode list = call("ListQueryExecutions", "{\"WorkGroup\":\"capped\"}");
    assertThat(list.get("QueryExecutionIds")).hasSize(1);
    assertThat(call("ListQueryExecutions", "{}").get("QueryExecutionIds")).isEmpty();

    // raise the limit over 2^31 (a Long member)
    call(
        "UpdateWorkGroup",
        "{\"WorkGroup\":\"capped\",\"ConfigurationUpdates\":{\"BytesScannedCutoffPerQuery\":"
            + "10000000000}}");
    assertThat(
            call("GetWorkGroup", "{\"WorkGroup\":\"capped\"}")
                .at("/WorkGroup/Configuration/BytesScannedCutoffPerQuery")
                .asLong())
        .isEqualTo(10_000_000_000L);
    JsonNode groups = call("ListWorkGroups", "{}");
    assertThat(groups.get("WorkGroups").findValuesAsText("Name")).contains("primary", "capped");
    assertThat(error("DeleteWorkGroup", "{\"WorkGroup\":\"capped\"}").getMessage())
        .contains("recursively");
    call("DeleteWorkGroup", "{\"WorkGroup\":\"capped\",\"RecursiveDeleteOption\":true}");
    assertThat(error("GetWorkGroup", "{\"WorkGroup\":\"capped\"}").getMessage())
        .contains("WorkGroup capped is not found");
  }

  @Test
  void namedQueriesRoundTrip() throws Exception {
    String id =
        call(
                "CreateNamedQuery",
                "{\"Name\":\"by region\",\"Database\":\"sales\",\"QueryString\":\"SELECT region,"
                    + " count(*) FROM orders GROUP BY region\",\"Description\":\"d\"}")
            .get("NamedQueryId")
            .asText();
    JsonNode q = call("GetNamedQuery", "{\"NamedQueryId\":\"" + id + "\"}").get("NamedQuery");
    assertThat(q.get("Name").asText()).isEqualTo("by region");
    assertThat(q.get("WorkGroup").asText()).isEqualTo("primary");
    JsonNode batch = call("BatchGetNamedQuery", "{\"NamedQueryIds\":[\"" + id + "\",\"missing\"]}");
    assertThat(batch.get("NamedQueries")).hasSize(1);
    assertThat(batch.at("/UnprocessedNamedQueryIds/0/NamedQueryId").asText()).isEqualTo("missing");
    assertThat(call("ListNamedQueries", "{}").get("NamedQueryIds").get(0).asText()).isEqualTo(id);
    call(
        "UpdateNamedQuery",
        "{\"NamedQueryId\":\"" + id + "\",\"Name\":\"n2\",\"QueryString\":\"SELECT 2\"}");
    assertThat(
            call("GetNamedQuery", "{\"NamedQueryId\":\"" + id + "\"}")
                .at("/NamedQuery/Name")
                .asText())
        .isEqualTo("n2");
    call("DeleteNamedQuery", "{\"NamedQueryId\":\"" + id + "\"}");
    assertThat(error("GetNamedQuery", "{\"NamedQueryId\":\"" + id + "\"}").code())
        .isEqualTo("InvalidRequestException");
  }

  @Test
  void batchGetAndRuntimeStatisticsAndStop() throws Exception {
    String a =
        call("StartQueryExecution", "{\"QueryString\":\"SELECT 1\"}")
            .get("QueryExecutionId")
            .asText();
    waitFor(a);
    JsonNode batch =
        call("BatchGetQueryExecution", "{\"QueryExecutionIds\":[\"" + a + "\",\"gone\"]}");
    assertThat(batch.get("QueryExecutions")).hasSize(1);
    assertThat(batch.at("/UnprocessedQueryExecutionIds/0/QueryExecutionId").asText())
        .isEqualTo("gone");
    JsonNode stats = call("GetQueryRuntimeStatistics", "{\"QueryExecutionId\":\"" + a + "\"}");
    assertThat(stats.at("/QueryRuntimeStatistics/Rows/OutputRows").asLong()).isEqualTo(1);
    call("StopQueryExecution", "{\"QueryExecutionId\":\"" + a + "\"}");
    assertThat(waitFor(a).at("/Status/State").asText()).isEqualTo("SUCCEEDED");

    String again =
        call("StartQueryExecution", "{\"QueryString\":\"SELECT 1\"}")
            .get("QueryExecutionId")
            .asText();
    JsonNode reused = waitFor(again);
    assertThat(reused.at("/Statistics/ResultReuseInformation/ReusedPreviousResult").asBoolean())
        .isTrue();
    String off =
        call(
                "StartQueryExecution",
                "{\"QueryString\":\"SELECT 1\",\"ResultReuseConfiguration\":"
                    + "{\"ResultReuseByAgeConfiguration\":{\"Enabled\":false}}}")
            .get("QueryExecutionId")
            .asText();
    assertThat(
            waitFor(off).at("/Statistics/ResultReuseInformation/ReusedPreviousResult").asBoolean())
        .isFalse();
  }
}
