package dev.basin.bench.lake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * One benchmark process: PUTs and GETs objects of each size through Basin's S3 API with the AWS SDK
 * v2 (one request at a time), then writes and reads the same bytes as plain files on the same disk
 * with an fsync per file, like {@code dd conv=fsync}. Prints one {@code RESULT <json>} line.
 */
public final class S3ThroughputDriver {
  private S3ThroughputDriver() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    String endpoint = a.required("endpoint");
    Path diskDir = Path.of(a.required("disk-dir"));
    int trials = a.integer("trials", 3);
    Files.createDirectories(diskDir);
    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    ArrayNode rows = out.putArray("rows");
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(URI.create(endpoint))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .httpClient(ApacheHttpClient.builder().maxConnections(4).build())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(a.required("access-key"), a.required("secret-key"))))
            .build()) {
      String bucket = "bench-" + Long.toHexString(System.nanoTime());
      s3.createBucket(b -> b.bucket(bucket));
      for (String spec : a.string("sizes", "1048576:40,67108864:3").split(",")) {
        String[] parts = spec.split(":");
        int size = Integer.parseInt(parts[0]);
        int count = Integer.parseInt(parts[1]);
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(payload));
        byte[] buffer = new byte[1 << 20];
        // Trial -1 is an unrecorded warm-up of both sides: JIT, connection pool, page cache.
        for (int t = -1; t < trials; t++) {
          String prefix = "t" + (t + 1) + "/" + size;
          long putNanos = putAll(s3, bucket, prefix, payload, count);
          long getNanos = 0;
          for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            long read = 0;
            String key = prefix + "/" + i;
            try (ResponseInputStream<GetObjectResponse> in =
                s3.getObject(g -> g.bucket(bucket).key(key))) {
              int n;
              while ((n = in.read(buffer)) > 0) {
                read += n;
              }
              if (read != size || !in.response().eTag().contains(md5)) {
                throw new IllegalStateException("object " + key + " came back wrong");
              }
            }
            getNanos += System.nanoTime() - start;
          }
          if (t >= 0) {
            rows.add(row(json, "basin-s3", "put", size, count, putNanos, t));
            rows.add(row(json, "basin-s3", "get", size, count, getNanos, t));
          }

          long diskPut = 0;
          long diskGet = 0;
          for (int i = 0; i < count; i++) {
            Path file = diskDir.resolve("t" + (t + 1) + "-" + size + "-" + i);
            long start = System.nanoTime();
            try (FileChannel ch =
                FileChannel.open(
                    file,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
              ByteBuffer src = ByteBuffer.wrap(payload);
              while (src.hasRemaining()) {
                ch.write(src);
              }
              ch.force(true);
            }
            diskPut += System.nanoTime() - start;
          }
          for (int i = 0; i < count; i++) {
            Path file = diskDir.resolve("t" + (t + 1) + "-" + size + "-" + i);
            long start = System.nanoTime();
            long read = 0;
            try (InputStream in = Files.newInputStream(file)) {
              int n;
              while ((n = in.read(buffer)) > 0) {
                read += n;
              }
            }
            if (read != size) {
              throw new IllegalStateException("short read of " + file);
            }
            diskGet += System.nanoTime() - start;
            Files.delete(file);
          }
          if (t >= 0) {
            rows.add(row(json, "disk", "put", size, count, diskPut, t));
            rows.add(row(json, "disk", "get", size, count, diskGet, t));
          }
          for (int i = 0; i < count; i++) {
            String key = prefix + "/" + i;
            s3.deleteObject(d -> d.bucket(bucket).key(key));
          }
        }
      }
    }
    System.out.println("RESULT " + json.writeValueAsString(out));
  }

  private static long putAll(S3Client s3, String bucket, String prefix, byte[] payload, int count) {
    long nanos = 0;
    for (int i = 0; i < count; i++) {
      String key = prefix + "/" + i;
      long start = System.nanoTime();
      s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(payload));
      nanos += System.nanoTime() - start;
    }
    return nanos;
  }

  private static ObjectNode row(
      ObjectMapper json, String system, String op, int size, int count, long nanos, int trial) {
    ObjectNode r = json.createObjectNode();
    r.put("system", system);
    r.put("op", op);
    r.put("size", size);
    r.put("count", count);
    r.put("trial", trial);
    r.put("seconds", nanos / 1e9);
    r.put("mibPerSecond", (double) size * count / (1 << 20) / (nanos / 1e9));
    r.put("msPerObject", nanos / 1e6 / count);
    return r;
  }
}
