package dev.basin.stream.generate;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.util.List;
import java.util.Objects;

/**
 * How the generator picks each record's partition key (which decides the shard).
 *
 * <p>Implementations are called from the generator's rendering thread only, with the same {@link
 * RenderContext} the record was rendered with, so keys drawn from it are reproducible under a seed.
 */
@FunctionalInterface
public interface PartitionKeyStrategy {

  /**
   * The partition key for one rendered record (without its delimiter).
   *
   * @throws BasinException {@code INVALID_ARGUMENT} when no key can be derived from this record;
   *     the generator counts the record as failed with the message as the reason and does not send
   *     it
   */
  String partitionKey(String record, RenderContext ctx);

  /** A random version-4 UUID per record, drawn from the render context (the default). */
  static PartitionKeyStrategy randomUuid() {
    return (record, ctx) -> Helpers.randomUuid(ctx).toString();
  }

  /** The key is {@code template} rendered per record, e.g. {@code {{random.number(99)}}}. */
  static PartitionKeyStrategy template(Template template) {
    Objects.requireNonNull(template, "template");
    return (record, ctx) -> template.render(ctx);
  }

  /**
   * The key is a field of the rendered record, which must be a JSON object: {@code "userId"} or a
   * dotted path into nested objects such as {@code "user.id"}. Strings are used as they are,
   * numbers and booleans as their JSON text.
   */
  static PartitionKeyStrategy jsonField(String field) {
    Objects.requireNonNull(field, "field");
    if (field.isBlank() || field.startsWith(".") || field.endsWith(".") || field.contains("..")) {
      throw new BasinException(
          CommonErrorCode.INVALID_ARGUMENT,
          "invalid partition key field '" + field + "'; expected a name such as userId or user.id");
    }
    List<String> path = List.of(field.split("\\."));
    return (record, ctx) -> JsonFieldKey.extract(record, field, path);
  }
}
