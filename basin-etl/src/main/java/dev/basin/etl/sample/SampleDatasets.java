package dev.basin.etl.sample;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sample datasets behind {@code basin sample-data}: deterministic CSV files shaped like the
 * data of the pipelines Basin replaces.
 *
 * <ul>
 *   <li>{@code spotify}: {@code artists/artists.csv}, {@code albums/albums.csv} and {@code
 *       tracks/tracks.csv}, joined by ids, with {@code artist_name} and {@code artist_id} repeated
 *       on purpose (a join-and-drop-fields job removes them).
 *   <li>{@code employees}: {@code employees/employees.csv}; salary grows with age, number of skills
 *       and department.
 *   <li>{@code sales}: {@code sales/sales.csv}; a year of daily transactions ending 2025-12-31,
 *       with weekly and year-end seasonality.
 * </ul>
 *
 * <p>Each file sits in its own folder so that it can be one table (an external table's location or
 * a crawler's unit). For a given name, seed and row count the bytes are always the same.
 */
public final class SampleDatasets {
  /** The largest row count accepted. */
  public static final long MAX_ROWS = 100_000_000L;

  private static final Map<String, Dataset> DATASETS = new LinkedHashMap<>();

  static {
    for (Dataset d :
        new Dataset[] {new SpotifyDataset(), new EmployeesDataset(), new SalesDataset()}) {
      DATASETS.put(d.name(), d);
    }
  }

  private SampleDatasets() {}

  /** The dataset names, in a fixed order. */
  public static List<String> names() {
    return List.copyOf(DATASETS.keySet());
  }

  /** A one-line description of a dataset. */
  public static String description(String name) {
    return dataset(name).description();
  }

  /** The relative paths of the files that {@link #write} produces for {@code name}. */
  public static List<String> files(String name) {
    return dataset(name).files();
  }

  /**
   * Writes a dataset: opens one stream per file from {@code sink}, writes the CSV (UTF-8, header
   * row) and closes it. {@code rows} is the size of the main file (tracks for {@code spotify}).
   *
   * @return each file written, with its row and byte counts
   * @throws BasinException INVALID_ARGUMENT for an unknown name or a row count outside 1..{@link
   *     #MAX_ROWS}
   * @throws IOException from the sink's streams; files written before it stay written
   */
  public static List<SampleFile> write(String name, long rows, long seed, FileSink sink)
      throws IOException {
    Dataset d = dataset(name);
    checkRows(rows);
    return d.write(rows, seed, sink);
  }

  /** Checks a row count without writing anything. */
  public static void checkRows(long rows) {
    if (rows < 1 || rows > MAX_ROWS) {
      throw new BasinException(
          CommonErrorCode.INVALID_ARGUMENT,
          "rows must be between 1 and " + MAX_ROWS + ", got " + rows);
    }
  }

  private static Dataset dataset(String name) {
    Dataset d = name == null ? null : DATASETS.get(name);
    if (d == null) {
      throw new BasinException(
          CommonErrorCode.INVALID_ARGUMENT,
          "unknown sample dataset '" + name + "'; choose one of " + String.join(", ", names()));
    }
    return d;
  }
}
