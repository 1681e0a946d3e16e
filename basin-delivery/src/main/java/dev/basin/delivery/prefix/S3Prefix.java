package dev.basin.delivery.prefix;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Firehose S3 prefix: literal text with {@code !{namespace:value}} expressions, parsed and
 * checked once when the delivery stream is configured and evaluated for every object it writes.
 *
 * <p>Expressions, as Firehose defines them:
 *
 * <ul>
 *   <li>{@code !{timestamp:yyyy/MM/dd}} — a {@link DateTimeFormatter} pattern applied in UTC to the
 *       arrival time of the oldest record in the object;
 *   <li>{@code !{firehose:random-string}} — 11 lower-case letters and digits (Basin derives them
 *       from the object's position in the source so that a re-delivery writes the same key);
 *   <li>{@code !{firehose:error-output-type}} — why records failed ({@code processing-failed},
 *       {@code format-conversion-failed}, …); only in an error output prefix;
 *   <li>{@code !{partitionKeyFromQuery:name}} and {@code !{partitionKeyFromLambda:name}} — dynamic
 *       partitioning keys.
 * </ul>
 *
 * <p>As in Firehose, a data prefix without a timestamp or partition key expression gets {@code
 * yyyy/MM/dd/HH/} appended, an error prefix that uses expressions must contain {@code
 * error-output-type}, and an evaluated prefix is at most 512 characters. Immutable and thread-safe.
 */
public final class S3Prefix {
  /** The longest evaluated prefix Firehose accepts. */
  public static final int MAX_LENGTH = 512;

  private static final String DEFAULT_TIME = "yyyy/MM/dd/HH/";
  private static final int RANDOM_LENGTH = 11;

  private final String template;
  private final List<Part> parts;
  private final Set<String> queryKeys;
  private final Set<String> lambdaKeys;

  private S3Prefix(String template, List<Part> parts) {
    this.template = template;
    this.parts = List.copyOf(parts);
    Set<String> q = new LinkedHashSet<>();
    Set<String> l = new LinkedHashSet<>();
    for (Part p : parts) {
      if (p instanceof QueryKey k) {
        q.add(k.name());
      } else if (p instanceof LambdaKey k) {
        l.add(k.name());
      }
    }
    this.queryKeys = Set.copyOf(q);
    this.lambdaKeys = Set.copyOf(l);
  }

  private sealed interface Part {}

  private record Literal(String text) implements Part {}

  private record Timestamp(String pattern, DateTimeFormatter format) implements Part {}

  private record RandomString() implements Part {}

  private record ErrorType() implements Part {}

  private record QueryKey(String name) implements Part {}

  private record LambdaKey(String name) implements Part {}

  /**
   * What an object's prefix is evaluated against.
   *
   * @param oldestArrival arrival time of the oldest record in the object
   * @param randomString 11 characters for {@code !{firehose:random-string}}, or null to have none
   * @param errorOutputType the error kind for an error prefix, or null
   * @param queryKeys partition keys from the query
   * @param lambdaKeys partition keys from the transform
   */
  public record Context(
      Instant oldestArrival,
      String randomString,
      String errorOutputType,
      Map<String, String> queryKeys,
      Map<String, String> lambdaKeys) {

    public Context {
      queryKeys = queryKeys == null ? Map.of() : queryKeys;
      lambdaKeys = lambdaKeys == null ? Map.of() : lambdaKeys;
    }
  }

  /**
   * Parses a data prefix.
   *
   * @param dynamicPartitioning whether partition key expressions are allowed (and then required)
   * @throws IllegalArgumentException naming the expression at fault
   */
  public static S3Prefix data(String template, boolean dynamicPartitioning) {
    List<Part> parts = parse(template == null ? "" : template, false);
    boolean hasKeys = parts.stream().anyMatch(p -> p instanceof QueryKey || p instanceof LambdaKey);
    if (hasKeys && !dynamicPartitioning) {
      throw new IllegalArgumentException(
          "prefix '"
              + template
              + "' uses partitionKeyFrom… expressions but dynamic partitioning is off; enable it"
              + " or remove them");
    }
    if (dynamicPartitioning && !hasKeys) {
      throw new IllegalArgumentException(
          "dynamic partitioning is on, so the prefix must use at least one"
              + " !{partitionKeyFromQuery:…} or !{partitionKeyFromLambda:…} expression, e.g."
              + " customer_id=!{partitionKeyFromQuery:customer_id}/");
    }
    boolean hasTime = parts.stream().anyMatch(p -> p instanceof Timestamp);
    if (!hasTime && !hasKeys) {
      parts = new ArrayList<>(parts);
      parts.add(new Timestamp(DEFAULT_TIME, formatter(DEFAULT_TIME)));
    }
    return new S3Prefix(template, parts);
  }

  /**
   * Parses an error output prefix. When it uses expressions it must contain {@code
   * !{firehose:error-output-type}}; a plain one gets {@code <error-output-type>/yyyy/MM/dd/HH/}
   * appended, as Firehose does.
   *
   * @throws IllegalArgumentException naming the expression at fault
   */
  public static S3Prefix errorOutput(String template) {
    List<Part> parts = parse(template == null ? "" : template, true);
    boolean hasExpressions = parts.stream().anyMatch(p -> !(p instanceof Literal));
    if (hasExpressions && parts.stream().noneMatch(p -> p instanceof ErrorType)) {
      throw new IllegalArgumentException(
          "error output prefix '"
              + template
              + "' uses expressions, so it must also contain !{firehose:error-output-type}");
    }
    if (!hasExpressions) {
      parts = new ArrayList<>(parts);
      parts.add(new ErrorType());
      parts.add(new Literal("/"));
      parts.add(new Timestamp(DEFAULT_TIME, formatter(DEFAULT_TIME)));
    }
    for (Part p : parts) {
      if (p instanceof QueryKey || p instanceof LambdaKey) {
        throw new IllegalArgumentException(
            "error output prefix '"
                + template
                + "' cannot use partition keys: failed records may not have them");
      }
    }
    return new S3Prefix(template, parts);
  }

  private static List<Part> parse(String template, boolean errorPrefix) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("!{", i)) {
        int end = template.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException(
              "prefix '" + template + "': the expression at position " + (i + 1) + " has no '}'");
        }
        if (literal.length() > 0) {
          parts.add(new Literal(literal.toString()));
          literal.setLength(0);
        }
        parts.add(expression(template, template.substring(i + 2, end), errorPrefix));
        i = end + 1;
      } else {
        literal.append(template.charAt(i++));
      }
    }
    if (literal.length() > 0) {
      parts.add(new Literal(literal.toString()));
    }
    return parts;
  }

  private static Part expression(String template, String body, boolean errorPrefix) {
    int colon = body.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "prefix '" + template + "': '!{" + body + "}' needs a namespace, e.g. !{timestamp:yyyy}");
    }
    String namespace = body.substring(0, colon).trim();
    String value = body.substring(colon + 1).trim();
    switch (namespace) {
      case "timestamp":
        if (value.isEmpty()) {
          throw new IllegalArgumentException(
              "prefix '" + template + "': !{timestamp:} needs a pattern, e.g. yyyy/MM/dd");
        }
        try {
          return new Timestamp(value, formatter(value));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "prefix '"
                  + template
                  + "': '"
                  + value
                  + "' is not a Java DateTimeFormatter pattern: "
                  + e.getMessage());
        }
      case "firehose":
        if (value.equals("random-string")) {
          return new RandomString();
        }
        if (value.equals("error-output-type")) {
          if (!errorPrefix) {
            throw new IllegalArgumentException(
                "prefix '"
                    + template
                    + "': !{firehose:error-output-type} is only allowed in the error output"
                    + " prefix");
          }
          return new ErrorType();
        }
        throw new IllegalArgumentException(
            "prefix '"
                + template
                + "': unknown !{firehose:"
                + value
                + "}; use random-string or error-output-type");
      case "partitionKeyFromQuery":
        return new QueryKey(keyName(template, value));
      case "partitionKeyFromLambda":
        return new LambdaKey(keyName(template, value));
      default:
        throw new IllegalArgumentException(
            "prefix '"
                + template
                + "': unknown namespace '"
                + namespace
                + "'; use timestamp, firehose, partitionKeyFromQuery or partitionKeyFromLambda");
    }
  }

  private static String keyName(String template, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(
          "prefix '" + template + "': a partition key expression needs a key name");
    }
    return value;
  }

  private static DateTimeFormatter formatter(String pattern) {
    return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
  }

  /** Names used by {@code !{partitionKeyFromQuery:…}}; the query must produce each of them. */
  public Set<String> queryKeys() {
    return queryKeys;
  }

  /** Names used by {@code !{partitionKeyFromLambda:…}}. */
  public Set<String> lambdaKeys() {
    return lambdaKeys;
  }

  /** Whether the prefix contains {@code !{firehose:random-string}}. */
  public boolean usesRandomString() {
    return parts.stream().anyMatch(p -> p instanceof RandomString);
  }

  /**
   * The prefix for one object.
   *
   * @throws IllegalArgumentException if a partition key the prefix names is missing from the
   *     context, the random string is missing or malformed, or the result exceeds {@link
   *     #MAX_LENGTH}
   */
  public String evaluate(Context ctx) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Literal l) {
        sb.append(l.text());
      } else if (p instanceof Timestamp t) {
        sb.append(t.format().format(ctx.oldestArrival()));
      } else if (p instanceof RandomString) {
        String r = ctx.randomString();
        if (r == null || r.length() != RANDOM_LENGTH) {
          throw new IllegalArgumentException(
              "the prefix needs an " + RANDOM_LENGTH + "-character random string, got " + r);
        }
        sb.append(r);
      } else if (p instanceof ErrorType) {
        if (ctx.errorOutputType() == null) {
          throw new IllegalArgumentException("the error output prefix needs an error type");
        }
        sb.append(ctx.errorOutputType());
      } else if (p instanceof QueryKey k) {
        sb.append(key(ctx.queryKeys(), k.name(), "partitionKeyFromQuery"));
      } else {
        sb.append(key(ctx.lambdaKeys(), ((LambdaKey) p).name(), "partitionKeyFromLambda"));
      }
    }
    if (sb.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "the evaluated prefix has "
              + sb.length()
              + " characters, more than "
              + MAX_LENGTH
              + ": "
              + sb.substring(0, 60)
              + "…");
    }
    return sb.toString();
  }

  private static String key(Map<String, String> keys, String name, String namespace) {
    String v = keys.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "no value for !{"
              + namespace
              + ":"
              + name
              + "}: the record did not produce key '"
              + name
              + "'");
    }
    return v;
  }

  /**
   * A deterministic 11-character string for {@code !{firehose:random-string}}: the same object
   * identity (e.g. shard and first sequence number) always gives the same string.
   */
  public static String randomString(String identity) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < identity.length(); i++) {
      h ^= identity.charAt(i);
      h *= 0x100000001b3L;
    }
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder(RANDOM_LENGTH);
    long v = h;
    for (int i = 0; i < RANDOM_LENGTH; i++) {
      sb.append(alphabet.charAt((int) Long.remainderUnsigned(v, alphabet.length())));
      v = Long.divideUnsigned(v, alphabet.length());
      if (v == 0) {
        v = h * 31 + i;
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return template;
  }
}
