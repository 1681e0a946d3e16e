package dev.basin.etl.sample;

import java.io.IOException;
import java.io.OutputStream;

/** Where a sample dataset's files go: one new stream per file, named by its relative path. */
@FunctionalInterface
public interface FileSink {
  /**
   * Opens the stream for one file. {@code fileName} is a relative path such as {@code
   * tracks/tracks.csv}. The caller writes the whole file and then closes the stream.
   */
  OutputStream open(String fileName) throws IOException;
}
