package dev.basin.etl.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** One sample dataset: a fixed set of CSV files generated from a seed and a row count. */
abstract class Dataset {
  abstract String name();

  abstract String description();

  /** The files it writes, in order, as relative paths. */
  abstract List<String> files();

  /** Writes every file; {@code rows} and {@code seed} are already validated. */
  abstract List<SampleFile> write(long rows, long seed, FileSink sink) throws IOException;

  static CsvWriter open(FileSink sink, String file, String... header) throws IOException {
    OutputStream out = sink.open(file);
    if (out == null) {
      throw new IllegalStateException("the sink returned no stream for " + file);
    }
    return new CsvWriter(out, header);
  }
}
