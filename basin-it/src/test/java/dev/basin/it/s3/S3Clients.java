package dev.basin.it.s3;

import dev.basin.it.BasinProcess;
import dev.basin.server.auth.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** AWS SDK v2 S3 clients pointed at a Basin server, and test-data helpers. */
public final class S3Clients {
  private S3Clients() {}

  public static StaticCredentialsProvider credentials(BasinProcess basin) {
    Credentials c = basin.credentials();
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
  }

  public static S3Client client(BasinProcess basin) {
    return S3Client.builder()
        .endpointOverride(basin.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials(basin))
        .forcePathStyle(true)
        .httpClient(ApacheHttpClient.create())
        .build();
  }

  static S3Presigner presigner(BasinProcess basin) {
    return S3Presigner.builder()
        .endpointOverride(basin.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials(basin))
        .serviceConfiguration(
            software.amazon.awssdk.services.s3.S3Configuration.builder()
                .pathStyleAccessEnabled(true)
                .build())
        .build();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Path randomFile(Path dir, String name, long size, long seed) throws IOException {
    Path f = dir.resolve(name);
    Random r = new Random(seed);
    byte[] buf = new byte[1 << 20];
    try (var out = Files.newOutputStream(f)) {
      for (long done = 0; done < size; done += buf.length) {
        r.nextBytes(buf);
        out.write(buf, 0, (int) Math.min(buf.length, size - done));
      }
    }
    return f;
  }

  static String md5(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String md5(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return md5(in);
    }
  }

  static String md5(InputStream in) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
