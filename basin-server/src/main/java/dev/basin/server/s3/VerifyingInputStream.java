package dev.basin.server.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Passes a request body through while computing the digests the request promised (a signed {@code
 * x-amz-content-sha256}, {@code x-amz-checksum-*} from a header or a trailer) and a size cap. The
 * digests are compared when the body is complete — on the read that returns its last byte when the
 * length is known, or at end of input — so a reader that stops after the declared length has still
 * seen a mismatch. Failures are thrown as {@link AwsChunkedInputStream.ChunkException} and kept in
 * {@link #failure()}.
 */
final class VerifyingInputStream extends FilterInputStream {
  /** One promised digest; {@code expected} is asked only once the body is complete. */
  record Check(Checksums.Digest digest, Supplier<String> expected, Mismatch onMismatch) {}

  /** Builds the error for a mismatch from the expected and computed values. */
  interface Mismatch {
    S3Exception error(String expected, String computed);
  }

  private final long expectedLength;
  private final long maxBytes;
  private final List<Check> checks;
  private final Runnable beforeVerify;
  private long count;
  private boolean verified;
  private S3Exception failure;

  /**
   * @param expectedLength the body's length, or -1 if unknown
   * @param maxBytes the most bytes allowed ({@code EntityTooLarge} beyond)
   * @param beforeVerify runs once the last byte is read and before the digests are compared (reads
   *     a chunked body's trailer); may throw {@link AwsChunkedInputStream.ChunkException} wrapped
   *     in {@link java.io.UncheckedIOException}
   */
  VerifyingInputStream(
      InputStream in,
      long expectedLength,
      long maxBytes,
      List<Check> checks,
      Runnable beforeVerify) {
    super(in);
    this.expectedLength = expectedLength;
    this.maxBytes = maxBytes;
    this.checks = new ArrayList<>(checks);
    this.beforeVerify = beforeVerify;
  }

  S3Exception failure() {
    return failure;
  }

  long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (failure != null) {
      throw new AwsChunkedInputStream.ChunkException(failure);
    }
    int n = super.read(b, off, len);
    if (n < 0) {
      verify();
      return -1;
    }
    count += n;
    if (count > maxBytes) {
      throw fail(
          new S3Exception(
              "EntityTooLarge",
              400,
              "Your proposed upload exceeds the maximum allowed object size of "
                  + maxBytes
                  + " bytes; use a multipart upload"));
    }
    for (Check c : checks) {
      c.digest().update(b, off, n);
    }
    if (expectedLength >= 0 && count >= expectedLength) {
      verify();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long done = 0;
    while (done < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Compares the digests (once). */
  void verify() throws IOException {
    if (verified) {
      return;
    }
    verified = true;
    if (beforeVerify != null) {
      try {
        beforeVerify.run();
      } catch (java.io.UncheckedIOException e) {
        if (e.getCause() instanceof AwsChunkedInputStream.ChunkException ce) {
          failure = ce.error();
        }
        throw e.getCause();
      } catch (S3Exception e) {
        throw fail(e);
      }
    }
    for (Check c : checks) {
      String expected;
      try {
        expected = c.expected().get();
      } catch (S3Exception e) {
        throw fail(e);
      }
      String computed = c.digest().base64();
      if (expected != null && !expected.equals(computed)) {
        throw fail(c.onMismatch().error(expected, computed));
      }
    }
  }

  private AwsChunkedInputStream.ChunkException fail(S3Exception e) {
    failure = e;
    return new AwsChunkedInputStream.ChunkException(e);
  }
}
