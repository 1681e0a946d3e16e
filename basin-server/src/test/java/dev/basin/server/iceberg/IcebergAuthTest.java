package dev.basin.server.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.server.auth.Credentials;
import dev.basin.server.iceberg.IcebergTestServer.Answer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OAuth2 token route and bearer checks of the Iceberg REST endpoint. */
class IcebergAuthTest {
  private static final String FORM = "application/x-www-form-urlencoded";

  @TempDir Path dir;
  IcebergTestServer server;

  @BeforeEach
  void start() {
    server = new IcebergTestServer(dir, false);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private Answer token(String form) {
    return server.call("POST", "/v1/oauth/tokens", form, null, FORM);
  }

  private static String clientCredentials(String id, String secret) {
    return "grant_type=client_credentials&client_id="
        + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8)
        + "&client_secret="
        + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8)
        + "&scope=catalog";
  }

  private static void assertUnauthorized(Answer a, String messagePart) {
    assertThat(a.status()).as(a.body()).isEqualTo(401);
    assertThat(a.errorType()).isEqualTo("NotAuthorizedException");
    assertThat(a.json().path("error").path("code").asInt()).isEqualTo(401);
    assertThat(a.errorMessage()).contains(messagePart);
    assertThat(a.headers()).containsKey("www-authenticate");
  }

  @Test
  void everyRouteButTheTokenRouteNeedsABearer() {
    assertUnauthorized(server.call("GET", "/v1/config", null, null, null), "missing bearer token");
    assertUnauthorized(
        server.call("GET", "/v1/namespaces", null, null, null), "missing bearer token");
    assertUnauthorized(
        server.call("POST", "/v1/namespaces", "{\"namespace\":[\"x\"]}", null, "application/json"),
        "missing bearer token");
    assertThat(server.catalog.namespaceExists(org.apache.iceberg.catalog.Namespace.of("x")))
        .isFalse();
  }

  @Test
  void nativeKeyPairTokenIsAccepted() {
    assertThat(server.call("GET", "/v1/config", null).status()).isEqualTo(200);
    assertUnauthorized(
        server.call(
            "GET",
            "/v1/config",
            null,
            IcebergTestServer.CREDENTIALS.accessKeyId() + ":wrong",
            null),
        "wrong access key id or secret");
  }

  @Test
  void clientCredentialsGiveAnExpiringToken() {
    Answer issued =
        token(
            clientCredentials(
                IcebergTestServer.CREDENTIALS.accessKeyId(),
                IcebergTestServer.CREDENTIALS.secretAccessKey()));
    assertThat(issued.status()).as(issued.body()).isEqualTo(200);
    assertThat(issued.json().path("token_type").asText()).isEqualToIgnoringCase("bearer");
    assertThat(issued.json().path("expires_in").asInt()).isEqualTo(3600);
    assertThat(issued.json().path("issued_token_type").asText())
        .isEqualTo("urn:ietf:params:oauth:token-type:access_token");
    String token = issued.json().path("access_token").asText();
    assertThat(token).doesNotContain(IcebergTestServer.CREDENTIALS.secretAccessKey());

    assertThat(server.call("GET", "/v1/config", null, token, null).status()).isEqualTo(200);

    server.clock.advance(Duration.ofMinutes(59));
    assertThat(server.call("GET", "/v1/namespaces", null, token, null).status()).isEqualTo(200);
    server.clock.advance(Duration.ofMinutes(2));
    assertUnauthorized(server.call("GET", "/v1/namespaces", null, token, null), "expired");
  }

  @Test
  void tamperedOrForeignTokensAreRefused() {
    String token =
        token(
                clientCredentials(
                    IcebergTestServer.CREDENTIALS.accessKeyId(),
                    IcebergTestServer.CREDENTIALS.secretAccessKey()))
            .json()
            .path("access_token")
            .asText();
    String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
    assertUnauthorized(server.call("GET", "/v1/config", null, tampered, null), "signature");
    assertUnauthorized(server.call("GET", "/v1/config", null, "garbage", null), "not a token");

    IcebergTokens other =
        new IcebergTokens(
            new Credentials(
                IcebergTestServer.CREDENTIALS.accessKeyId(), "anotherSecret0123456789abcdefghij"),
            server.clock,
            Duration.ofHours(1));
    assertUnauthorized(server.call("GET", "/v1/config", null, other.issue(), null), "signature");
  }

  @Test
  void wrongClientCredentialsAndBadGrantsUseTheOAuthErrorShape() {
    Answer wrong = token(clientCredentials(IcebergTestServer.CREDENTIALS.accessKeyId(), "nope"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().path("error").asText()).isEqualTo("invalid_client");
    assertThat(wrong.json().path("error_description").asText()).isNotBlank();

    Answer missing = token("client_id=a&client_secret=b");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("error").asText()).isEqualTo("invalid_request");

    Answer password = token("grant_type=password&username=a&password=b");
    assertThat(password.status()).isEqualTo(400);
    assertThat(password.json().path("error").asText()).isEqualTo("unsupported_grant_type");

    Answer noSecret = token("grant_type=client_credentials&client_id=a");
    assertThat(noSecret.status()).isEqualTo(400);
    assertThat(noSecret.json().path("error").asText()).isEqualTo("invalid_request");

    assertThat(server.call("GET", "/v1/oauth/tokens", null, null, null).status()).isEqualTo(405);
  }

  @Test
  void basicAuthAndTokenExchangeAlsoIssueTokens() {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (IcebergTestServer.CREDENTIALS.accessKeyId()
                        + ":"
                        + IcebergTestServer.CREDENTIALS.secretAccessKey())
                    .getBytes(StandardCharsets.UTF_8));
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.catalogUri() + "/v1/oauth/tokens"))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", FORM)
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
            .build();
    try {
      var response =
          java.net.http.HttpClient.newHttpClient()
              .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    String token =
        token(
                clientCredentials(
                    IcebergTestServer.CREDENTIALS.accessKeyId(),
                    IcebergTestServer.CREDENTIALS.secretAccessKey()))
            .json()
            .path("access_token")
            .asText();
    String exchange =
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token="
            + token
            + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token";
    Answer exchanged = token(exchange);
    assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
    String fresh = exchanged.json().path("access_token").asText();
    assertThat(server.call("GET", "/v1/config", null, fresh, null).status()).isEqualTo(200);

    server.clock.advance(Duration.ofHours(2));
    Answer stale = token(exchange);
    assertThat(stale.status()).isEqualTo(401);
    assertThat(stale.json().path("error").asText()).isEqualTo("invalid_client");
  }
}
