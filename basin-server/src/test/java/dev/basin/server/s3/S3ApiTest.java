package dev.basin.server.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.server.auth.Credentials;
import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.DeleteResult;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.PartInfo;
import dev.basin.spi.storage.PutOptions;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersioningStatus;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 adapter over a real {@link LocalObjectStore}, served by Javalin on a free port without
 * authentication, checked with raw HTTP: delete-marker answers and in-place object tagging.
 */
class S3ApiTest {
  private static final String B = "bkt";

  @TempDir Path dir;
  private LocalObjectStore store;
  private Javalin http;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir), Clock.systemUTC());
    store.createBucket(B);
    store.setVersioning(B, VersioningStatus.ENABLED);
    S3Api api =
        new S3Api(
            store,
            new Credentials("BASINTESTKEY00000001", "testSecret/0123456789abcdefghijklmnopqrstu"),
            false,
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            "000000000000");
    http =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.startup.showOldJavalinVersionWarning = false;
                  S3Api.configureJetty(cfg.jetty);
                  cfg.jetty.host = "127.0.0.1";
                  cfg.jetty.port = 0;
                  api.register(cfg.routes);
                })
            .start();
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.stop();
    }
    if (store != null) {
      store.close();
    }
  }

  private HttpResponse<String> send(String method, String pathAndQuery, String body)
      throws Exception {
    return send(method, pathAndQuery, body, Map.of());
  }

  private HttpResponse<String> send(
      String method, String pathAndQuery, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + pathAndQuery))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private ObjectInfo put(String key, String data) {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    return store.put(B, key, new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private static String tagging(String key, String value) {
    return "<Tagging><TagSet><Tag><Key>"
        + key
        + "</Key><Value>"
        + value
        + "</Value></Tag></TagSet></Tagging>";
  }

  private int versionCount() {
    return store
        .listVersions(B, new VersionListRequest("", null, null, null, 1000))
        .versions()
        .size();
  }

  @Test
  void readsOfACurrentDeleteMarkerAreNoSuchKeyWithMarkerHeaders() throws Exception {
    put("k", "one");
    DeleteResult marker = store.delete(B, "k", null);

    HttpResponse<String> get = send("GET", "/" + B + "/k", null);
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(get.body()).contains("<Code>NoSuchKey</Code>").contains("<Key>k</Key>");
    assertThat(header(get, "x-amz-delete-marker")).isEqualTo("true");
    assertThat(header(get, "x-amz-version-id")).isEqualTo(marker.versionId());

    HttpResponse<String> head = send("HEAD", "/" + B + "/k", null);
    assertThat(head.statusCode()).isEqualTo(404);
    assertThat(head.body()).isEmpty();
    assertThat(header(head, "x-amz-delete-marker")).isEqualTo("true");
    assertThat(header(head, "x-amz-version-id")).isEqualTo(marker.versionId());

    HttpResponse<String> never = send("GET", "/" + B + "/never", null);
    assertThat(never.statusCode()).isEqualTo(404);
    assertThat(header(never, "x-amz-delete-marker")).isNull();
    assertThat(header(never, "x-amz-version-id")).isNull();
  }

  @Test
  void readsOfAMarkerByVersionIdAreMethodNotAllowed() throws Exception {
    ObjectInfo one = put("k", "one");
    DeleteResult marker = store.delete(B, "k", null);
    String path = "/" + B + "/k?versionId=" + marker.versionId();

    HttpResponse<String> get = send("GET", path, null);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.body())
        .contains("<Code>MethodNotAllowed</Code>")
        .contains("<Method>GET</Method>")
        .contains("<ResourceType>DeleteMarker</ResourceType>");
    assertThat(header(get, "x-amz-delete-marker")).isEqualTo("true");
    assertThat(header(get, "x-amz-version-id")).isEqualTo(marker.versionId());
    assertThat(header(get, "Last-Modified")).isNotBlank();

    HttpResponse<String> head = send("HEAD", path, null);
    assertThat(head.statusCode()).isEqualTo(405);
    assertThat(head.body()).isEmpty();
    assertThat(header(head, "x-amz-delete-marker")).isEqualTo("true");
    assertThat(header(head, "x-amz-version-id")).isEqualTo(marker.versionId());
    assertThat(header(head, "Last-Modified")).isEqualTo(header(get, "Last-Modified"));

    // the version under the marker is readable, and answers without marker headers
    HttpResponse<String> older = send("GET", "/" + B + "/k?versionId=" + one.versionId(), null);
    assertThat(older.statusCode()).isEqualTo(200);
    assertThat(older.body()).isEqualTo("one");
    assertThat(header(older, "x-amz-delete-marker")).isNull();

    // copying from a marker is S3's InvalidRequest, without marker headers
    HttpResponse<String> copy =
        send(
            "PUT",
            "/" + B + "/copy",
            null,
            Map.of("x-amz-copy-source", "/" + B + "/" + "k?versionId=" + marker.versionId()));
    assertThat(copy.statusCode()).isEqualTo(400);
    assertThat(copy.body()).contains("<Code>InvalidRequest</Code>");
    assertThat(header(copy, "x-amz-delete-marker")).isNull();
  }

  @Test
  void taggingChangesTagsInPlace() throws Exception {
    MultipartUpload u = store.createMultipartUpload(B, "mp", PutOptions.defaults());
    byte[] part = "part".getBytes(StandardCharsets.UTF_8);
    PartInfo p =
        store.uploadPart(
            B, "mp", u.uploadId(), 1, new ByteArrayInputStream(part), part.length, null);
    ObjectInfo done =
        store.completeMultipartUpload(
            B, "mp", u.uploadId(), List.of(new CompletedPart(1, p.etag())));
    HttpResponse<String> before = send("HEAD", "/" + B + "/mp", null);
    int versions = versionCount();

    HttpResponse<String> put = send("PUT", "/" + B + "/mp?tagging", tagging("tier", "cold"));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(header(put, "x-amz-version-id")).isEqualTo(done.versionId());
    HttpResponse<String> after = send("HEAD", "/" + B + "/mp", null);
    assertThat(header(after, "ETag")).isEqualTo("\"" + done.etag() + "\"").endsWith("-1\"");
    assertThat(header(after, "Last-Modified")).isEqualTo(header(before, "Last-Modified"));
    assertThat(header(after, "x-amz-version-id")).isEqualTo(done.versionId());
    assertThat(header(after, "x-amz-tagging-count")).isEqualTo("1");
    assertThat(send("GET", "/" + B + "/mp?tagging", null).body())
        .contains("<Key>tier</Key><Value>cold</Value>");
    assertThat(versionCount()).isEqualTo(versions);

    HttpResponse<String> delete = send("DELETE", "/" + B + "/mp?tagging", null);
    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(send("GET", "/" + B + "/mp?tagging", null).body()).doesNotContain("<Tag>");
    assertThat(header(send("HEAD", "/" + B + "/mp", null), "ETag"))
        .isEqualTo("\"" + done.etag() + "\"");
    assertThat(versionCount()).isEqualTo(versions);
  }

  @Test
  void taggingANoncurrentVersionOrAMarker() throws Exception {
    ObjectInfo one = put("k", "one");
    ObjectInfo two = put("k", "two");

    HttpResponse<String> put =
        send("PUT", "/" + B + "/k?tagging&versionId=" + one.versionId(), tagging("v", "1"));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(header(put, "x-amz-version-id")).isEqualTo(one.versionId());
    assertThat(send("GET", "/" + B + "/k?tagging&versionId=" + one.versionId(), null).body())
        .contains("<Key>v</Key><Value>1</Value>");
    assertThat(send("GET", "/" + B + "/k?tagging", null).body()).doesNotContain("<Tag>");
    assertThat(store.head(B, "k", null).versionId()).isEqualTo(two.versionId());
    assertThat(versionCount()).isEqualTo(2);

    DeleteResult marker = store.delete(B, "k", null);
    HttpResponse<String> onMarker =
        send("PUT", "/" + B + "/k?tagging&versionId=" + marker.versionId(), tagging("a", "b"));
    assertThat(onMarker.statusCode()).isEqualTo(405);
    assertThat(onMarker.body()).contains("<Code>MethodNotAllowed</Code>");
    assertThat(header(onMarker, "x-amz-delete-marker")).isEqualTo("true");
    HttpResponse<String> onDeleted = send("PUT", "/" + B + "/k?tagging", tagging("a", "b"));
    assertThat(onDeleted.statusCode()).isEqualTo(404);
    assertThat(onDeleted.body()).contains("<Code>NoSuchKey</Code>");
    HttpResponse<String> tooLong =
        send(
            "PUT",
            "/" + B + "/k?tagging&versionId=" + two.versionId(),
            tagging("x".repeat(129), "b"));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body()).contains("<Code>InvalidArgument</Code>");
    assertThat(versionCount()).isEqualTo(3);
  }

  @Test
  void objectReadsForbidSniffingAndSandboxScriptsOnTheConsoleOrigin() throws Exception {
    byte[] html = "<script>fetch('/ui/api/session')</script>".getBytes(StandardCharsets.UTF_8);
    store.put(
        B,
        "page.html",
        new ByteArrayInputStream(html),
        html.length,
        PutOptions.of(dev.basin.spi.storage.ObjectMetadata.ofContentType("text/html")));

    for (String method : List.of("GET", "HEAD")) {
      HttpResponse<String> r = send(method, "/" + B + "/page.html", null);
      assertThat(r.statusCode()).as(method).isEqualTo(200);
      assertThat(header(r, "Content-Type")).as(method).startsWith("text/html");
      assertThat(header(r, "X-Content-Type-Options")).as(method).isEqualTo("nosniff");
      assertThat(header(r, "Content-Security-Policy")).as(method).isEqualTo("sandbox");
    }
    HttpResponse<String> ranged =
        send("GET", "/" + B + "/page.html", null, Map.of("Range", "bytes=0-7"));
    assertThat(ranged.statusCode()).isEqualTo(206);
    assertThat(header(ranged, "Content-Security-Policy")).isEqualTo("sandbox");
    HttpResponse<String> overridden =
        send("GET", "/" + B + "/page.html?response-content-type=text%2Fhtml", null);
    assertThat(header(overridden, "Content-Security-Policy")).isEqualTo("sandbox");
  }
}
