package dev.basin.etl.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SampleDatasetsTest {

  /** Writes a dataset into memory: file name → bytes. */
  private static Map<String, byte[]> generate(String name, long rows, long seed)
      throws IOException {
    Map<String, ByteArrayOutputStream> outs = new LinkedHashMap<>();
    List<SampleFile> files =
        SampleDatasets.write(
            name,
            rows,
            seed,
            f -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              assertThat(outs.put(f, out)).as("opened twice: %s", f).isNull();
              return out;
            });
    assertThat(files).extracting(SampleFile::name).isEqualTo(SampleDatasets.files(name));
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    for (SampleFile f : files) {
      byte[] b = outs.get(f.name()).toByteArray();
      assertThat(f.bytes()).as(f.name()).isEqualTo(b.length);
      assertThat(parse(b).size() - 1).as(f.name()).isEqualTo(f.rows());
      bytes.put(f.name(), b);
    }
    return bytes;
  }

  /** An RFC 4180 reader: records of fields, quotes doubled inside quoted fields. */
  static List<List<String>> parse(byte[] csv) {
    String s = new String(csv, StandardCharsets.UTF_8);
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        assertThat(field.length()).as("quote inside an unquoted field at %d", i).isZero();
        quoted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    assertThat(quoted).as("unterminated quote").isFalse();
    assertThat(field.length() + row.size()).as("last line ends with a newline").isZero();
    return rows;
  }

  /** Rows as maps from column name to value, checking every row has the header's width. */
  private static List<Map<String, String>> table(byte[] csv) {
    List<List<String>> rows = parse(csv);
    List<String> header = rows.get(0);
    List<Map<String, String>> out = new ArrayList<>();
    for (List<String> r : rows.subList(1, rows.size())) {
      assertThat(r).as("row %s", r).hasSize(header.size());
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        m.put(header.get(i), r.get(i));
      }
      out.add(m);
    }
    return out;
  }

  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDifferentOnes() throws IOException {
    for (String name : SampleDatasets.names()) {
      Map<String, byte[]> a = generate(name, 1_500, 42);
      Map<String, byte[]> b = generate(name, 1_500, 42);
      Map<String, byte[]> c = generate(name, 1_500, 43);
      for (String f : a.keySet()) {
        assertThat(b.get(f)).as("%s/%s same seed", name, f).isEqualTo(a.get(f));
        assertThat(c.get(f)).as("%s/%s other seed", name, f).isNotEqualTo(a.get(f));
      }
    }
  }

  @Test
  void datasetsHaveTheirColumnsAndRowCounts() throws IOException {
    Map<String, byte[]> spotify = generate("spotify", 1_234, 7);
    assertThat(parse(spotify.get("artists/artists.csv")).get(0))
        .containsExactly("artist_id", "artist_name", "artist_popularity", "followers", "genres");
    assertThat(parse(spotify.get("albums/albums.csv")).get(0))
        .startsWith("album_id", "album_name", "artist_id", "artist_name", "release_date");
    assertThat(parse(spotify.get("tracks/tracks.csv")).get(0))
        .startsWith("track_id", "track_name", "album_id", "artist_id")
        .contains("duration_ms", "explicit", "popularity", "danceability", "energy", "tempo");
    assertThat(table(spotify.get("tracks/tracks.csv"))).hasSize(1_234);
    assertThat(table(spotify.get("albums/albums.csv"))).hasSize(123);
    assertThat(table(spotify.get("artists/artists.csv"))).hasSize(24);

    Map<String, byte[]> tiny = generate("spotify", 1, 7);
    for (byte[] f : tiny.values()) {
      assertThat(table(f)).hasSize(1);
    }
    assertThat(parse(generate("employees", 321, 1).get("employees/employees.csv")).get(0))
        .containsExactly(
            "employee_id", "name", "age", "department", "skills", "salary", "hire_date");
    assertThat(table(generate("employees", 321, 1).get("employees/employees.csv"))).hasSize(321);
    assertThat(parse(generate("sales", 1, 1).get("sales/sales.csv")).get(0))
        .containsExactly(
            "transaction_id",
            "date",
            "store",
            "product",
            "category",
            "customer",
            "quantity",
            "price");
    for (long n : new long[] {1, 2, 364, 365, 366, 9_999}) {
      assertThat(table(generate("sales", n, 3).get("sales/sales.csv"))).hasSize((int) n);
    }
  }

  @Test
  void spotifyForeignKeysAllResolve() throws IOException {
    Map<String, byte[]> set = generate("spotify", 5_000, 99);
    List<Map<String, String>> artists = table(set.get("artists/artists.csv"));
    List<Map<String, String>> albums = table(set.get("albums/albums.csv"));
    List<Map<String, String>> tracks = table(set.get("tracks/tracks.csv"));

    Map<String, String> artistNames = new HashMap<>();
    for (Map<String, String> a : artists) {
      assertThat(a.get("artist_id")).hasSize(22);
      assertThat(artistNames.put(a.get("artist_id"), a.get("artist_name")))
          .as("duplicate artist id")
          .isNull();
    }
    Map<String, Map<String, String>> albumById = new HashMap<>();
    Set<String> artistsWithAlbums = new HashSet<>();
    for (Map<String, String> a : albums) {
      assertThat(albumById.put(a.get("album_id"), a)).as("duplicate album id").isNull();
      assertThat(artistNames).containsKey(a.get("artist_id"));
      assertThat(a.get("artist_name")).isEqualTo(artistNames.get(a.get("artist_id")));
      artistsWithAlbums.add(a.get("artist_id"));
      LocalDate.parse(a.get("release_date"));
    }
    assertThat(artistsWithAlbums).hasSize(artists.size());

    Set<String> trackIds = new HashSet<>();
    Map<String, Integer> perAlbum = new HashMap<>();
    for (Map<String, String> t : tracks) {
      assertThat(trackIds.add(t.get("track_id"))).as("duplicate track id").isTrue();
      Map<String, String> album = albumById.get(t.get("album_id"));
      assertThat(album).as("album of %s", t).isNotNull();
      assertThat(t.get("artist_id")).isEqualTo(album.get("artist_id"));
      perAlbum.merge(t.get("album_id"), 1, Integer::sum);
      assertThat(Integer.parseInt(t.get("track_number")))
          .isEqualTo(perAlbum.get(t.get("album_id")));
      double d = Double.parseDouble(t.get("danceability"));
      assertThat(d).isBetween(0.0, 1.0);
      assertThat(t.get("explicit")).isIn("true", "false");
    }
    for (Map<String, String> a : albums) {
      assertThat(perAlbum.get(a.get("album_id")))
          .as("tracks of album %s", a.get("album_id"))
          .isEqualTo(Integer.parseInt(a.get("total_tracks")));
    }
  }

  @Test
  void valuesWithCommasAndQuotesRoundTrip() throws IOException {
    boolean comma = false;
    boolean quote = false;
    for (String name : SampleDatasets.names()) {
      for (byte[] f : generate(name, 3_000, 5).values()) {
        for (Map<String, String> row : table(f)) {
          for (String v : row.values()) {
            comma |= v.contains(",");
            quote |= v.contains("\"");
          }
        }
      }
    }
    assertThat(comma).as("some value contains a comma").isTrue();
    assertThat(quote).as("some value contains a double quote").isTrue();
    assertThat(quoted("a,b")).isEqualTo("\"a,b\"");
    assertThat(quoted("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(quoted("line\nbreak")).isEqualTo("\"line\nbreak\"");
    assertThat(quoted("plain 'ok'")).isEqualTo("plain 'ok'");
  }

  private static String quoted(String v) {
    StringBuilder sb = new StringBuilder();
    CsvWriter.append(sb, v);
    return sb.toString();
  }

  @Test
  void employeeSalariesFollowAgeSkillsAndDepartment() throws IOException {
    List<Map<String, String>> rows =
        table(generate("employees", 5_000, 2026).get("employees/employees.csv"));
    double[] age = new double[rows.size()];
    double[] skills = new double[rows.size()];
    double[] salary = new double[rows.size()];
    Map<String, double[]> byDept = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      Map<String, String> r = rows.get(i);
      age[i] = Integer.parseInt(r.get("age"));
      skills[i] = r.get("skills").split(";").length;
      salary[i] = Long.parseLong(r.get("salary"));
      assertThat(age[i]).isBetween(22.0, 65.0);
      LocalDate hired = LocalDate.parse(r.get("hire_date"));
      assertThat(hired).isBeforeOrEqualTo(LocalDate.of(2025, 12, 31));
      assertThat(hired.getYear() - (2025 - (int) age[i]))
          .as("hired at 18 or later")
          .isGreaterThanOrEqualTo(18);
      double[] sum = byDept.computeIfAbsent(r.get("department"), k -> new double[2]);
      sum[0] += salary[i];
      sum[1]++;
      assertThat(Long.parseLong(r.get("employee_id"))).isEqualTo(i + 1);
    }
    assertThat(pearson(age, salary)).isGreaterThan(0.4);
    assertThat(pearson(skills, salary)).isGreaterThan(0.3);
    assertThat(byDept).hasSize(EmployeesDataset.DEPARTMENTS.size());
    double engineering = byDept.get("Engineering")[0] / byDept.get("Engineering")[1];
    double support = byDept.get("Support")[0] / byDept.get("Support")[1];
    assertThat(engineering).isGreaterThan(support * 1.3);
  }

  @Test
  void salesAreInDateOrderWithWeeklySeasonality() throws IOException {
    List<Map<String, String>> rows = table(generate("sales", 36_500, 8).get("sales/sales.csv"));
    Map<DayOfWeek, Integer> perWeekday = new HashMap<>();
    LocalDate previous = LocalDate.MIN;
    long id = 0;
    for (Map<String, String> r : rows) {
      LocalDate d = LocalDate.parse(r.get("date"));
      assertThat(d)
          .isAfterOrEqualTo(previous)
          .isBetween(LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31));
      previous = d;
      assertThat(Long.parseLong(r.get("transaction_id"))).isEqualTo(++id);
      assertThat(Integer.parseInt(r.get("quantity"))).isBetween(1, 5);
      assertThat(r.get("price")).matches("\\d+\\.\\d\\d");
      assertThat(r.get("customer")).matches("C\\d{6}");
      perWeekday.merge(d.getDayOfWeek(), 1, Integer::sum);
    }
    assertThat(perWeekday.get(DayOfWeek.SATURDAY))
        .isGreaterThan((int) (perWeekday.get(DayOfWeek.MONDAY) * 1.5));
  }

  @Test
  void rejectsUnknownNamesAndBadRowCounts() {
    FileSink none =
        f -> {
          throw new AssertionError("nothing may be written");
        };
    assertThatThrownBy(() -> SampleDatasets.write("netflix", 10, 1, none))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("unknown sample dataset 'netflix'")
        .hasMessageContaining("spotify, employees, sales");
    assertThatThrownBy(() -> SampleDatasets.write("spotify", 0, 1, none))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("rows must be between 1 and 100000000, got 0");
    assertThatThrownBy(() -> SampleDatasets.write("sales", SampleDatasets.MAX_ROWS + 1, 1, none))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("got 100000001");
    assertThat(Rand.fixed(-1.005, 2)).isEqualTo("-1.00");
    assertThat(Rand.fixed(0.05, 3)).isEqualTo("0.050");
    assertThat(Rand.fixed(12, 0)).isEqualTo("12");
  }

  private static double pearson(double[] x, double[] y) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= x.length;
    my /= y.length;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
