package dev.basin.server.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies with a size limit. An oversized body is still read to its end (up to a
 * bound) and discarded before the caller answers, so a client that sends the whole body before
 * reading the response gets the error instead of a connection reset.
 */
public final class RequestBodies {
  private RequestBodies() {}

  /** Thrown when a body is larger than allowed. */
  public static final class TooLargeException extends RuntimeException {
    private final long limit;

    TooLargeException(long limit, String size) {
      super("Request body of " + size + " exceeds the limit of " + limit + " bytes");
      this.limit = limit;
    }

    public long limit() {
      return limit;
    }
  }

  /**
   * The whole body, at most {@code limit} bytes.
   *
   * @throws TooLargeException if the body (declared or actual) is larger
   */
  public static byte[] read(Context ctx, long limit) {
    long declared = ctx.req().getContentLengthLong();
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared > limit) {
        discard(in, limit * 4);
        throw new TooLargeException(limit, declared + " bytes");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > limit) {
          discard(in, limit * 4);
          throw new TooLargeException(limit, "more than " + limit + " bytes");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
  }

  private static void discard(InputStream in, long max) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while (total < max && (n = in.read(buf)) > 0) {
      total += n;
    }
  }
}
