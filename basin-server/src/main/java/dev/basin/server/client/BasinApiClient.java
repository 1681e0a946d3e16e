package dev.basin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Credentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small client of Basin's native REST API ({@code /api/v1}), authenticated with the bearer token.
 */
public final class BasinApiClient {
  private final URI endpoint;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public BasinApiClient(URI endpoint, Credentials credentials) {
    this.endpoint = endpoint;
    this.token = credentials.accessKeyId() + ":" + credentials.secretAccessKey();
  }

  /** A non-2xx answer, with the server's error code and message. */
  public static final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }
  }

  public JsonNode get(String path) {
    return send(HttpRequest.newBuilder(endpoint.resolve(path)).GET());
  }

  public JsonNode post(String path, String body, String contentType) {
    return send(
        HttpRequest.newBuilder(endpoint.resolve(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  public JsonNode put(String path, String body, String contentType) {
    return send(
        HttpRequest.newBuilder(endpoint.resolve(path))
            .header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  public JsonNode delete(String path) {
    return send(HttpRequest.newBuilder(endpoint.resolve(path)).DELETE());
  }

  /** URL-encodes a path segment or query value. */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(HttpRequest.Builder req) {
    HttpResponse<String> resp;
    try {
      resp =
          http.send(
              req.header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot reach Basin at " + endpoint + " (is `./basin server` running?): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    JsonNode body = null;
    if (!resp.body().isEmpty()) {
      try {
        body = Json.mapper().readTree(resp.body());
      } catch (IOException e) {
        throw new ApiException(resp.statusCode(), "MALFORMED", "unexpected answer: " + resp.body());
      }
    }
    if (resp.statusCode() / 100 != 2) {
      JsonNode err = body == null ? null : body.get("error");
      throw new ApiException(
          resp.statusCode(),
          err == null ? "HTTP" + resp.statusCode() : err.path("code").asText(),
          err == null ? "HTTP " + resp.statusCode() : err.path("message").asText());
    }
    return body == null ? Json.mapper().createObjectNode() : body;
  }
}
