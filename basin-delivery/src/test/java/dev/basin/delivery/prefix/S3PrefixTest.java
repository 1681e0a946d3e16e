package dev.basin.delivery.prefix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3PrefixTest {
  private static final Instant AT = Instant.parse("2026-03-07T09:15:30Z");

  private static S3Prefix.Context ctx(Map<String, String> keys) {
    return new S3Prefix.Context(AT, "abcdefghijk", null, keys, Map.of());
  }

  @Test
  void timestampAndRandomStringExpressions() {
    S3Prefix p = S3Prefix.data("events/!{timestamp:yyyy/MM/dd}/!{firehose:random-string}/", false);
    assertThat(p.evaluate(ctx(Map.of()))).isEqualTo("events/2026/03/07/abcdefghijk/");
    assertThat(p.usesRandomString()).isTrue();
  }

  @Test
  void aPrefixWithoutTimeGetsFirehosesDefaultAppended() {
    assertThat(S3Prefix.data("raw/orders/", false).evaluate(ctx(Map.of())))
        .isEqualTo("raw/orders/2026/03/07/09/");
    assertThat(S3Prefix.data("", false).evaluate(ctx(Map.of()))).isEqualTo("2026/03/07/09/");
  }

  @Test
  void dynamicPartitioningKeys() {
    S3Prefix p =
        S3Prefix.data(
            "customer_id=!{partitionKeyFromQuery:customer_id}/dt=!{timestamp:yyyy-MM-dd}/", true);
    assertThat(p.queryKeys()).containsExactly("customer_id");
    assertThat(p.evaluate(ctx(Map.of("customer_id", "42"))))
        .isEqualTo("customer_id=42/dt=2026-03-07/");
    assertThatThrownBy(() -> p.evaluate(ctx(Map.of())))
        .hasMessageContaining("partitionKeyFromQuery:customer_id");
    // No timestamp is appended when partition keys shape the prefix.
    assertThat(S3Prefix.data("c=!{partitionKeyFromQuery:c}/", true).evaluate(ctx(Map.of("c", "x"))))
        .isEqualTo("c=x/");
  }

  @Test
  void errorOutputPrefix() {
    S3Prefix plain = S3Prefix.errorOutput("errors/");
    assertThat(
            plain.evaluate(new S3Prefix.Context(AT, null, "processing-failed", Map.of(), Map.of())))
        .isEqualTo("errors/processing-failed/2026/03/07/09/");
    S3Prefix custom = S3Prefix.errorOutput("err/!{firehose:error-output-type}/!{timestamp:yyyy}/");
    assertThat(
            custom.evaluate(
                new S3Prefix.Context(AT, null, "format-conversion-failed", Map.of(), Map.of())))
        .isEqualTo("err/format-conversion-failed/2026/");
  }

  @Test
  void invalidPrefixesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> S3Prefix.data("x/!{timestamp:yyyy", false))
        .hasMessageContaining("has no '}'");
    assertThatThrownBy(() -> S3Prefix.data("x/!{time:yyyy}/", false))
        .hasMessageContaining("unknown namespace 'time'");
    assertThatThrownBy(() -> S3Prefix.data("x/!{firehose:error-output-type}/", false))
        .hasMessageContaining("only allowed in the error output prefix");
    assertThatThrownBy(() -> S3Prefix.data("x/!{timestamp:yyyy/bbb}/", false))
        .hasMessageContaining("not a Java DateTimeFormatter pattern");
    assertThatThrownBy(() -> S3Prefix.data("x/!{partitionKeyFromQuery:k}/", false))
        .hasMessageContaining("dynamic partitioning is off");
    assertThatThrownBy(() -> S3Prefix.data("x/", true))
        .hasMessageContaining("must use at least one");
    assertThatThrownBy(() -> S3Prefix.errorOutput("err/!{timestamp:yyyy}/"))
        .hasMessageContaining("must also contain !{firehose:error-output-type}");
    S3Prefix p = S3Prefix.data("k=!{partitionKeyFromQuery:k}/", true);
    assertThatThrownBy(() -> p.evaluate(ctx(Map.of("k", "x".repeat(600)))))
        .hasMessageContaining("more than 512");
  }

  @Test
  void randomStringsAreDeterministicPerIdentity() {
    String a = S3Prefix.randomString("shardId-000000000001:49650");
    assertThat(a).hasSize(11).matches("[a-z0-9]{11}");
    assertThat(S3Prefix.randomString("shardId-000000000001:49650")).isEqualTo(a);
    assertThat(S3Prefix.randomString("shardId-000000000001:49651")).isNotEqualTo(a);
  }
}
