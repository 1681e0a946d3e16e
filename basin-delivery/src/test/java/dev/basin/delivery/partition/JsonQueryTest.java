package dev.basin.delivery.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonQueryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @Test
  void extractsNamedKeysFromPaths() throws Exception {
    JsonQuery q =
        JsonQuery.parse(
            "{customer_id: .customer_id, device: .type.device, \"first tag\": .tags[0],"
                + " last: .tags[-1], day: .ts[0:10], odd: .\"odd key\", br: .m[\"a b\"]}");
    assertThat(q.keyNames())
        .containsExactly("customer_id", "device", "first tag", "last", "day", "odd", "br");
    JsonNode r =
        json(
            """
            {"customer_id": 42, "type": {"device": "phone"}, "tags": ["a", "b", "c"],
             "ts": "2026-11-21T10:00:00Z", "odd key": true, "m": {"a b": 1.5}}
            """);
    assertThat(q.evaluate(r))
        .containsExactly(
            java.util.Map.entry("customer_id", "42"),
            java.util.Map.entry("device", "phone"),
            java.util.Map.entry("first tag", "a"),
            java.util.Map.entry("last", "c"),
            java.util.Map.entry("day", "2026-11-21"),
            java.util.Map.entry("odd", "true"),
            java.util.Map.entry("br", "1.5"));
  }

  @Test
  void missingNullAndNonScalarValuesFailWithTheKey() throws Exception {
    JsonQuery q = JsonQuery.parse("{c: .customer.id}");
    assertThatThrownBy(() -> q.evaluate(json("{\"x\": 1}")))
        .isInstanceOf(PartitionKeyException.class)
        .hasMessageContaining("partition key 'c' (.customer.id) is missing");
    assertThatThrownBy(() -> q.evaluate(json("{\"customer\": {\"id\": null}}")))
        .hasMessageContaining("is missing");
    assertThatThrownBy(() -> q.evaluate(json("{\"customer\": {\"id\": {\"a\": 1}}}")))
        .hasMessageContaining("is an object");
    assertThatThrownBy(() -> q.evaluate(json("{\"customer\": \"text\"}")))
        .hasMessageContaining("is missing");
  }

  @Test
  void unsupportedOrMalformedQueriesAreRefusedWithAPosition() {
    assertThatThrownBy(() -> JsonQuery.parse(".customer_id"))
        .hasMessageContaining("starts with '{'");
    assertThatThrownBy(() -> JsonQuery.parse("{y: .ts|strftime(\"%Y\")}"))
        .hasMessageContaining("pipes and functions");
    assertThatThrownBy(() -> JsonQuery.parse("{t: .tags[]}")).hasMessageContaining("iterators");
    assertThatThrownBy(() -> JsonQuery.parse("{a: .a, a: .b}")).hasMessageContaining("twice");
    assertThatThrownBy(() -> JsonQuery.parse("{a: x}")).hasMessageContaining("position 5");
    assertThatThrownBy(() -> JsonQuery.parse("{a: .a")).hasMessageContaining("expected ',' or '}'");
    assertThatThrownBy(() -> JsonQuery.parse("{}")).hasMessageContaining("no partition keys");
    assertThatThrownBy(() -> JsonQuery.parse(" ")).hasMessageContaining("empty");
  }
}
