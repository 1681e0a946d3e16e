package dev.basin.delivery.transform;

import java.util.List;
import java.util.Map;

/**
 * One step of a delivery's record processing (Firehose's {@code ProcessingConfiguration}). Steps
 * run per record in the configured order, after reading and before partition keys and format
 * conversion. {@link Decompress} and {@link Deaggregate} must come before every other step, so that
 * the order is Firehose's: de-aggregation, then transforms, then partition keys.
 *
 * <p>The JSON steps ({@link AddArrivalTimestamp}, {@link DropFields}, {@link RenameFields}, {@link
 * Filter}) need a JSON object; any other record is {@code processing-failed}. Field names are
 * top-level names, or dotted paths ({@code a.b}) into nested objects.
 */
public sealed interface ProcessorConfig {

  /**
   * Gunzips each record. A record that is not gzip is {@code processing-failed}.
   *
   * @param format only {@code GZIP}
   */
  record Decompress(String format) implements ProcessorConfig {
    public Decompress {
      format = format == null ? "GZIP" : format;
      if (!format.equalsIgnoreCase("GZIP")) {
        throw new IllegalArgumentException("Decompress.Format must be GZIP, was '" + format + "'");
      }
    }
  }

  /**
   * Splits each record into sub-records (at most {@value Deaggregation#MAX_SUB_RECORDS}; more is
   * {@code processing-failed}).
   *
   * @param delimiter null for concatenated JSON documents ({@code {..}{..}}, optionally separated
   *     by whitespace); otherwise the separator between sub-records (empty pieces are skipped)
   */
  record Deaggregate(String delimiter) implements ProcessorConfig {
    public Deaggregate {
      if (delimiter != null && delimiter.isEmpty()) {
        throw new IllegalArgumentException("Deaggregate.Delimiter must not be empty");
      }
    }

    /** De-aggregation of concatenated JSON documents. */
    public static Deaggregate json() {
      return new Deaggregate(null);
    }
  }

  /**
   * Adds the record's approximate arrival time, epoch milliseconds, as a top-level field.
   *
   * @param field the field name (replaces an existing field of that name)
   */
  record AddArrivalTimestamp(String field) implements ProcessorConfig {
    public AddArrivalTimestamp {
      if (field == null || field.isBlank()) {
        throw new IllegalArgumentException("AddArrivalTimestamp.Field is required");
      }
    }
  }

  /** Removes fields; absent fields are ignored. */
  record DropFields(List<String> fields) implements ProcessorConfig {
    public DropFields {
      if (fields == null
          || fields.isEmpty()
          || fields.stream().anyMatch(f -> f == null || f.isBlank())) {
        throw new IllegalArgumentException(
            "DropFields.Fields must name at least one field and no blank ones, was " + fields);
      }
      fields = List.copyOf(fields);
    }
  }

  /** Renames fields (old path → new name in the same object); absent ones are ignored. */
  record RenameFields(Map<String, String> renames) implements ProcessorConfig {
    public RenameFields {
      if (renames == null
          || renames.isEmpty()
          || renames.entrySet().stream()
              .anyMatch(
                  e ->
                      e.getKey().isBlank()
                          || e.getValue() == null
                          || e.getValue().isBlank()
                          || e.getValue().contains("."))) {
        throw new IllegalArgumentException(
            "RenameFields.Renames must map field paths to non-blank names without '.', was "
                + renames);
      }
      renames = Map.copyOf(renames);
    }
  }

  /**
   * Keeps the records that match a predicate and drops the others (counted as dropped). The syntax,
   * see {@link FilterPredicate}: {@code path == literal}, {@code path != literal}, {@code exists
   * path}, {@code !exists path}, where a literal is JSON ({@code "a"}, {@code 3}, {@code true},
   * {@code null}).
   */
  record Filter(String predicate) implements ProcessorConfig {
    public Filter {
      FilterPredicate.parse(predicate);
    }
  }

  /**
   * A user's {@link RecordTransform} loaded with {@link java.util.ServiceLoader} from a jar.
   *
   * @param jarPath the jar's path on the server
   * @param className which provider of the jar to use; may be null when the jar has exactly one
   */
  record Custom(String jarPath, String className) implements ProcessorConfig {
    public Custom {
      if (jarPath == null || jarPath.isBlank()) {
        throw new IllegalArgumentException("Custom.JarPath is required");
      }
    }
  }
}
