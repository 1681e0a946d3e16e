package dev.basin.it;

import dev.basin.server.auth.Credentials;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Builds AWS SDK v2 {@link KinesisClient}s against a Basin server, in CBOR (the SDK default) or
 * JSON, and records the Content-Type every request was actually sent with.
 */
public final class KinesisClients {
  private static final String CBOR_PROPERTY = "aws.cborEnabled";

  private KinesisClients() {}

  /** The Content-Types seen on the wire by clients built with a recorder. */
  public static final class ContentTypes implements ExecutionInterceptor {
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
      seen.add(context.httpRequest().firstMatchingHeader("Content-Type").orElse("(none)"));
    }

    public Set<String> seen() {
      return Set.copyOf(seen);
    }
  }

  /** Options of one client. */
  public record Options(boolean cbor, boolean retries, Duration callTimeout) {
    public static Options defaults(boolean cbor) {
      return new Options(cbor, true, Duration.ofSeconds(60));
    }

    public Options withoutRetries() {
      return new Options(cbor, false, callTimeout);
    }

    public Options withCallTimeout(Duration d) {
      return new Options(cbor, retries, d);
    }
  }

  public static KinesisClient client(URI endpoint, Credentials credentials, boolean cbor) {
    return client(endpoint, credentials, Options.defaults(cbor), List.of());
  }

  /**
   * Builds a client. The SDK reads {@code aws.cborEnabled} when the client is built, and the
   * property is JVM-global: it is set, the client built, and the property restored, under a lock.
   */
  public static KinesisClient client(
      URI endpoint,
      Credentials credentials,
      Options options,
      List<? extends ExecutionInterceptor> interceptors) {
    synchronized (KinesisClients.class) {
      String before = System.getProperty(CBOR_PROPERTY);
      try {
        if (options.cbor()) {
          System.clearProperty(CBOR_PROPERTY);
        } else {
          System.setProperty(CBOR_PROPERTY, "false");
        }
        return KinesisClient.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        credentials.accessKeyId(), credentials.secretAccessKey())))
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(options.callTimeout())
                    .maxConnections(32))
            .overrideConfiguration(
                o -> {
                  o.apiCallTimeout(options.callTimeout().plusSeconds(30));
                  if (!options.retries()) {
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                  }
                  interceptors.forEach(o::addExecutionInterceptor);
                })
            .build();
      } finally {
        if (before == null) {
          System.clearProperty(CBOR_PROPERTY);
        } else {
          System.setProperty(CBOR_PROPERTY, before);
        }
      }
    }
  }
}
