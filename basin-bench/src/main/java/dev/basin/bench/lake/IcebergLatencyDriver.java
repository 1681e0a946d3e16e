package dev.basin.bench.lake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;

/**
 * One benchmark process: Iceberg commit and table-load latency through Basin's Iceberg REST
 * endpoint (Iceberg's own {@link RESTCatalog} client writing manifests through Basin's S3 API, as
 * Spark does), and the same operations on Iceberg's {@link JdbcCatalog} embedded in this process
 * (SQLite and local files, no HTTP) as the peer. Each commit appends one data file's metadata; the
 * file itself is never read. Prints one {@code RESULT <json>} line.
 */
public final class IcebergLatencyDriver {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "payload", Types.StringType.get()));

  private IcebergLatencyDriver() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    String endpoint = a.required("endpoint");
    String id = a.required("access-key");
    String secret = a.required("secret-key");
    int commits = a.integer("commits", 200);
    int loads = a.integer("loads", 1000);
    Path peerDir = Path.of(a.required("peer-dir"));
    Files.createDirectories(peerDir);

    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    ArrayNode rows = out.putArray("rows");

    Map<String, String> rest = new HashMap<>();
    rest.put("uri", endpoint + "/iceberg");
    rest.put("credential", id + ":" + secret);
    rest.put("rest.auth.type", "oauth2");
    rest.put("oauth2-server-uri", endpoint + "/iceberg/v1/oauth/tokens");
    rest.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    rest.put("s3.endpoint", endpoint);
    rest.put("s3.path-style-access", "true");
    rest.put("s3.access-key-id", id);
    rest.put("s3.secret-access-key", secret);
    rest.put("client.region", "us-east-1");
    try (RESTCatalog catalog = new RESTCatalog()) {
      catalog.initialize("basin", rest);
      measure("basin-rest", catalog, catalog, commits, loads, json, rows);
    }

    Map<String, String> jdbc = new HashMap<>();
    jdbc.put("uri", "jdbc:sqlite:" + peerDir.resolve("catalog.db"));
    jdbc.put("warehouse", peerDir.resolve("warehouse").toUri().toString());
    jdbc.put("jdbc.schema-version", "V1");
    jdbc.put("io-impl", "org.apache.iceberg.hadoop.HadoopFileIO");
    try (JdbcCatalog catalog = new JdbcCatalog()) {
      catalog.setConf(new org.apache.hadoop.conf.Configuration());
      catalog.initialize("peer", jdbc);
      measure("iceberg-jdbc-embedded", catalog, catalog, commits, loads, json, rows);
    }
    System.out.println("RESULT " + json.writeValueAsString(out));
  }

  private static void measure(
      String system,
      Catalog catalog,
      SupportsNamespaces namespaces,
      int commits,
      int loads,
      ObjectMapper json,
      ArrayNode rows) {
    Namespace ns = Namespace.of("bench_" + Long.toHexString(System.nanoTime()));
    namespaces.createNamespace(ns);
    TableIdentifier name = TableIdentifier.of(ns, "commits");
    Table table = catalog.createTable(name, SCHEMA, PartitionSpec.unpartitioned());
    int warm = Math.min(20, commits);
    long[] commitMicros = new long[commits];
    for (int i = -warm; i < commits; i++) {
      DataFile file =
          DataFiles.builder(PartitionSpec.unpartitioned())
              .withPath(table.location() + "/data/bench-" + (i + warm) + ".parquet")
              .withFileSizeInBytes(4096)
              .withRecordCount(100)
              .withFormat(FileFormat.PARQUET)
              .build();
      long start = System.nanoTime();
      table.newFastAppend().appendFile(file).commit();
      if (i >= 0) {
        commitMicros[i] = (System.nanoTime() - start) / 1000;
      }
    }
    long[] loadMicros = new long[loads];
    for (int i = -warm; i < loads; i++) {
      long start = System.nanoTime();
      Table loaded = catalog.loadTable(name);
      if (loaded.currentSnapshot() == null) {
        throw new IllegalStateException("loaded table has no snapshot");
      }
      if (i >= 0) {
        loadMicros[i] = (System.nanoTime() - start) / 1000;
      }
    }
    rows.add(row(json, system, "commit", commitMicros));
    rows.add(row(json, system, "load", loadMicros));
  }

  private static ObjectNode row(ObjectMapper json, String system, String op, long[] micros) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    ObjectNode r = json.createObjectNode();
    r.put("system", system);
    r.put("op", op);
    r.put("count", sorted.length);
    r.put("p50Ms", percentile(sorted, 50) / 1000.0);
    r.put("p99Ms", percentile(sorted, 99) / 1000.0);
    r.put("maxMs", sorted[sorted.length - 1] / 1000.0);
    return r;
  }

  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
