package dev.basin.catalog.crawler;

import dev.basin.common.error.BasinException;
import java.util.Set;

/**
 * How much of the data the classifiers look at and how they type values.
 *
 * @param sampleRows records read per file for dialect, header and type inference (Glue: 1,000)
 * @param sampleBytes decompressed bytes read per file at most (Glue: 1 MiB)
 * @param filesPerTable files classified per table by {@link Classifier#classifyTable}; the rest are
 *     assumed to share the schema (Glue's {@code SampleSize}; Glue's default is every file)
 * @param maxDecimalScale a plain fixed-point number ({@code 12.50}) with at most this many fraction
 *     digits votes {@code decimal(p,s)}; with more, or in exponent notation, it votes {@code
 *     double}. 0 turns decimals off (every fraction is a double, as Glue does).
 * @param nullTokens values that count as missing and do not vote (compared exactly)
 */
public record ClassifierConfig(
    int sampleRows,
    int sampleBytes,
    int filesPerTable,
    int maxDecimalScale,
    Set<String> nullTokens) {

  public static final int DEFAULT_SAMPLE_ROWS = 1000;
  public static final int DEFAULT_SAMPLE_BYTES = 1 << 20;
  public static final int DEFAULT_FILES_PER_TABLE = 10;
  public static final int DEFAULT_MAX_DECIMAL_SCALE = 2;

  public ClassifierConfig {
    check("sampleRows", sampleRows, 2, 1_000_000);
    check("sampleBytes", sampleBytes, 1024, 64 << 20);
    check("filesPerTable", filesPerTable, 1, 249);
    check("maxDecimalScale", maxDecimalScale, 0, 18);
    if (nullTokens == null) {
      throw new BasinException(CrawlerErrorCode.INVALID_CONFIG, "nullTokens must not be null");
    }
    nullTokens = Set.copyOf(nullTokens);
  }

  /**
   * 1,000 rows, 1 MiB, 10 files, decimals up to scale 2 (money-like; more digits are doubles),
   * nulls: empty, {@code \N}, NULL, null.
   */
  public static ClassifierConfig defaults() {
    return new ClassifierConfig(
        DEFAULT_SAMPLE_ROWS,
        DEFAULT_SAMPLE_BYTES,
        DEFAULT_FILES_PER_TABLE,
        DEFAULT_MAX_DECIMAL_SCALE,
        Set.of("", "\\N", "NULL", "null"));
  }

  public ClassifierConfig withSampleRows(int rows) {
    return new ClassifierConfig(rows, sampleBytes, filesPerTable, maxDecimalScale, nullTokens);
  }

  public ClassifierConfig withSampleBytes(int bytes) {
    return new ClassifierConfig(sampleRows, bytes, filesPerTable, maxDecimalScale, nullTokens);
  }

  public ClassifierConfig withFilesPerTable(int files) {
    return new ClassifierConfig(sampleRows, sampleBytes, files, maxDecimalScale, nullTokens);
  }

  public ClassifierConfig withMaxDecimalScale(int scale) {
    return new ClassifierConfig(sampleRows, sampleBytes, filesPerTable, scale, nullTokens);
  }

  private static void check(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new BasinException(
          CrawlerErrorCode.INVALID_CONFIG,
          name + " must be between " + min + " and " + max + ", was " + value);
    }
  }
}
