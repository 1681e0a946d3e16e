package dev.basin.delivery;

import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.DatabaseInput;
import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import dev.basin.stream.PutEntry;
import dev.basin.stream.StreamListener;
import dev.basin.stream.StreamService;
import dev.basin.stream.StreamsConfig;
import dev.basin.stream.log.LocalStreamLog;
import dev.basin.stream.log.LocalStreamLogConfig;
import dev.basin.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/** Streams, an object store and a catalog in a temp dir, for delivery tests. */
final class DeliveryFixture implements AutoCloseable {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "user", Types.StringType.get()),
          Types.NestedField.optional(3, "n", Types.IntegerType.get()));

  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final LocalStreamLog log;
  final StreamService streams;
  final LocalObjectStore store;
  final LakeCatalog catalog;
  final List<DeliveryWorker> workers = new ArrayList<>();

  DeliveryFixture(Path dir) {
    log = new LocalStreamLog(LocalStreamLogConfig.defaults(dir.resolve("streams")), clock);
    streams =
        new StreamService(
            log,
            dir.resolve("streams"),
            KEY,
            StreamsConfig.defaults(),
            clock,
            StreamListener.NONE,
            "000000000000");
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir.resolve("objects")));
    store.createBucket("curated");
    store.createBucket("errors");
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, clock);
    catalog.databases().create(DatabaseInput.named("lake"));
    catalog.iceberg().createTable(TableIdentifier.of("lake", "events"), SCHEMA);
  }

  DeliveryWorker track(DeliveryWorker w) {
    workers.add(w);
    return w;
  }

  void put(String stream, String json) {
    streams.putRecord(stream, new PutEntry("k", null, json.getBytes(StandardCharsets.UTF_8)));
  }

  void put(String stream, byte[] data) {
    streams.putRecord(stream, new PutEntry("k", null, data));
  }

  /** Objects under a prefix of a bucket, decompressed by their extension. */
  Map<String, String> objects(String bucket, String prefix) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (ObjectInfo o : store.list(bucket, ListRequest.prefix(prefix)).objects()) {
      try (ObjectContent c = store.get(bucket, o.key(), GetOptions.current())) {
        byte[] b = c.stream().readAllBytes();
        out.put(o.key(), new String(decompress(o.key(), b), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  static byte[] decompress(String key, byte[] b) throws Exception {
    InputStream in = new ByteArrayInputStream(b);
    if (key.endsWith(".gz")) {
      in = new GZIPInputStream(in);
    } else if (key.endsWith(".zst")) {
      in = new com.github.luben.zstd.ZstdInputStream(in);
    } else if (key.endsWith(".snappy")) {
      in = new org.xerial.snappy.SnappyFramedInputStream(in);
    }
    try (InputStream decoded = in) {
      return decoded.readAllBytes();
    }
  }

  Table table() {
    return catalog.iceberg().loadTable(TableIdentifier.of("lake", "events"));
  }

  List<Long> ids() throws Exception {
    List<Long> ids = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table()).build()) {
      for (Record r : rows) {
        ids.add((Long) r.getField("id"));
      }
    }
    ids.sort(null);
    return ids;
  }

  @Override
  public void close() {
    workers.forEach(DeliveryWorker::close);
    catalog.close();
    store.close();
    streams.close();
    log.close();
  }
}
