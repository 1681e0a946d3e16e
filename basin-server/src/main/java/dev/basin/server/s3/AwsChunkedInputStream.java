package dev.basin.server.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decodes an S3 {@code aws-chunked} body: {@code hex-size[;chunk-signature=sig]CRLF data CRLF} …
 * {@code 0[;chunk-signature=sig]CRLF}, then optional trailing headers ({@code
 * x-amz-checksum-crc32:…}, {@code x-amz-trailer-signature:…}) and an empty line.
 *
 * <p>With a {@link ChunkSigner} every chunk signature is checked (chained from the request's seed
 * signature) as soon as the chunk's last byte is read, and the trailer signature when the trailer
 * is read. The decoder never returns the last byte of the body before the whole encoding — final
 * chunk and trailer included — has been read and verified, so a reader that stops after the
 * declared number of bytes has still seen every failure. A failure is thrown as {@link
 * ChunkException} (an {@code IOException}) and kept in {@link #failure()}, so the caller can answer
 * with the S3 error however a reader wrapped the exception.
 *
 * <p>Not thread-safe.
 */
final class AwsChunkedInputStream extends InputStream {
  private static final int MAX_LINE = 4096;
  private static final int MAX_TRAILER_LINES = 16;
  private static final String CHUNK_SIGNATURE = "chunk-signature=";

  /** Computes the signatures of chunks and of the trailer for one request (SigV4 streaming). */
  static final class ChunkSigner {
    private final byte[] signingKey;
    private final String amzDate;
    private final String scope;
    private final String seedSignature;

    ChunkSigner(byte[] signingKey, String amzDate, String scope, String seedSignature) {
      this.signingKey = signingKey.clone();
      this.amzDate = Objects.requireNonNull(amzDate);
      this.scope = Objects.requireNonNull(scope);
      this.seedSignature = Objects.requireNonNull(seedSignature);
    }

    /** The signature of a chunk whose data hashes to {@code sha256}. */
    String chunk(String previous, byte[] sha256) {
      return hmac(
          "AWS4-HMAC-SHA256-PAYLOAD\n"
              + amzDate
              + '\n'
              + scope
              + '\n'
              + previous
              + '\n'
              + EMPTY_SHA256
              + '\n'
              + HEX.formatHex(sha256));
    }

    /** The signature of the trailer, whose canonical form ({@code name:value\n}…) is given. */
    String trailer(String previous, String canonicalTrailer) {
      return hmac(
          "AWS4-HMAC-SHA256-TRAILER\n"
              + amzDate
              + '\n'
              + scope
              + '\n'
              + previous
              + '\n'
              + HEX.formatHex(sha256(canonicalTrailer.getBytes(StandardCharsets.UTF_8))));
    }

    private String hmac(String stringToSign) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
        return HEX.formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available", e);
      }
    }
  }

  /** A malformed, truncated or wrongly signed body; {@link #error()} is the S3 answer. */
  static final class ChunkException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient S3Exception error;

    ChunkException(S3Exception error) {
      super(error.getMessage());
      this.error = error;
    }

    S3Exception error() {
      return error;
    }
  }

  static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final HexFormat HEX = HexFormat.of();

  private final InputStream in;
  private final ChunkSigner signer;
  private final boolean trailerExpected;
  private final long decodedLength;
  private final MessageDigest chunkDigest;
  private final Map<String, String> trailers = new LinkedHashMap<>();
  private String previousSignature;
  private String pendingSignature;
  private long chunkRemaining;
  private long total;
  private boolean finished;
  private S3Exception failure;

  /**
   * @param in the raw body
   * @param signer checks chunk and trailer signatures, or null when they are not signed ({@code
   *     STREAMING-UNSIGNED-PAYLOAD-TRAILER}, or authentication off)
   * @param trailerExpected whether trailing headers follow the final chunk ({@code x-amz-trailer})
   * @param decodedLength {@code x-amz-decoded-content-length}, or -1 if not given
   */
  AwsChunkedInputStream(
      InputStream in, ChunkSigner signer, boolean trailerExpected, long decodedLength) {
    this.in = Objects.requireNonNull(in, "in");
    this.signer = signer;
    this.trailerExpected = trailerExpected;
    this.decodedLength = decodedLength;
    this.previousSignature = signer == null ? null : signer.seedSignature;
    this.chunkDigest = signer == null ? null : newSha256();
  }

  /** The trailing headers, names lower-case; complete once the body has been read to its end. */
  Map<String, String> trailers() {
    return Collections.unmodifiableMap(trailers);
  }

  /** Whether the whole encoding has been read and verified. */
  boolean finished() {
    return finished;
  }

  /** The failure this stream threw, if any. */
  S3Exception failure() {
    return failure;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (failure != null) {
      throw new ChunkException(failure);
    }
    if (len == 0) {
      return 0;
    }
    if (finished) {
      return -1;
    }
    if (chunkRemaining == 0) {
      nextChunk();
      if (finished) {
        return -1;
      }
    }
    int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
    if (n < 0) {
      throw fail(incomplete("the body ended inside a chunk"));
    }
    if (chunkDigest != null) {
      chunkDigest.update(b, off, n);
    }
    chunkRemaining -= n;
    total += n;
    if (decodedLength >= 0 && total > decodedLength) {
      throw fail(
          incomplete(
              "the chunks hold more than x-amz-decoded-content-length ("
                  + decodedLength
                  + ") bytes"));
    }
    if (chunkRemaining == 0) {
      endChunk();
      if (decodedLength >= 0 && total == decodedLength) {
        // Read the final chunk and trailer now: the caller may stop after the last byte.
        nextChunk();
        if (!finished) {
          throw fail(
              incomplete(
                  "the chunks hold more than x-amz-decoded-content-length ("
                      + decodedLength
                      + ") bytes"));
        }
      }
    }
    return n;
  }

  /** Reads and verifies everything up to the end of the encoding, discarding remaining data. */
  void finish() throws IOException {
    byte[] buf = new byte[8192];
    while (read(buf, 0, buf.length) >= 0) {
      // drain
    }
  }

  private void endChunk() throws IOException {
    String rest = readLine();
    if (!rest.isEmpty()) {
      throw fail(malformed("expected CRLF after a chunk's data"));
    }
    verifyChunk();
  }

  private void verifyChunk() throws IOException {
    if (signer == null) {
      return;
    }
    String expected = signer.chunk(previousSignature, chunkDigest.digest());
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        pendingSignature.getBytes(StandardCharsets.US_ASCII))) {
      throw fail(
          new S3Exception(
              "SignatureDoesNotMatch",
              403,
              "The request signature we calculated does not match the signature you provided."
                  + " Check your key and signing method. (chunk signature of the chunk ending at"
                  + " byte "
                  + total
                  + ")"));
    }
    previousSignature = pendingSignature;
  }

  private void nextChunk() throws IOException {
    String header = readLine();
    int semi = header.indexOf(';');
    String sizeText = (semi < 0 ? header : header.substring(0, semi)).strip();
    long size;
    try {
      if (sizeText.isEmpty() || sizeText.length() > 15) {
        throw new NumberFormatException();
      }
      size = Long.parseLong(sizeText, 16);
    } catch (NumberFormatException e) {
      throw fail(malformed("invalid chunk size '" + truncate(sizeText) + "'"));
    }
    pendingSignature = null;
    if (semi >= 0) {
      String ext = header.substring(semi + 1).strip();
      if (ext.startsWith(CHUNK_SIGNATURE)) {
        pendingSignature = ext.substring(CHUNK_SIGNATURE.length()).strip();
      }
    }
    if (signer != null && (pendingSignature == null || pendingSignature.length() != 64)) {
      throw fail(malformed("a chunk has no valid chunk-signature extension"));
    }
    if (decodedLength >= 0 && total + size > decodedLength) {
      throw fail(
          incomplete(
              "the chunks hold more than x-amz-decoded-content-length ("
                  + decodedLength
                  + ") bytes"));
    }
    if (size > 0) {
      chunkRemaining = size;
      return;
    }
    // The final chunk: its signature covers no data.
    verifyChunk();
    if (trailerExpected) {
      readTrailer();
    } else {
      String end = readLineOrEof();
      if (end != null && !end.isEmpty()) {
        throw fail(malformed("unexpected data after the final chunk"));
      }
    }
    if (decodedLength >= 0 && total != decodedLength) {
      throw fail(
          incomplete(
              "the body holds "
                  + total
                  + " bytes but x-amz-decoded-content-length says "
                  + decodedLength));
    }
    finished = true;
  }

  private void readTrailer() throws IOException {
    StringBuilder canonical = new StringBuilder();
    String signature = null;
    for (int i = 0; ; i++) {
      String line = readLineOrEof();
      if (line == null || line.isEmpty()) {
        break;
      }
      if (i >= MAX_TRAILER_LINES) {
        throw fail(malformed("too many trailing headers"));
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw fail(malformed("a trailing header is not 'name:value'"));
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      if (name.equals("x-amz-trailer-signature")) {
        signature = value;
      } else {
        trailers.put(name, value);
        canonical.append(name).append(':').append(value).append('\n');
      }
    }
    if (signer != null) {
      if (signature == null) {
        throw fail(
            new S3Exception(
                "SignatureDoesNotMatch", 403, "The trailer has no x-amz-trailer-signature."));
      }
      String expected = signer.trailer(previousSignature, canonical.toString());
      if (!MessageDigest.isEqual(
          expected.getBytes(StandardCharsets.US_ASCII),
          signature.getBytes(StandardCharsets.US_ASCII))) {
        throw fail(
            new S3Exception(
                "SignatureDoesNotMatch",
                403,
                "The request signature we calculated does not match the signature you provided."
                    + " Check your key and signing method. (trailer signature)"));
      }
    }
  }

  private String readLine() throws IOException {
    String line = readLineOrEof();
    if (line == null) {
      throw fail(incomplete("the body ended before the final chunk"));
    }
    return line;
  }

  /** A line ending in CRLF (or a bare LF), without the terminator; null at end of input. */
  private String readLineOrEof() throws IOException {
    StringBuilder sb = new StringBuilder(80);
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (sb.length() == 0) {
          return null;
        }
        throw fail(incomplete("the body ended inside a chunk header"));
      }
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb.length() >= MAX_LINE) {
        throw fail(
            malformed("a chunk header or trailer line is longer than " + MAX_LINE + " bytes"));
      }
      sb.append((char) c);
    }
  }

  private ChunkException fail(S3Exception e) {
    failure = e;
    return new ChunkException(e);
  }

  private static S3Exception incomplete(String why) {
    return new S3Exception(
        "IncompleteBody",
        400,
        "You did not provide the number of bytes specified by the Content-Length HTTP header: "
            + why);
  }

  private static S3Exception malformed(String why) {
    return new S3Exception("InvalidRequest", 400, "The aws-chunked body is malformed: " + why);
  }

  private static String truncate(String s) {
    return s.length() > 32 ? s.substring(0, 32) + "…" : s;
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] data) {
    return newSha256().digest(data);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
