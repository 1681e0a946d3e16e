package dev.basin.catalog.crawler;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Delimited text: picks the delimiter whose split gives the most consistent field count (at least 2
 * columns, as Glue requires), detects quoting and backslash escapes, the header and the types.
 */
final class CsvClassifier {

  static final char[] DELIMITERS = {',', '\t', '|', ';', '\u0001'};
  private static final char QUOTE = '"';

  private CsvClassifier() {}

  /**
   * @param cut whether the text is only the start of the object (its last record may be partial)
   */
  static FileResult classify(
      String name,
      Compression compression,
      String text,
      boolean cut,
      ClassifierConfig config,
      List<String> notes) {
    Sniff best = null;
    for (char d : DELIMITERS) {
      Sniff s = sniff(text, d, (char) 0, cut, config);
      if (s.width >= 2
          && (best == null
              || s.consistency > best.consistency
              || (s.consistency == best.consistency && s.width > best.width))) {
        best = s;
      }
    }
    if (best == null || best.records.size() < 2) {
      String why =
          best == null
              ? "no delimiter among , \\t | ; ^A splits the records into 2 or more columns"
              : "fewer than 2 records";
      return new FileResult(Classification.unknown(name, compression, why), List.of(), List.of());
    }
    if (best.sawBackslashQuote) {
      Sniff escaped = sniff(text, best.delimiter, '\\', cut, config);
      if (escaped.width == best.width && escaped.consistency >= best.consistency) {
        best = escaped;
      }
    }
    List<List<String>> records = best.records;
    int width = best.width;
    HeaderDetector.Decision header = HeaderDetector.decide(records, width, config);
    List<String> names =
        header.header() ? ColumnNames.fromHeader(records.get(0)) : ColumnNames.positional(width);
    List<TypeAccumulator> votes = new ArrayList<>();
    for (int c = 0; c < width; c++) {
      votes.add(new TypeAccumulator(config.maxDecimalScale()));
    }
    int malformed = 0;
    int rows = 0;
    for (int r = header.header() ? 1 : 0; r < records.size(); r++) {
      List<String> row = records.get(r);
      if (row.size() != width) {
        malformed++;
        continue;
      }
      rows++;
      for (int c = 0; c < width; c++) {
        String v = row.get(c);
        if (!config.nullTokens().contains(v) && !config.nullTokens().contains(v.trim())) {
          votes.get(c).addText(v);
        }
      }
    }
    List<Column> columns = new ArrayList<>();
    for (int c = 0; c < width; c++) {
      columns.add(Column.of(names.get(c), votes.get(c).result().toString()));
    }
    CsvDialect dialect =
        new CsvDialect(best.delimiter, QUOTE, best.escape, best.quotedFields > 0, header.header());
    String serde;
    Map<String, String> serdeParams = new LinkedHashMap<>();
    if (dialect.quotedFields()) {
      serde = DataFormat.OPEN_CSV_SERDE;
      serdeParams.put("separatorChar", String.valueOf(dialect.delimiter()));
      serdeParams.put("quoteChar", String.valueOf(dialect.quote()));
      if (dialect.escape() != 0) {
        serdeParams.put("escapeChar", String.valueOf(dialect.escape()));
      }
    } else {
      serde = DataFormat.CSV.serdeLibrary();
      serdeParams.put("field.delim", String.valueOf(dialect.delimiter()));
      serdeParams.put("serialization.format", String.valueOf(dialect.delimiter()));
      if (dialect.escape() != 0) {
        serdeParams.put("escape.delim", String.valueOf(dialect.escape()));
      }
    }
    Map<String, String> table = new LinkedHashMap<>();
    table.put("classification", "csv");
    table.put("compressionType", compression.glueName());
    table.put("typeOfData", "file");
    table.put("delimiter", String.valueOf(dialect.delimiter()));
    table.put("areColumnsQuoted", String.valueOf(dialect.quotedFields()));
    table.put("columnsOrdered", "true");
    if (header.header()) {
      table.put("skip.header.line.count", "1");
    }
    double confidence = best.consistency * header.confidence();
    StringBuilder why = new StringBuilder();
    why.append(
        String.format(
            Locale.ROOT,
            "csv: delimiter '%s' gives %d columns in %.0f%% of %d records",
            dialect.delimiterName(),
            width,
            100 * best.consistency,
            records.size()));
    if (dialect.quotedFields()) {
      why.append("; ").append(best.quotedFields).append(" quoted fields → OpenCSVSerde");
    }
    if (dialect.escape() != 0) {
      why.append("; backslash escapes");
    }
    why.append("; ").append(header.reason());
    if (malformed > 0) {
      why.append("; ")
          .append(malformed)
          .append(" records with a different field count were not typed");
    }
    if (best.unterminated && !cut) {
      why.append("; the last quoted field is never closed");
      confidence *= 0.8;
    }
    why.append("; types from ").append(rows).append(" records");
    for (String note : notes) {
      why.append("; ").append(note);
    }
    Classification result =
        new Classification(
            name,
            DataFormat.CSV,
            compression,
            dialect,
            null,
            columns,
            serde,
            serdeParams,
            table,
            confidence,
            why.toString());
    return new FileResult(result, names, votes);
  }

  private static final class Sniff {
    char delimiter;
    char escape;
    List<List<String>> records;
    int width;
    double consistency;
    int quotedFields;
    boolean unterminated;
    boolean sawBackslashQuote;
  }

  private static Sniff sniff(
      String text, char delimiter, char escape, boolean cut, ClassifierConfig config) {
    CsvReader.Result r = CsvReader.read(text, delimiter, QUOTE, escape, config.sampleRows() + 1);
    List<List<String>> records = new ArrayList<>(r.records());
    boolean full = records.size() > config.sampleRows();
    if ((cut || r.unterminated()) && !full && records.size() > 1) {
      records.remove(records.size() - 1); // the sample ends inside this record
    }
    if (full) {
      records.remove(records.size() - 1);
    }
    Map<Integer, Integer> counts = new HashMap<>();
    for (List<String> rec : records) {
      counts.merge(rec.size(), 1, Integer::sum);
    }
    Sniff s = new Sniff();
    s.delimiter = delimiter;
    s.escape = escape;
    s.records = records;
    s.quotedFields = r.quotedFields();
    s.unterminated = r.unterminated();
    s.sawBackslashQuote = text.contains("\\\"");
    int mode = 0;
    int modeCount = 0;
    for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
      if (e.getValue() > modeCount || (e.getValue() == modeCount && e.getKey() > mode)) {
        mode = e.getKey();
        modeCount = e.getValue();
      }
    }
    s.width = mode;
    s.consistency = records.isEmpty() ? 0 : (double) modeCount / records.size();
    return s;
  }
}
