package dev.basin.it.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.it.BasinProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

/**
 * {@code basin s3 …} and {@code basin lifecycle …} as separate CLI processes against a running
 * server, finding it and its credentials through the data directory.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class S3CliIT {
  @TempDir static Path dir;
  static BasinProcess basin;

  @BeforeAll
  static void start() {
    basin = BasinProcess.builder(dir.resolve("data")).maxHeap("256m").start();
  }

  @AfterAll
  static void stop() {
    if (basin != null) {
      basin.close();
    }
  }

  static BasinProcess.Exit cli(String stdin, String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--data-dir";
    all[args.length + 1] = basin.dataDir().toString();
    return BasinProcess.runMain(Map.of(), stdin, Duration.ofSeconds(120), all);
  }

  @Test
  void s3CommandsCopyListAndRemove() throws Exception {
    Path file = S3Clients.randomFile(dir, "twenty.bin", 20L << 20, 20);
    BasinProcess.Exit mb = cli(null, "s3", "mb", "s3://cli-bucket");
    assertThat(mb.code()).as(mb.stderr()).isZero();
    BasinProcess.Exit up = cli(null, "s3", "cp", file.toString(), "s3://cli-bucket/data/");
    assertThat(up.code()).as(up.stderr()).isZero();
    assertThat(up.stdout()).contains("upload:").contains("s3://cli-bucket/data/twenty.bin");
    BasinProcess.Exit in = cli("from stdin\n", "s3", "cp", "-", "s3://cli-bucket/stdin.txt");
    assertThat(in.code()).as(in.stderr()).isZero();

    BasinProcess.Exit ls = cli(null, "s3", "ls", "s3://cli-bucket");
    assertThat(ls.stdout()).contains("PRE data/").contains("stdin.txt");
    BasinProcess.Exit lsr = cli(null, "s3", "ls", "s3://cli-bucket", "--recursive");
    assertThat(lsr.stdout()).contains(Long.toString(20L << 20) + " data/twenty.bin");
    assertThat(cli(null, "s3", "ls").stdout()).contains("raw").contains("cli-bucket");

    Path back = dir.resolve("back.bin");
    BasinProcess.Exit down =
        cli(null, "s3", "cp", "s3://cli-bucket/data/twenty.bin", back.toString());
    assertThat(down.code()).as(down.stderr()).isZero();
    assertThat(S3Clients.md5(back)).isEqualTo(S3Clients.md5(file));
    assertThat(cli(null, "s3", "cp", "s3://cli-bucket/stdin.txt", "-").stdout())
        .isEqualTo("from stdin\n");
    BasinProcess.Exit copy =
        cli(null, "s3", "cp", "s3://cli-bucket/stdin.txt", "s3://raw/copied.txt");
    assertThat(copy.code()).as(copy.stderr()).isZero();

    BasinProcess.Exit notEmpty = cli(null, "s3", "rb", "s3://cli-bucket");
    assertThat(notEmpty.code()).isEqualTo(1);
    assertThat(notEmpty.stderr()).contains("BucketNotEmpty");
    BasinProcess.Exit rm = cli(null, "s3", "rm", "s3://cli-bucket", "--recursive");
    assertThat(rm.code()).as(rm.stderr()).isZero();
    assertThat(rm.stdout()).contains("2 object(s) deleted");
    assertThat(cli(null, "s3", "rb", "s3://cli-bucket").code()).isZero();
    BasinProcess.Exit missing = cli(null, "s3", "cp", "s3://raw/nope", back.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.stderr()).contains("NoSuchKey");
    assertThat(Files.exists(back)).isTrue();
  }

  @Test
  void lifecycleRunAndHistoryReport() {
    try (S3Client s3 = S3Clients.client(basin)) {
      s3.putBucketLifecycleConfiguration(
          b ->
              b.bucket("raw")
                  .lifecycleConfiguration(
                      c ->
                          c.rules(
                              LifecycleRule.builder()
                                  .id("expire-tmp")
                                  .status(ExpirationStatus.ENABLED)
                                  .filter(f -> f.prefix("tmp/"))
                                  .expiration(e -> e.days(1))
                                  .build())));
    }
    BasinProcess.Exit run = cli(null, "lifecycle", "run");
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("lifecycle run at").contains("0 action(s)");
    BasinProcess.Exit runBucket = cli(null, "lifecycle", "run", "--bucket", "raw");
    assertThat(runBucket.code()).as(runBucket.stderr()).isZero();
    assertThat(runBucket.stdout()).contains("in bucket raw");
    BasinProcess.Exit history = cli(null, "lifecycle", "history", "--bucket", "raw");
    assertThat(history.code()).as(history.stderr()).isZero();
    assertThat(history.stdout()).contains("no lifecycle actions recorded for bucket raw");
    BasinProcess.Exit unknown = cli(null, "lifecycle", "run", "--bucket", "nope");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.stderr()).contains("bucket 'nope' does not exist");
  }
}
