package dev.basin.bench.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The native REST API and the S3 API of one Basin server, as the ETL drivers call them. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final String endpoint;
  private final String accessKey;
  private final String secretKey;

  Http(String endpoint, String accessKey, String secretKey) {
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /** An S3 client for the server, path-style, with {@code connections} pooled connections. */
  S3Client s3(int connections) {
    return S3Client.builder()
        .endpointOverride(URI.create(endpoint))
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .httpClient(ApacheHttpClient.builder().maxConnections(connections).build())
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .build();
  }

  /** Sends a JSON body (or none) and returns the JSON answer (null for 204). */
  JsonNode json(String method, String path, String body) throws Exception {
    return send(method, path, "application/json", body);
  }

  /**
   * Sends a request to {@code /api/v1/…} with the bearer key pair.
   *
   * @throws IllegalStateException for any status of 300 or more, with the body
   */
  JsonNode send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(endpoint + path))
            .timeout(Duration.ofMinutes(65))
            .header("Authorization", "Bearer " + accessKey + ":" + secretKey);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", contentType)
          .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(
          method + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body().isBlank() ? null : JSON.readTree(r.body());
  }
}
