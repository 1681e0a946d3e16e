package dev.basin.server.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.server.iceberg.IcebergTestServer.Answer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Iceberg REST routes over a real JDBC catalog, checked at the HTTP level. */
class IcebergRestApiTest {
  static final String SCHEMA =
      "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
          + "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
          + "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
          + "{\"id\":3,\"name\":\"kind\",\"required\":false,\"type\":\"string\"}]}";
  static final String SPEC =
      "{\"spec-id\":0,\"fields\":[{\"source-id\":3,\"field-id\":1000,\"name\":\"kind\","
          + "\"transform\":\"identity\"}]}";

  @TempDir Path dir;
  IcebergTestServer server;

  @BeforeEach
  void start() {
    server = new IcebergTestServer(dir, true);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  static String createTable(String name) {
    return "{\"name\":\""
        + name
        + "\",\"schema\":"
        + SCHEMA
        + ",\"partition-spec\":"
        + SPEC
        + ",\"properties\":{\"owner\":\"test\"}}";
  }

  private void createNamespace(String... levels) {
    StringBuilder arr = new StringBuilder();
    for (String l : levels) {
      arr.append(arr.length() == 0 ? "" : ",").append('"').append(l).append('"');
    }
    Answer a = server.call("POST", "/v1/namespaces", "{\"namespace\":[" + arr + "]}");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.isArray() ? String.join(".", texts(n)) : n.asText()));
    return out;
  }

  private static void assertError(Answer a, int status, String type) {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    assertThat(a.json().path("error").path("code").asInt()).isEqualTo(status);
    assertThat(a.errorType()).isEqualTo(type);
    assertThat(a.errorMessage()).isNotBlank();
    assertThat(a.body()).doesNotContain("\tat ", "\"stack\"");
  }

  @Test
  void configAdvertisesEndpointsAndStorageDefaults() {
    Answer a = server.call("GET", "/v1/config", null);
    assertThat(a.status()).isEqualTo(200);
    assertThat(texts(a.json().get("endpoints")))
        .contains(
            "GET /v1/{prefix}/namespaces",
            "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "POST /v1/{prefix}/transactions/commit",
            "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
            "GET /v1/{prefix}/namespaces/{namespace}/views/{view}");
    assertThat(a.json().path("defaults").path("s3.endpoint").asText()).isEqualTo(server.baseUri());
    assertThat(a.json().path("defaults").path("s3.path-style-access").asText()).isEqualTo("true");
    assertThat(a.json().path("overrides").has("prefix")).isFalse();

    assertThat(server.call("GET", "/v1/config?warehouse=basin", null).status()).isEqualTo(200);
    assertThat(server.call("GET", "/v1/config?warehouse=s3://curated/warehouse/", null).status())
        .isEqualTo(200);
    Answer other = server.call("GET", "/v1/config?warehouse=s3://elsewhere", null);
    assertError(other, 400, "BadRequestException");
    assertThat(other.errorMessage()).contains("unknown warehouse", "basin");
  }

  @Test
  void namespaceLifecycle() {
    Answer created =
        server.call(
            "POST",
            "/v1/namespaces",
            "{\"namespace\":[\"sales\"],\"properties\":{\"owner\":\"ana\",\"tier\":\"gold\"}}");
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    assertThat(texts(created.json().get("namespace"))).containsExactly("sales");
    assertThat(created.json().path("properties").path("owner").asText()).isEqualTo("ana");

    assertError(
        server.call("POST", "/v1/namespaces", "{\"namespace\":[\"sales\"]}"),
        409,
        "AlreadyExistsException");
    assertError(
        server.call("POST", "/v1/namespaces", "{\"namespace\":[]}"), 400, "BadRequestException");

    Answer loaded = server.call("GET", "/v1/namespaces/sales", null);
    assertThat(loaded.status()).isEqualTo(200);
    assertThat(loaded.json().path("properties").path("tier").asText()).isEqualTo("gold");
    assertThat(server.call("HEAD", "/v1/namespaces/sales", null).status()).isEqualTo(204);
    assertThat(server.call("HEAD", "/v1/namespaces/nope", null).status()).isEqualTo(404);
    assertError(server.call("GET", "/v1/namespaces/nope", null), 404, "NoSuchNamespaceException");

    Answer update =
        server.call(
            "POST",
            "/v1/namespaces/sales/properties",
            "{\"removals\":[\"owner\",\"missing-key\"],\"updates\":{\"team\":\"lake\"}}");
    assertThat(update.status()).as(update.body()).isEqualTo(200);
    assertThat(texts(update.json().get("updated"))).containsExactly("team");
    assertThat(texts(update.json().get("removed"))).containsExactly("owner");
    assertThat(texts(update.json().get("missing"))).containsExactly("missing-key");
    JsonNode props = server.call("GET", "/v1/namespaces/sales", null).json().path("properties");
    assertThat(props.has("owner")).isFalse();
    assertThat(props.path("team").asText()).isEqualTo("lake");

    Answer overlap =
        server.call(
            "POST",
            "/v1/namespaces/sales/properties",
            "{\"removals\":[\"team\"],\"updates\":{\"team\":\"x\"}}");
    assertError(overlap, 422, "UnprocessableEntityException");
    assertError(
        server.call("POST", "/v1/namespaces/nope/properties", "{\"updates\":{\"a\":\"b\"}}"),
        404,
        "NoSuchNamespaceException");

    assertThat(server.call("POST", "/v1/namespaces/sales/tables", createTable("t")).status())
        .isEqualTo(200);
    Answer notEmpty = server.call("DELETE", "/v1/namespaces/sales", null);
    assertError(notEmpty, 409, "NamespaceNotEmptyException");
    assertThat(server.catalog.tableExists(TableIdentifier.of("sales", "t"))).isTrue();

    assertThat(server.call("DELETE", "/v1/namespaces/sales/tables/t", null).status())
        .isEqualTo(204);
    assertThat(server.call("DELETE", "/v1/namespaces/sales", null).status()).isEqualTo(204);
    assertError(
        server.call("DELETE", "/v1/namespaces/sales", null), 404, "NoSuchNamespaceException");
  }

  @Test
  void nestedNamespacesUseUnitSeparatorAndPage() {
    createNamespace("a");
    createNamespace("a", "b");
    createNamespace("a", "c");
    createNamespace("a", "d");
    createNamespace("z");

    assertThat(texts(server.call("GET", "/v1/namespaces", null).json().get("namespaces")))
        .containsExactlyInAnyOrder("a", "z");
    Answer children = server.call("GET", "/v1/namespaces?parent=a", null);
    assertThat(texts(children.json().get("namespaces")))
        .containsExactlyInAnyOrder("a.b", "a.c", "a.d");

    Answer page1 = server.call("GET", "/v1/namespaces?parent=a&pageSize=2", null);
    assertThat(page1.json().get("namespaces")).hasSize(2);
    String next = page1.json().path("next-page-token").asText();
    assertThat(next).isNotEmpty();
    Answer page2 = server.call("GET", "/v1/namespaces?parent=a&pageSize=2&pageToken=" + next, null);
    assertThat(page2.json().get("namespaces")).hasSize(1);
    assertThat(
            page2.json().path("next-page-token").isMissingNode()
                || page2.json().path("next-page-token").isNull())
        .isTrue();

    Answer nested = server.call("GET", "/v1/namespaces/a%1Fb", null);
    assertThat(nested.status()).as(nested.body()).isEqualTo(200);
    assertThat(texts(nested.json().get("namespace"))).containsExactly("a", "b");
    assertThat(server.call("POST", "/v1/namespaces/a%1Fb/tables", createTable("deep")).status())
        .isEqualTo(200);
    assertThat(server.catalog.tableExists(TableIdentifier.of(Namespace.of("a", "b"), "deep")))
        .isTrue();
    assertThat(server.call("HEAD", "/v1/namespaces/a%1fb/tables/deep", null).status())
        .isEqualTo(204);

    assertError(server.call("GET", "/v1/namespaces?pageSize=0", null), 400, "BadRequestException");
    assertError(
        server.call("GET", "/v1/namespaces?pageSize=2&pageToken=abc", null),
        400,
        "BadRequestException");
    assertError(
        server.call("GET", "/v1/namespaces?parent=nope", null), 404, "NoSuchNamespaceException");
  }

  @Test
  void tableLifecycle() throws Exception {
    createNamespace("db");
    Answer created = server.call("POST", "/v1/namespaces/db/tables", createTable("events"));
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    String location = created.json().path("metadata-location").asText();
    assertThat(location).endsWith(".metadata.json");
    JsonNode config = created.json().path("config");
    assertThat(config.path("s3.endpoint").asText()).isEqualTo(server.baseUri());
    assertThat(config.path("s3.path-style-access").asText()).isEqualTo("true");
    assertThat(config.path("client.region").asText()).isEqualTo("us-east-1");
    assertThat(config.path("s3.access-key-id").asText())
        .isEqualTo(IcebergTestServer.CREDENTIALS.accessKeyId());
    assertThat(config.path("s3.secret-access-key").asText())
        .isEqualTo(IcebergTestServer.CREDENTIALS.secretAccessKey());
    JsonNode metadata = created.json().path("metadata");
    assertThat(metadata.path("partition-specs").get(0).path("fields").get(0).path("name").asText())
        .isEqualTo("kind");
    assertThat(metadata.path("properties").path("owner").asText()).isEqualTo("test");

    assertError(
        server.call("POST", "/v1/namespaces/db/tables", createTable("events")),
        409,
        "AlreadyExistsException");
    assertError(
        server.call("POST", "/v1/namespaces/nope/tables", createTable("x")),
        404,
        "NoSuchNamespaceException");

    Answer loaded = server.call("GET", "/v1/namespaces/db/tables/events", null);
    assertThat(loaded.status()).isEqualTo(200);
    assertThat(loaded.json().path("metadata-location").asText()).isEqualTo(location);
    assertThat(loaded.json().path("config").path("s3.endpoint").asText())
        .isEqualTo(server.baseUri());
    assertThat(server.call("GET", "/v1/namespaces/db/tables/events?snapshots=refs", null).status())
        .isEqualTo(200);
    assertError(
        server.call("GET", "/v1/namespaces/db/tables/events?snapshots=some", null),
        400,
        "BadRequestException");
    assertThat(server.call("HEAD", "/v1/namespaces/db/tables/events", null).status())
        .isEqualTo(204);
    assertThat(server.call("HEAD", "/v1/namespaces/db/tables/nope", null).status()).isEqualTo(404);
    assertError(
        server.call("GET", "/v1/namespaces/db/tables/nope", null), 404, "NoSuchTableException");

    Answer creds = server.call("GET", "/v1/namespaces/db/tables/events/credentials", null);
    assertThat(creds.status()).as(creds.body()).isEqualTo(200);
    JsonNode credential = creds.json().path("storage-credentials").get(0);
    assertThat(credential.path("prefix").asText()).isEqualTo(metadata.path("location").asText());
    assertThat(credential.path("config").path("s3.access-key-id").asText())
        .isEqualTo(IcebergTestServer.CREDENTIALS.accessKeyId());

    for (String t : List.of("b", "c")) {
      assertThat(server.call("POST", "/v1/namespaces/db/tables", createTable(t)).status())
          .isEqualTo(200);
    }
    assertThat(
            texts(server.call("GET", "/v1/namespaces/db/tables", null).json().get("identifiers")))
        .hasSize(3);
    Answer page1 = server.call("GET", "/v1/namespaces/db/tables?pageSize=2", null);
    assertThat(page1.json().get("identifiers")).hasSize(2);
    Answer page2 =
        server.call(
            "GET",
            "/v1/namespaces/db/tables?pageSize=2&pageToken="
                + page1.json().path("next-page-token").asText(),
            null);
    assertThat(page2.json().get("identifiers")).hasSize(1);
    assertError(
        server.call("GET", "/v1/namespaces/nope/tables", null), 404, "NoSuchNamespaceException");

    Answer renamed =
        server.call(
            "POST",
            "/v1/tables/rename",
            "{\"source\":{\"namespace\":[\"db\"],\"name\":\"events\"},"
                + "\"destination\":{\"namespace\":[\"db\"],\"name\":\"events2\"}}");
    assertThat(renamed.status()).as(renamed.body()).isEqualTo(204);
    assertThat(server.call("HEAD", "/v1/namespaces/db/tables/events", null).status())
        .isEqualTo(404);
    assertThat(server.call("HEAD", "/v1/namespaces/db/tables/events2", null).status())
        .isEqualTo(204);
    assertError(
        server.call(
            "POST",
            "/v1/tables/rename",
            "{\"source\":{\"namespace\":[\"db\"],\"name\":\"events\"},"
                + "\"destination\":{\"namespace\":[\"db\"],\"name\":\"x\"}}"),
        404,
        "NoSuchTableException");
    assertError(
        server.call(
            "POST",
            "/v1/tables/rename",
            "{\"source\":{\"namespace\":[\"db\"],\"name\":\"b\"},"
                + "\"destination\":{\"namespace\":[\"db\"],\"name\":\"c\"}}"),
        409,
        "AlreadyExistsException");

    // drop without purge keeps the files, so the table can be registered again
    assertThat(server.call("DELETE", "/v1/namespaces/db/tables/events2", null).status())
        .isEqualTo(204);
    assertThat(Files.exists(Path.of(URI.create(location)))).isTrue();
    Answer registered =
        server.call(
            "POST",
            "/v1/namespaces/db/register",
            "{\"name\":\"restored\",\"metadata-location\":\"" + location + "\"}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(200);
    assertThat(registered.json().path("metadata-location").asText()).isEqualTo(location);
    assertThat(registered.json().path("config").path("s3.endpoint").asText()).isNotEmpty();
    assertError(
        server.call(
            "POST",
            "/v1/namespaces/db/register",
            "{\"name\":\"restored\",\"metadata-location\":\"" + location + "\"}"),
        409,
        "AlreadyExistsException");

    Answer purged =
        server.call("DELETE", "/v1/namespaces/db/tables/restored?purgeRequested=true", null);
    assertThat(purged.status()).isEqualTo(204);
    assertThat(Files.exists(Path.of(URI.create(location)))).isFalse();
    assertError(
        server.call("DELETE", "/v1/namespaces/db/tables/restored", null),
        404,
        "NoSuchTableException");
  }

  @Test
  void stageCreateReturnsMetadataWithoutCreatingTheTable() {
    createNamespace("db");
    String body = createTable("staged").replace("{\"name\"", "{\"stage-create\":true,\"name\"");
    Answer staged = server.call("POST", "/v1/namespaces/db/tables", body);
    assertThat(staged.status()).as(staged.body()).isEqualTo(200);
    assertThat(staged.json().path("metadata").path("location").asText()).contains("staged");
    assertThat(staged.json().has("metadata-location")).isFalse();
    assertThat(staged.json().path("config").path("s3.endpoint").asText()).isNotEmpty();
    assertThat(server.call("HEAD", "/v1/namespaces/db/tables/staged", null).status())
        .isEqualTo(404);

    Answer commit =
        server.call(
            "POST",
            "/v1/namespaces/db/tables/staged",
            "{\"requirements\":[{\"type\":\"assert-create\"}],\"updates\":["
                + "{\"action\":\"assign-uuid\",\"uuid\":\"2d0f4c3a-7f3c-4d5e-9a1b-1c2d3e4f5a6b\"},"
                + "{\"action\":\"upgrade-format-version\",\"format-version\":2},"
                + "{\"action\":\"add-schema\",\"schema\":"
                + SCHEMA
                + ",\"last-column-id\":3},"
                + "{\"action\":\"set-current-schema\",\"schema-id\":-1},"
                + "{\"action\":\"add-spec\",\"spec\":"
                + SPEC
                + "},{\"action\":\"set-default-spec\",\"spec-id\":-1},"
                + "{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":0,\"fields\":[]}},"
                + "{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1},"
                + "{\"action\":\"set-location\",\"location\":\""
                + staged.json().path("metadata").path("location").asText()
                + "\"}]}");
    assertThat(commit.status()).as(commit.body()).isEqualTo(200);
    Table table = server.catalog.loadTable(TableIdentifier.of("db", "staged"));
    assertThat(table.schema().columns()).hasSize(3);
    assertThat(table.spec().fields()).hasSize(1);
    assertError(
        server.call(
            "POST",
            "/v1/namespaces/nope/tables/staged",
            "{\"requirements\":[{\"type\":\"assert-create\"}],\"updates\":[]}"),
        404,
        "NoSuchNamespaceException");
  }

  private static String addColumn(String column, int schemaId) {
    return "{\"requirements\":[{\"type\":\"assert-current-schema-id\",\"current-schema-id\":0},"
        + "{\"type\":\"assert-last-assigned-field-id\",\"last-assigned-field-id\":3}],"
        + "\"updates\":[{\"action\":\"add-schema\",\"schema\":{\"type\":\"struct\",\"schema-id\":"
        + schemaId
        + ",\"fields\":["
        + "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
        + "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
        + "{\"id\":3,\"name\":\"kind\",\"required\":false,\"type\":\"string\"},"
        + "{\"id\":4,\"name\":\""
        + column
        + "\",\"required\":false,\"type\":\"string\"}]},\"last-column-id\":4},"
        + "{\"action\":\"set-current-schema\",\"schema-id\":-1}]}";
  }

  @Test
  void secondCommitFromTheSameBaseConflicts() {
    createNamespace("db");
    server.call("POST", "/v1/namespaces/db/tables", createTable("t"));
    Answer first = server.call("POST", "/v1/namespaces/db/tables/t", addColumn("first", 1));
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    String location = first.json().path("metadata-location").asText();

    Answer second = server.call("POST", "/v1/namespaces/db/tables/t", addColumn("second", 1));
    assertError(second, 409, "CommitFailedException");
    assertThat(second.errorMessage()).contains("schema");

    Table table = server.catalog.loadTable(TableIdentifier.of("db", "t"));
    assertThat(table.schema().findField("first")).isNotNull();
    assertThat(table.schema().findField("second")).isNull();
    assertThat(
            server
                .call("GET", "/v1/namespaces/db/tables/t", null)
                .json()
                .path("metadata-location")
                .asText())
        .isEqualTo(location);
  }

  @Test
  void invalidSchemaUpdatesAreBadRequests() {
    createNamespace("db");
    server.call("POST", "/v1/namespaces/db/tables", createTable("t"));
    String before =
        server
            .call("GET", "/v1/namespaces/db/tables/t", null)
            .json()
            .path("metadata-location")
            .asText();

    Answer unknownSchema =
        server.call(
            "POST",
            "/v1/namespaces/db/tables/t",
            "{\"requirements\":[],\"updates\":[{\"action\":\"set-current-schema\",\"schema-id\":42}]}");
    assertError(unknownSchema, 400, "IllegalArgumentException");
    assertThat(unknownSchema.errorMessage()).contains("42");

    Answer badType =
        server.call(
            "POST",
            "/v1/namespaces/db/tables/t",
            "{\"requirements\":[],\"updates\":[{\"action\":\"add-schema\",\"schema\":{\"type\":"
                + "\"struct\",\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":true,"
                + "\"type\":\"decimal(x)\"}]}}]}");
    assertThat(badType.status()).as(badType.body()).isEqualTo(400);
    assertThat(badType.errorMessage()).contains("decimal(x)");
    assertThat(badType.body()).doesNotContain("\tat ");

    Answer duplicateIds =
        server.call(
            "POST",
            "/v1/namespaces/db/tables/t",
            "{\"requirements\":[],\"updates\":[{\"action\":\"add-schema\",\"schema\":{\"type\":"
                + "\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":true,"
                + "\"type\":\"long\"},{\"id\":1,\"name\":\"b\",\"required\":true,"
                + "\"type\":\"long\"}]}}]}");
    assertThat(duplicateIds.status()).as(duplicateIds.body()).isEqualTo(400);

    Answer unknownAction =
        server.call(
            "POST",
            "/v1/namespaces/db/tables/t",
            "{\"requirements\":[],\"updates\":[{\"action\":\"make-it-fast\"}]}");
    assertThat(unknownAction.status()).as(unknownAction.body()).isEqualTo(400);

    assertThat(
            server
                .call("GET", "/v1/namespaces/db/tables/t", null)
                .json()
                .path("metadata-location")
                .asText())
        .isEqualTo(before);
  }

  private static String tableChange(String table, String uuid, String key) {
    return "{\"identifier\":{\"namespace\":[\"db\"],\"name\":\""
        + table
        + "\"},\"requirements\":[{\"type\":\"assert-table-uuid\",\"uuid\":\""
        + uuid
        + "\"}],\"updates\":[{\"action\":\"set-properties\",\"updates\":{\""
        + key
        + "\":\"yes\"}}]}";
  }

  @Test
  void transactionCommitsSeveralTablesOrNoneWhenARequirementFails() {
    createNamespace("db");
    String u1 =
        server
            .call("POST", "/v1/namespaces/db/tables", createTable("t1"))
            .json()
            .path("metadata")
            .path("table-uuid")
            .asText();
    String u2 =
        server
            .call("POST", "/v1/namespaces/db/tables", createTable("t2"))
            .json()
            .path("metadata")
            .path("table-uuid")
            .asText();

    Answer ok =
        server.call(
            "POST",
            "/v1/transactions/commit",
            "{\"table-changes\":["
                + tableChange("t1", u1, "a")
                + ","
                + tableChange("t2", u2, "a")
                + "]}");
    assertThat(ok.status()).as(ok.body()).isEqualTo(204);
    assertThat(server.catalog.loadTable(TableIdentifier.of("db", "t1")).properties())
        .containsKey("a");
    assertThat(server.catalog.loadTable(TableIdentifier.of("db", "t2")).properties())
        .containsKey("a");

    Answer failed =
        server.call(
            "POST",
            "/v1/transactions/commit",
            "{\"table-changes\":["
                + tableChange("t1", u1, "b")
                + ","
                + tableChange("t2", "00000000-0000-0000-0000-000000000000", "b")
                + "]}");
    assertError(failed, 409, "CommitFailedException");
    assertThat(server.catalog.loadTable(TableIdentifier.of("db", "t1")).properties())
        .doesNotContainKey("b");

    assertError(
        server.call(
            "POST",
            "/v1/transactions/commit",
            "{\"table-changes\":[" + tableChange("missing", u1, "b") + "]}"),
        404,
        "NoSuchTableException");
  }

  @Test
  void malformedRequestsAndUnknownRoutes() {
    Answer badJson = server.call("POST", "/v1/namespaces", "{\"namespace\": [");
    assertError(badJson, 400, "BadRequestException");
    assertError(server.call("POST", "/v1/namespaces", null), 400, "BadRequestException");
    assertError(
        server.call("POST", "/v1/namespaces", "{\"namespace\": \"notalist\"}"),
        400,
        "BadRequestException");
    assertError(server.call("GET", "/v1/nothing-here", null), 404, "NotFoundException");
    assertError(server.call("GET", "/v2/config", null), 404, "NotFoundException");
    assertError(
        server.call("GET", "/v1/namespaces/db/tables/t/snapshots", null), 404, "NotFoundException");
    assertError(server.call("DELETE", "/v1/config", null), 405, "MethodNotAllowedException");
    assertError(server.call("GET", "/v1/tables/rename", null), 405, "MethodNotAllowedException");
  }

  @Test
  void viewsAreServedWhenTheCatalogSupportsThem() throws Exception {
    assertThat(server.api.viewsSupported()).isTrue();
    try (IcebergTestServer noViews = new IcebergTestServer(dir.resolve("v0"), false)) {
      assertThat(noViews.api.viewsSupported()).isFalse();
      Answer config = noViews.call("GET", "/v1/config", null);
      assertThat(texts(config.json().get("endpoints")))
          .noneMatch(e -> e.contains("views"))
          .contains("GET /v1/{prefix}/namespaces/{namespace}/tables");
      assertError(
          noViews.call("GET", "/v1/namespaces/db/views", null),
          406,
          "UnsupportedOperationException");
    }
  }
}
