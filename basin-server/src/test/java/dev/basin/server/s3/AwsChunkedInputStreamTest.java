package dev.basin.server.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.SigV4Signer;
import dev.basin.server.auth.SigV4Verifier;
import dev.basin.server.auth.SignedRequest;
import dev.basin.server.auth.VerifiedSignature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AwsChunkedInputStreamTest {
  static final Credentials KEYS = Credentials.generate(new SecureRandom());
  static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");

  /** A real verified signature of a streaming PUT, from Basin's signer and verifier. */
  static VerifiedSignature seed(String payload, long decodedLength) {
    URI uri = URI.create("http://127.0.0.1:4580/raw/key");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-amz-content-sha256", payload);
    headers.put("x-amz-decoded-content-length", Long.toString(decodedLength));
    headers.put("content-encoding", "aws-chunked");
    Map<String, String> auth =
        new SigV4Signer(KEYS, "us-east-1", "s3").sign("PUT", uri, headers, null, NOW);
    Map<String, List<String>> received = new LinkedHashMap<>();
    headers.forEach((k, v) -> received.put(k, List.of(v)));
    auth.forEach((k, v) -> received.put(k, List.of(v)));
    received.put("Host", List.of("127.0.0.1:4580"));
    return SigV4Verifier.forCredentials(KEYS, Clock.fixed(NOW, ZoneOffset.UTC))
        .verifyDetailed(new SignedRequest("PUT", "/raw/key", null, received, null));
  }

  static AwsChunkedInputStream.ChunkSigner signer(VerifiedSignature s) {
    return new AwsChunkedInputStream.ChunkSigner(
        s.signingKey(), s.amzDate(), s.credentialScope(), s.seedSignature());
  }

  /** Encodes data in chunks of {@code chunk} bytes, signed with {@code sig} (null: unsigned). */
  static byte[] encode(byte[] data, int chunk, VerifiedSignature sig, Map<String, String> trailer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String prev = sig == null ? null : sig.seedSignature();
    List<int[]> chunks = new ArrayList<>();
    for (int off = 0; off < data.length; off += chunk) {
      chunks.add(new int[] {off, Math.min(chunk, data.length - off)});
    }
    chunks.add(new int[] {data.length, 0});
    for (int[] c : chunks) {
      String header = Integer.toHexString(c[1]);
      if (sig != null) {
        prev = sig.chunkSignature(prev, data, c[0], c[1]);
        header += ";chunk-signature=" + prev;
      }
      out.writeBytes((header + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data, c[0], c[1]);
      if (c[1] > 0) {
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
    if (trailer != null) {
      StringBuilder canonical = new StringBuilder();
      trailer.forEach(
          (k, v) -> {
            out.writeBytes((k + ":" + v + "\r\n").getBytes(StandardCharsets.US_ASCII));
            canonical.append(k).append(':').append(v).append('\n');
          });
      if (sig != null) {
        String ts = signer(sig).trailer(prev, canonical.toString());
        out.writeBytes(
            ("x-amz-trailer-signature:" + ts + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  @Test
  void decodesSignedChunksCheckedAgainstTheVerifiersSignatures() throws IOException {
    byte[] data = random(200_000);
    VerifiedSignature sig = seed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", data.length);
    AwsChunkedInputStream in =
        new AwsChunkedInputStream(
            new ByteArrayInputStream(encode(data, 65_536, sig, null)),
            signer(sig),
            false,
            data.length);
    assertThat(readAll(in)).isEqualTo(data);
    assertThat(in.finished()).isTrue();
  }

  @Test
  void emptyBodyHasOnlyTheFinalChunk() throws IOException {
    VerifiedSignature sig = seed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 0);
    AwsChunkedInputStream in =
        new AwsChunkedInputStream(
            new ByteArrayInputStream(encode(new byte[0], 10, sig, null)), signer(sig), false, 0);
    assertThat(readAll(in)).isEmpty();
  }

  @Test
  void signedTrailerIsVerifiedAndExposed() throws IOException {
    byte[] data = random(1000);
    VerifiedSignature sig = seed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", data.length);
    Checksums.Digest crc = Checksums.Algorithm.CRC32.newDigest();
    crc.update(data, 0, data.length);
    Map<String, String> trailer = Map.of("x-amz-checksum-crc32", crc.base64());
    byte[] body = encode(data, 300, sig, trailer);
    AwsChunkedInputStream in =
        new AwsChunkedInputStream(new ByteArrayInputStream(body), signer(sig), true, data.length);
    // A reader that stops after the declared length still gets the trailer verified.
    assertThat(in.readNBytes(data.length)).isEqualTo(data);
    assertThat(in.finished()).isTrue();
    assertThat(in.trailers()).containsEntry("x-amz-checksum-crc32", crc.base64());

    byte[] tampered =
        new String(body, StandardCharsets.ISO_8859_1)
            .replace(crc.base64(), "AAAAAA==")
            .getBytes(StandardCharsets.ISO_8859_1);
    AwsChunkedInputStream bad =
        new AwsChunkedInputStream(
            new ByteArrayInputStream(tampered), signer(sig), true, data.length);
    assertThatThrownBy(() -> readAll(bad)).isInstanceOf(AwsChunkedInputStream.ChunkException.class);
    assertThat(bad.failure().code()).isEqualTo("SignatureDoesNotMatch");
  }

  @Test
  void unsignedTrailerWithChecksumIsVerifiedByTheVerifyingStream() throws IOException {
    byte[] data = random(5000);
    Checksums.Digest crc = Checksums.Algorithm.CRC32C.newDigest();
    crc.update(data, 0, data.length);
    for (String value : List.of(crc.base64(), "AAAAAA==")) {
      AwsChunkedInputStream dec =
          new AwsChunkedInputStream(
              new ByteArrayInputStream(
                  encode(data, 1024, null, Map.of("x-amz-checksum-crc32c", value))),
              null,
              true,
              data.length);
      VerifyingInputStream v =
          new VerifyingInputStream(
              dec,
              data.length,
              Long.MAX_VALUE,
              List.of(
                  new VerifyingInputStream.Check(
                      Checksums.Algorithm.CRC32C.newDigest(),
                      () -> dec.trailers().get("x-amz-checksum-crc32c"),
                      (e, g) -> new S3Exception("BadDigest", 400, "mismatch " + e + " " + g))),
              null);
      if (value.equals(crc.base64())) {
        assertThat(v.readNBytes(data.length)).isEqualTo(data);
      } else {
        assertThatThrownBy(() -> v.readNBytes(data.length))
            .isInstanceOf(AwsChunkedInputStream.ChunkException.class);
        assertThat(v.failure().code()).isEqualTo("BadDigest");
      }
    }
  }

  @Test
  void tamperedChunkDataFailsItsSignature() {
    byte[] data = random(3000);
    VerifiedSignature sig = seed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", data.length);
    byte[] body = encode(data, 1000, sig, null);
    // flip one byte of the second chunk's data
    int header = ("3e8;chunk-signature=" + "x".repeat(64) + "\r\n").length();
    body[header + 1000 + 2 + header + 5] ^= 1;
    AwsChunkedInputStream in =
        new AwsChunkedInputStream(new ByteArrayInputStream(body), signer(sig), false, data.length);
    assertThatThrownBy(() -> readAll(in)).isInstanceOf(AwsChunkedInputStream.ChunkException.class);
    assertThat(in.failure().code()).isEqualTo("SignatureDoesNotMatch");
    assertThat(in.failure().status()).isEqualTo(403);
  }

  @Test
  void malformedAndTruncatedBodies() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("zz\r\nabc\r\n0\r\n\r\n", "InvalidRequest");
    cases.put("3\r\nabcXX0\r\n\r\n", "InvalidRequest");
    cases.put("3\r\nab", "IncompleteBody");
    cases.put("3\r\nabc\r\n", "IncompleteBody");
    cases.put("", "IncompleteBody");
    cases.put("5\r\nabcde\r\n0\r\n\r\n", "IncompleteBody");
    cases.put("1" + "0".repeat(5000) + "\r\n", "InvalidRequest");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      AwsChunkedInputStream in =
          new AwsChunkedInputStream(
              new ByteArrayInputStream(c.getKey().getBytes(StandardCharsets.US_ASCII)),
              null,
              false,
              3);
      assertThatThrownBy(() -> readAll(in))
          .as(c.getKey())
          .isInstanceOf(AwsChunkedInputStream.ChunkException.class);
      assertThat(in.failure().code()).as(c.getKey()).isEqualTo(c.getValue());
    }
    // Signed payload without chunk signatures
    VerifiedSignature sig = seed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 3);
    AwsChunkedInputStream unsigned =
        new AwsChunkedInputStream(
            new ByteArrayInputStream("3\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
            signer(sig),
            false,
            3);
    assertThatThrownBy(() -> readAll(unsigned))
        .isInstanceOf(AwsChunkedInputStream.ChunkException.class);
  }

  @Test
  void verifyingStreamChecksSignedPayloadHashAndSizeCap() throws IOException {
    byte[] data = "hello".getBytes(StandardCharsets.US_ASCII);
    VerifyingInputStream capped =
        new VerifyingInputStream(new ByteArrayInputStream(data), -1, 3, List.of(), null);
    assertThatThrownBy(capped::readAllBytes)
        .isInstanceOf(AwsChunkedInputStream.ChunkException.class);
    assertThat(capped.failure().code()).isEqualTo("EntityTooLarge");
    Checksums.Digest sha = Checksums.Algorithm.SHA256.newDigest();
    sha.update(data, 0, data.length);
    VerifyingInputStream ok =
        new VerifyingInputStream(
            new ByteArrayInputStream(data),
            data.length,
            100,
            List.of(
                new VerifyingInputStream.Check(
                    Checksums.Algorithm.SHA256.newDigest(), sha::base64, (e, g) -> null)),
            null);
    assertThat(ok.readAllBytes()).isEqualTo(data);
  }
}
