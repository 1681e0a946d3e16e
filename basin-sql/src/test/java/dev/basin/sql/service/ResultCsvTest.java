package dev.basin.sql.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultCsvTest {

  private static byte[] write(List<List<String>> rows) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ResultCsv.Writer w = new ResultCsv.Writer(out);
    for (List<String> r : rows) {
      w.row(r);
    }
    assertThat(w.bytes()).isEqualTo(out.size());
    return out.toByteArray();
  }

  @Test
  void quotesEveryValueAndWritesNullAsAnEmptyField() throws IOException {
    byte[] csv = write(List.of(Arrays.asList("a", null, "", "say \"hi\"", "x,y\nz")));
    assertThat(new String(csv, StandardCharsets.UTF_8))
        .isEqualTo("\"a\",,\"\",\"say \"\"hi\"\"\",\"x,y\nz\"\n");
  }

  @Test
  void readsBackByByteOffsetsAcrossMultiByteCharacters() throws IOException {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(Arrays.asList("zürich ✓ " + i, i % 3 == 0 ? null : "q\"" + i, "line\r\nbreak"));
    }
    rows.add(Arrays.asList((String) null, null, null));
    byte[] csv = write(rows);
    List<List<String>> read = new ArrayList<>();
    long offset = 0;
    while (offset < csv.length) {
      ResultCsv.Chunk c =
          ResultCsv.read(new ByteArrayInputStream(csv, (int) offset, csv.length - (int) offset), 7);
      read.addAll(c.rows());
      offset += c.bytesRead();
    }
    assertThat(offset).isEqualTo(csv.length);
    assertThat(read).isEqualTo(rows);
  }

  @Test
  void aTruncatedFileIsAnError() {
    byte[] csv = "\"abc".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ResultCsv.read(new ByteArrayInputStream(csv), 10))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ends inside a quoted value");
  }
}
