package dev.basin.catalog.crawler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.common.error.BasinException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetClassifierTest {

  static final String EXPECTED_COLUMNS =
      "id:bigint,qty:int,tiny:tinyint,order_date:date,created_at:timestamp,legacy_ts:timestamp,"
          + "amount:decimal(12,2),big_amount:decimal(30,4),score:float,ratio:double,paid:boolean,"
          + "customer:string,blob:binary,tags:array<string>,legacy_list:array<int>,"
          + "address:struct<city:string,zip:int>,attrs:map<string,bigint>,"
          + "lines:array<struct<sku:string,qty:double>>,old_style:array<string>";

  @TempDir Path dir;

  private final Classifier classifier = new Classifier(ClassifierConfig.defaults());

  @Test
  void mapsFooterSchemaToGlueTypes() throws Exception {
    byte[] bytes = ParquetFiles.orders(dir);
    Classification c = classifier.classify(ObjectSample.of("orders.parquet", bytes));
    assertThat(c.format()).isEqualTo(DataFormat.PARQUET);
    assertThat(c.serdeLibrary()).isEqualTo(DataFormat.PARQUET.serdeLibrary());
    assertThat(c.tableParameters()).containsEntry("classification", "parquet");
    assertThat(
            c.columns().stream()
                .map(col -> col.name() + ":" + col.type())
                .collect(Collectors.joining(",")))
        .isEqualTo(EXPECTED_COLUMNS);
    for (Column col : c.columns()) {
      dev.basin.catalog.HiveType.parse(col.type()); // every type is valid Glue syntax
    }
  }

  @Test
  void readsOnlyTheHeadAndTheFooterRanges() throws Exception {
    byte[] bytes = ParquetFiles.orders(dir);
    byte[] head = Arrays.copyOf(bytes, 8);
    AtomicLong lowest = new AtomicLong(Long.MAX_VALUE);
    ObjectSample sample =
        ObjectSample.of(
            "orders.parquet",
            head,
            bytes.length,
            (off, len) -> {
              lowest.accumulateAndGet(off, Math::min);
              return Arrays.copyOfRange(bytes, (int) off, (int) Math.min(bytes.length, off + len));
            });
    assertThat(classifier.classify(sample).columns()).hasSize(19);
    // footer-only: nothing before the footer's start (the file's last few hundred bytes) is read
    assertThat(lowest.get()).isGreaterThan(bytes.length / 3);
  }

  @Test
  void truncatedParquetIsAClearError() throws Exception {
    byte[] bytes = ParquetFiles.orders(dir);
    assertThatThrownBy(
            () ->
                classifier.classify(
                    ObjectSample.of("t.parquet", Arrays.copyOf(bytes, bytes.length - 1))))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("'t.parquet'")
        .hasMessageContaining("does not end with the Parquet magic")
        .satisfies(
            e ->
                assertThat(((BasinException) e).code()).isEqualTo(CrawlerErrorCode.CORRUPT_OBJECT));
  }

  @Test
  void corruptFooterIsAClearError() throws Exception {
    byte[] bytes = ParquetFiles.orders(dir);
    byte[] broken = bytes.clone();
    for (int i = broken.length - 60; i < broken.length - 8; i++) {
      broken[i] = (byte) 0xee;
    }
    assertThatThrownBy(() -> classifier.classify(ObjectSample.of("c.parquet", broken)))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("'c.parquet'")
        .hasMessageContaining("footer");
  }

  @Test
  void headOnlySampleWithoutReaderIsAClearError() throws Exception {
    byte[] bytes = ParquetFiles.orders(dir);
    ObjectSample sample =
        ObjectSample.of("h.parquet", Arrays.copyOf(bytes, 100), bytes.length, null);
    assertThatThrownBy(() -> classifier.classify(sample))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("only the first 100 bytes");
  }
}
