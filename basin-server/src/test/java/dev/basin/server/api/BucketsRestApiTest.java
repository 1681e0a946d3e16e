package dev.basin.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import dev.basin.server.s3.S3RestClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/v1/buckets}: buckets, objects, versions and lifecycle rules over HTTP in-process. */
class BucketsRestApiTest {
  private static final long LIMIT = 1024 * 1024;

  @TempDir static Path dir;
  private static BasinServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    server = TestServers.start(dir, Map.of("sql.threads", "1", "http.max-request-bytes", "1MiB"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpRequest.Builder request(String path, boolean authenticated) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
    if (authenticated) {
      b.header("Authorization", TestServers.bearer(server));
    }
    return b;
  }

  private static JsonNode send(String method, String path, String body, int status)
      throws Exception {
    return TestServers.json(server, method, path, body, status);
  }

  private static JsonNode upload(String bucket, String key, byte[] bytes, String type, int status)
      throws Exception {
    HttpRequest.Builder b =
        request(objects(bucket) + "/content?key=" + enc(key), true)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (type != null) {
      b.header("Content-Type", type);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Json.read(r.body(), JsonNode.class);
  }

  private static HttpResponse<byte[]> download(String bucket, String key, String versionId)
      throws Exception {
    String path =
        objects(bucket)
            + "/content?key="
            + enc(key)
            + (versionId == null ? "" : "&versionId=" + enc(versionId));
    return HTTP.send(request(path, true).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String objects(String bucket) {
    return "/api/v1/buckets/" + bucket + "/objects";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String code(JsonNode error) {
    return error.path("error").path("code").asText();
  }

  private static String message(JsonNode error) {
    return error.path("error").path("message").asText();
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(field == null ? n.asText() : n.path(field).asText()));
    return out;
  }

  @Test
  void createListBrowseDownloadAndDeleteBuckets() throws Exception {
    JsonNode created = send("POST", "/api/v1/buckets", "{`name`: `browse-me`}", 201);
    assertThat(created.path("name").asText()).isEqualTo("browse-me");
    assertThat(created.path("versioning").asText()).isEqualTo("UNVERSIONED");
    assertThat(texts(send("GET", "/api/v1/buckets", null, 200).path("buckets"), "name"))
        .contains("browse-me", "raw");

    byte[] csv = "id,name\n1,a\n2,b\n".getBytes(StandardCharsets.UTF_8);
    JsonNode put = upload("browse-me", "docs/a.csv", csv, "text/csv", 200);
    assertThat(put.path("size").asLong()).isEqualTo(csv.length);
    assertThat(put.path("contentType").asText()).isEqualTo("text/csv");
    upload("browse-me", "docs/b.html", "<script>alert(1)</script>".getBytes(), "text/html", 200);
    upload("browse-me", "docs/sub/c.txt", "c".getBytes(), null, 200);
    upload("browse-me", "top.txt", "top".getBytes(), "text/plain", 200);

    JsonNode root = send("GET", objects("browse-me") + "?delimiter=/", null, 200);
    assertThat(texts(root.path("folders"), null)).containsExactly("docs/");
    assertThat(texts(root.path("objects"), "key")).containsExactly("top.txt");
    assertThat(root.path("truncated").asBoolean()).isFalse();

    JsonNode docs = send("GET", objects("browse-me") + "?prefix=docs/&delimiter=/", null, 200);
    assertThat(texts(docs.path("folders"), null)).containsExactly("docs/sub/");
    assertThat(texts(docs.path("objects"), "key")).containsExactly("docs/a.csv", "docs/b.html");
    JsonNode a = docs.path("objects").get(0);
    assertThat(a.path("size").asLong()).isEqualTo(csv.length);
    assertThat(a.path("etag").asText()).isEqualTo(put.path("etag").asText());
    assertThat(a.path("storageClass").asText()).isEqualTo("STANDARD");
    assertThat(a.path("lastModified").asText()).isNotEmpty();

    // Paging by continuation token visits every key once, in order.
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      JsonNode page =
          send(
              "GET",
              objects("browse-me")
                  + "?maxKeys=1"
                  + (token == null ? "" : "&continuationToken=" + enc(token)),
              null,
              200);
      seen.addAll(texts(page.path("objects"), "key"));
      token = page.path("nextContinuationToken").asText(null);
      pages++;
    } while (token != null);
    assertThat(seen).containsExactly("docs/a.csv", "docs/b.html", "docs/sub/c.txt", "top.txt");
    assertThat(pages).isEqualTo(4);

    HttpResponse<byte[]> got = download("browse-me", "docs/a.csv", null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(csv);
    assertThat(got.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    assertThat(got.headers().firstValue("Content-Disposition").orElse(""))
        .startsWith("attachment; filename=\"a.csv\"");
    assertThat(got.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(got.headers().firstValue("Content-Security-Policy")).hasValue("sandbox");
    HttpResponse<byte[]> html = download("browse-me", "docs/b.html", null);
    assertThat(html.headers().firstValue("Content-Type")).hasValue("application/octet-stream");

    // The same bytes through the S3 API, signed with SigV4.
    S3RestClient s3 =
        new S3RestClient(URI.create("http://127.0.0.1:" + server.httpPort()), server.credentials());
    try (InputStream in = s3.get("browse-me", "docs/a.csv")) {
      assertThat(in.readAllBytes()).isEqualTo(csv);
    }

    JsonNode notEmpty = send("DELETE", "/api/v1/buckets/browse-me", null, 409);
    assertThat(code(notEmpty)).isEqualTo("BUCKET_NOT_EMPTY");
    for (String key : seen) {
      JsonNode d = send("DELETE", objects("browse-me") + "?key=" + enc(key), null, 200);
      assertThat(d.path("deleteMarker").asBoolean()).isFalse();
    }
    JsonNode gone = send("DELETE", objects("browse-me") + "?key=top.txt", null, 404);
    assertThat(code(gone)).isEqualTo("OBJECT_NOT_FOUND");
    send("DELETE", "/api/v1/buckets/browse-me", null, 204);
    assertThat(texts(send("GET", "/api/v1/buckets", null, 200).path("buckets"), "name"))
        .doesNotContain("browse-me");
  }

  @Test
  void versionsOfAReuploadedAndDeletedObject() throws Exception {
    JsonNode created =
        send("POST", "/api/v1/buckets", "{`name`: `versioned`, `versioning`: true}", 201);
    assertThat(created.path("versioning").asText()).isEqualTo("ENABLED");
    String v1 =
        upload("versioned", "r/report.txt", "one".getBytes(), "text/plain", 200)
            .path("versionId")
            .asText();
    String v2 =
        upload("versioned", "r/report.txt", "two!".getBytes(), "text/plain", 200)
            .path("versionId")
            .asText();
    assertThat(v1).isNotEqualTo(v2).isNotEqualTo("null");

    JsonNode versions = send("GET", objects("versioned") + "/versions?key=r/report.txt", null, 200);
    assertThat(texts(versions.path("versions"), "versionId")).containsExactly(v2, v1);
    assertThat(versions.path("versions").get(0).path("latest").asBoolean()).isTrue();
    assertThat(versions.path("versions").get(1).path("size").asLong()).isEqualTo(3);
    assertThat(download("versioned", "r/report.txt", v1).body()).isEqualTo("one".getBytes());
    assertThat(download("versioned", "r/report.txt", null).body()).isEqualTo("two!".getBytes());

    JsonNode deleted = send("DELETE", objects("versioned") + "?key=r/report.txt", null, 200);
    assertThat(deleted.path("deleteMarker").asBoolean()).isTrue();
    HttpResponse<byte[]> missing = download("versioned", "r/report.txt", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    JsonNode err = Json.mapper().readTree(missing.body());
    assertThat(code(err)).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(message(err)).contains("it was deleted");
    versions = send("GET", objects("versioned") + "/versions?key=r/report.txt", null, 200);
    assertThat(versions.path("versions")).hasSize(3);
    assertThat(versions.path("versions").get(0).path("deleteMarker").asBoolean()).isTrue();
    // Deleting the marker by its version id brings the object back.
    String marker = versions.path("versions").get(0).path("versionId").asText();
    send("DELETE", objects("versioned") + "?key=r/report.txt&versionId=" + enc(marker), null, 200);
    assertThat(download("versioned", "r/report.txt", null).body()).isEqualTo("two!".getBytes());

    JsonNode noVersion =
        Json.mapper().readTree(download("versioned", "r/report.txt", "nope").body());
    assertThat(code(noVersion)).isEqualTo("VERSION_NOT_FOUND");
    JsonNode noKey = send("GET", objects("versioned") + "/versions?key=r/other.txt", null, 404);
    assertThat(code(noKey)).isEqualTo("OBJECT_NOT_FOUND");
  }

  @Test
  void lifecycleRulesAreValidatedByTheStore() throws Exception {
    send("POST", "/api/v1/buckets", "{`name`: `aging`}", 201);
    String path = "/api/v1/buckets/aging/lifecycle";
    assertThat(send("GET", path, null, 200).path("rules")).isEmpty();

    JsonNode unknown =
        send("PUT", path, "{`rules`: [{`id`: `r1`, `enabled`: true, `expirationDay`: 3}]}", 400);
    assertThat(code(unknown)).isEqualTo("INVALID_LIFECYCLE");
    assertThat(message(unknown)).contains("unknown field 'expirationDay' at rules[0]");
    JsonNode noEnabled = send("PUT", path, "{`rules`: [{`id`: `r1`, `expirationDays`: 3}]}", 400);
    assertThat(message(noEnabled)).contains("rules[0].enabled is required");
    JsonNode badDays =
        send("PUT", path, "{`rules`: [{`id`: `r1`, `enabled`: true, `expirationDays`: -2}]}", 400);
    assertThat(code(badDays)).isEqualTo("INVALID_LIFECYCLE");
    assertThat(message(badDays)).contains("r1").contains("expirationDays");
    assertThat(send("GET", path, null, 200).path("rules")).isEmpty();

    JsonNode set =
        send(
            "PUT",
            path,
            "{`rules`: [{`id`: `expire-tmp`, `enabled`: true, `filter`: {`prefix`: `tmp/`},"
                + " `expirationDays`: 7}]}",
            200);
    assertThat(set.path("rules")).hasSize(1);
    JsonNode rule = send("GET", path, null, 200).path("rules").get(0);
    assertThat(rule.path("id").asText()).isEqualTo("expire-tmp");
    assertThat(rule.path("filter").path("prefix").asText()).isEqualTo("tmp/");
    assertThat(rule.path("expirationDays").asInt()).isEqualTo(7);
    assertThat(rule.has("transitionDays")).isFalse();

    send("DELETE", path, null, 204);
    assertThat(send("GET", path, null, 200).path("rules")).isEmpty();
    assertThat(code(send("GET", "/api/v1/buckets/nowhere/lifecycle", null, 404)))
        .isEqualTo("BUCKET_NOT_FOUND");
  }

  @Test
  void badInputAnswersInTheNativeErrorShape() throws Exception {
    JsonNode badName = send("POST", "/api/v1/buckets", "{`name`: `Bad_Name`}", 400);
    assertThat(code(badName)).isEqualTo("INVALID_BUCKET_NAME");
    assertThat(message(badName)).contains("Bad_Name");
    assertThat(code(send("POST", "/api/v1/buckets", "{}", 400))).isEqualTo("INVALID_ARGUMENT");
    assertThat(code(send("POST", "/api/v1/buckets", "{`name`: `raw`}", 409)))
        .isEqualTo("BUCKET_EXISTS");

    JsonNode noBucket = send("GET", objects("no-such-bucket"), null, 404);
    assertThat(code(noBucket)).isEqualTo("BUCKET_NOT_FOUND");
    assertThat(message(noBucket)).contains("'no-such-bucket'").contains("POST /api/v1/buckets");
    assertThat(code(upload("no-such-bucket", "k", "x".getBytes(), null, 404)))
        .isEqualTo("BUCKET_NOT_FOUND");
    assertThat(code(send("DELETE", "/api/v1/buckets/no-such-bucket", null, 404)))
        .isEqualTo("BUCKET_NOT_FOUND");

    JsonNode noKeyParam = send("GET", objects("raw") + "/content", null, 400);
    assertThat(code(noKeyParam)).isEqualTo("INVALID_ARGUMENT");
    assertThat(message(noKeyParam)).contains("key is required");
    JsonNode missing = Json.mapper().readTree(download("raw", "nothing/here.txt", null).body());
    assertThat(code(missing)).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(code(upload("raw", "/leading-slash", "x".getBytes(), null, 400)))
        .isEqualTo("INVALID_KEY");
    assertThat(code(send("GET", objects("raw") + "?maxKeys=0", null, 400)))
        .isEqualTo("INVALID_ARGUMENT");
    assertThat(code(send("GET", objects("raw") + "?continuationToken=%25%25", null, 400)))
        .isEqualTo("INVALID_ARGUMENT");

    // Larger than http.max-request-bytes, declared and streamed without a length: nothing stored.
    byte[] big = new byte[(int) LIMIT + 1];
    new Random(7).nextBytes(big);
    JsonNode tooBig = upload("raw", "big.bin", big, null, 413);
    assertThat(code(tooBig)).isEqualTo("OBJECT_TOO_LARGE");
    assertThat(message(tooBig)).contains("http.max-request-bytes").contains("S3 API");
    HttpResponse<String> chunked =
        HTTP.send(
            request(objects("raw") + "/content?key=big.bin", true)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
    assertThat(code(Json.read(chunked.body(), JsonNode.class))).isEqualTo("OBJECT_TOO_LARGE");
    assertThat(download("raw", "big.bin", null).statusCode()).isEqualTo(404);
    // Exactly at the limit is accepted.
    byte[] fits = java.util.Arrays.copyOf(big, (int) LIMIT);
    upload("raw", "fits.bin", fits, null, 200);
    assertThat(download("raw", "fits.bin", null).body()).isEqualTo(fits);

    HttpResponse<String> anonymous =
        HTTP.send(
            request("/api/v1/buckets", false).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(code(Json.read(anonymous.body(), JsonNode.class))).isEqualTo("UNAUTHENTICATED");
    HttpResponse<String> anonymousUpload =
        HTTP.send(
            request(objects("raw") + "/content?key=sneaky.txt", false)
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymousUpload.statusCode()).isEqualTo(401);
    assertThat(download("raw", "sneaky.txt", null).statusCode()).isEqualTo(404);
  }
}
