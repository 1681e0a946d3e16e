package dev.basin.catalog.crawler;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.common.error.BasinException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classifies objects as Glue's built-in classifiers do, with Basin's improvements: Parquet by its
 * magic and footer; gzip and zstd by magic bytes (not the suffix); then JSON (objects one after
 * another, or a top-level array of objects) and delimited text. Anything else is {@code UNKNOWN}
 * with the reason in the explanation.
 *
 * <p>Bad input never throws except for a Parquet object whose footer is missing or corrupt ({@link
 * CrawlerErrorCode#CORRUPT_OBJECT}): invalid UTF-8 is replaced and counted, a truncated compressed
 * stream yields the records before the break, and a partial last record of a sample is dropped.
 * Thread-safe.
 */
public final class Classifier {

  private final ClassifierConfig config;

  public Classifier(ClassifierConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public ClassifierConfig config() {
    return config;
  }

  /** Classifies one object from its sample. */
  public Classification classify(ObjectSample sample) {
    return classifyFile(sample).classification();
  }

  /**
   * Classifies the first {@link ClassifierConfig#filesPerTable()} objects of one table and merges
   * their columns: a column union in first-seen order, with types widened over all values seen (see
   * {@link TypeAccumulator}). Files with a header are matched by column name; if header decisions
   * differ, by position. Unknown objects are skipped and named in the explanation.
   *
   * @throws BasinException {@link CrawlerErrorCode#INCOMPATIBLE_FILES} when the files differ in
   *     format, compression or delimiter (they belong to different tables)
   */
  public Classification classifyTable(List<ObjectSample> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no objects to classify");
    }
    List<FileResult> results = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (ObjectSample s : samples.subList(0, Math.min(samples.size(), config.filesPerTable()))) {
      FileResult r = classifyFile(s);
      if (r.classification().recognized()) {
        results.add(r);
      } else {
        skipped.add(s.name() + " (" + r.classification().explanation() + ")");
      }
    }
    if (results.isEmpty()) {
      return Classification.unknown(
          samples.get(0).name(), Compression.NONE, "no object could be classified: " + skipped);
    }
    Classification first = results.get(0).classification();
    boolean sameHeader = true;
    for (FileResult r : results) {
      Classification c = r.classification();
      String a = signature(first);
      String b = signature(c);
      if (!a.equals(b)) {
        throw new BasinException(
            CrawlerErrorCode.INCOMPATIBLE_FILES,
            "'"
                + first.objectName()
                + "' is "
                + a
                + " but '"
                + c.objectName()
                + "' is "
                + b
                + "; they cannot be one table");
      }
      if (c.csvDialect() != null && c.csvDialect().header() != first.csvDialect().header()) {
        sameHeader = false;
      }
    }
    Map<String, TypeAccumulator> merged = new LinkedHashMap<>();
    List<String> positionalNames = results.get(0).names();
    for (FileResult r : results) {
      if (first.csvDialect() != null
          && !first.csvDialect().header()
          && r.classification().csvDialect().header()) {
        positionalNames = r.names();
      }
    }
    for (FileResult r : results) {
      for (int i = 0; i < r.names().size(); i++) {
        String name =
            sameHeader || i >= positionalNames.size() ? r.names().get(i) : positionalNames.get(i);
        merged
            .computeIfAbsent(name, k -> new TypeAccumulator(config.maxDecimalScale()))
            .merge(r.votes().get(i));
      }
    }
    List<Column> columns = new ArrayList<>();
    for (Map.Entry<String, TypeAccumulator> e : merged.entrySet()) {
      columns.add(Column.of(e.getKey(), e.getValue().result().toString()));
    }
    double confidence = 1.0;
    boolean quoted = false;
    boolean header = false;
    StringBuilder why = new StringBuilder();
    why.append(results.size()).append(" of ").append(samples.size()).append(" objects sampled");
    for (FileResult r : results) {
      confidence = Math.min(confidence, r.classification().confidence());
      if (r.classification().csvDialect() != null) {
        quoted |= r.classification().csvDialect().quotedFields();
        header |= r.classification().csvDialect().header();
      }
      why.append("; ")
          .append(r.classification().objectName())
          .append(": ")
          .append(r.classification().explanation());
    }
    if (!sameHeader) {
      why.append("; header decisions differ between files, columns matched by position");
      confidence *= 0.7;
    }
    if (!skipped.isEmpty()) {
      why.append("; skipped ").append(String.join(", ", skipped));
    }
    Classification base = first;
    Map<String, String> table = new LinkedHashMap<>(base.tableParameters());
    Map<String, String> serde = new LinkedHashMap<>(base.serdeParameters());
    String serdeLibrary = base.serdeLibrary();
    CsvDialect dialect = base.csvDialect();
    if (dialect != null) {
      dialect =
          new CsvDialect(dialect.delimiter(), dialect.quote(), dialect.escape(), quoted, header);
      if (quoted && !base.csvDialect().quotedFields()) {
        // Another file quotes its fields: the whole table needs OpenCSVSerde.
        for (FileResult r : results) {
          if (r.classification().csvDialect().quotedFields()) {
            serdeLibrary = r.classification().serdeLibrary();
            serde = new LinkedHashMap<>(r.classification().serdeParameters());
            break;
          }
        }
      }
      table.put("areColumnsQuoted", String.valueOf(quoted));
      if (header) {
        table.put("skip.header.line.count", "1");
      }
    }
    if (base.format() == DataFormat.JSON) {
      List<String> paths = new ArrayList<>(merged.keySet());
      serde.put("paths", String.join(",", paths));
    }
    return new Classification(
        base.objectName(),
        base.format(),
        base.compression(),
        dialect,
        base.jsonLayout(),
        columns,
        serdeLibrary,
        serde,
        table,
        confidence,
        why.toString());
  }

  private static String signature(Classification c) {
    String s = c.classification() + "/" + c.compression().glueName();
    if (c.csvDialect() != null) {
      s += "/delimiter '" + c.csvDialect().delimiterName() + "'";
    }
    if (c.jsonLayout() != null) {
      s += "/" + c.jsonLayout().name().toLowerCase(java.util.Locale.ROOT);
    }
    return s;
  }

  FileResult classifyFile(ObjectSample sample) {
    byte[] head = sample.head();
    if (head.length == 0) {
      return unknown(sample, Compression.NONE, "the object is empty");
    }
    if (ParquetSchemaReader.hasMagic(head)) {
      return ParquetSchemaReader.classify(sample, config);
    }
    List<String> notes = new ArrayList<>();
    Compression compression = Compression.detect(head);
    Compression bySuffix = Compression.fromSuffix(sample.name());
    if (bySuffix != compression) {
      notes.add(
          "content is "
              + compression.glueName()
              + " although the name suggests "
              + bySuffix.glueName()
              + " (content wins)");
    }
    Compression.Inflated inflated = compression.inflate(head, config.sampleBytes());
    boolean cut = inflated.cut() || !sample.complete();
    if (inflated.problem() != null) {
      if (sample.complete()) {
        notes.add(
            inflated.problem()
                + " (the object is truncated or corrupt; classified from the "
                + inflated.bytes().length
                + " bytes before the break)");
      }
      if (inflated.bytes().length == 0) {
        return unknown(
            sample,
            compression,
            "the " + compression.glueName() + " stream yields no data: " + inflated.problem());
      }
    }
    byte[] bytes = inflated.bytes();
    if (ParquetSchemaReader.hasMagic(bytes)) {
      return unknown(
          sample,
          compression,
          "a compressed Parquet file; Parquet compresses its pages itself, store it uncompressed");
    }
    TextSample text = TextSample.decode(bytes);
    if (text.binary()) {
      return unknown(
          sample, compression, "binary content (NUL bytes or over 10% invalid UTF-8), not text");
    }
    if (text.invalidSequences() > 0) {
      notes.add(text.invalidSequences() + " invalid UTF-8 sequences were replaced by U+FFFD");
    }
    String stripped = text.text().stripLeading();
    if (stripped.isEmpty()) {
      return unknown(sample, compression, "the object holds only whitespace");
    }
    FileResult result = null;
    if (stripped.charAt(0) == '{' || stripped.charAt(0) == '[') {
      result = JsonClassifier.classify(sample.name(), compression, text.text(), cut, config, notes);
    }
    if (result == null) {
      result = CsvClassifier.classify(sample.name(), compression, text.text(), cut, config, notes);
    }
    boolean damaged =
        text.invalidSequences() > 0 || (inflated.problem() != null && sample.complete());
    if (damaged && result.classification().recognized()) {
      Classification c = result.classification();
      result =
          new FileResult(
              new Classification(
                  c.objectName(),
                  c.format(),
                  c.compression(),
                  c.csvDialect(),
                  c.jsonLayout(),
                  c.columns(),
                  c.serdeLibrary(),
                  c.serdeParameters(),
                  c.tableParameters(),
                  c.confidence() * 0.9,
                  c.explanation()),
              result.names(),
              result.votes());
    }
    return result;
  }

  private static FileResult unknown(ObjectSample sample, Compression compression, String why) {
    return new FileResult(
        Classification.unknown(sample.name(), compression, why), List.of(), List.of());
  }
}
