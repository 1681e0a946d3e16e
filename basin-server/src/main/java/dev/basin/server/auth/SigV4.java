package dev.basin.server.auth;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pieces of AWS Signature Version 4 that the signer and the verifier share: canonicalization,
 * hashing and the signing-key chain. Stateless and thread-safe.
 */
final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String TERMINATOR = "aws4_request";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  static final String STREAMING_PREFIX = "STREAMING-";
  static final String STREAMING_SIGNED_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  static final String CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
  static final String CONTENT_SHA256 = "x-amz-content-sha256";
  static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /** How far a request's time may be from the server's clock (AWS allows 15 minutes). */
  static final Duration MAX_SKEW = Duration.ofMinutes(15);

  /** The longest validity of a presigned URL, in seconds (seven days). */
  static final long MAX_EXPIRES_SECONDS = 604_800;

  /** ISO 8601 basic format, as in {@code X-Amz-Date: 20150830T123600Z}. */
  static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

  private SigV4() {}

  static boolean isS3(String service) {
    return "s3".equals(service);
  }

  // ---------------------------------------------------------------- canonical request

  /**
   * The canonical URI of a path as it arrived on the wire (still percent-encoded). Each segment is
   * decoded and encoded again the SigV4 way, so that clients which leave characters such as {@code
   * $} unescaped still verify. For every service except S3 the spec then encodes each segment a
   * second time and removes {@code .} and {@code ..} segments; S3 does neither.
   */
  static String canonicalUri(String rawPath, boolean s3) {
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      segments.add(percentDecode(segment));
    }
    if (!s3) {
      segments = removeDotSegments(segments);
    }
    StringBuilder out = new StringBuilder(path.length() + 16);
    for (int i = 0; i < segments.size(); i++) {
      if (i > 0) {
        out.append('/');
      }
      String once = uriEncode(segments.get(i), false);
      out.append(s3 ? once : uriEncode(once, false));
    }
    if (out.length() == 0 || out.charAt(0) != '/') {
      out.insert(0, '/');
    }
    return out.toString();
  }

  /** RFC 3986 section 5.2.4 on a list of segments whose first element is the empty root. */
  private static List<String> removeDotSegments(List<String> segments) {
    List<String> out = new ArrayList<>(segments.size());
    out.add(segments.get(0));
    for (int i = 1; i < segments.size(); i++) {
      String segment = segments.get(i);
      boolean last = i == segments.size() - 1;
      if (segment.equals(".") || segment.equals("..")) {
        if (segment.equals("..") && out.size() > 1) {
          out.remove(out.size() - 1);
        }
        if (last) {
          out.add("");
        }
      } else {
        out.add(segment);
      }
    }
    return out;
  }

  /**
   * The canonical query string: every parameter decoded and re-encoded with RFC 3986 rules, sorted
   * by encoded name then encoded value, joined with {@code &}. A parameter without {@code =} has an
   * empty value. {@code X-Amz-Signature} is left out when {@code dropSignature} is set.
   */
  static String canonicalQuery(String rawQuery, boolean dropSignature) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = percentDecode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : percentDecode(part.substring(eq + 1));
      if (dropSignature && name.equals("X-Amz-Signature")) {
        continue;
      }
      pairs.add(new String[] {uriEncode(name, false), uriEncode(value, false)});
    }
    pairs.sort(
        (a, b) -> {
          int byName = a[0].compareTo(b[0]);
          return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
    StringBuilder out = new StringBuilder(rawQuery.length() + 16);
    for (String[] pair : pairs) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(pair[0]).append('=').append(pair[1]);
    }
    return out.toString();
  }

  /**
   * The first value of each query parameter, names and values decoded. Used to read the {@code
   * X-Amz-*} parameters of a presigned request.
   */
  static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> out = new TreeMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = percentDecode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : percentDecode(part.substring(eq + 1));
      out.putIfAbsent(name, value);
    }
    return out;
  }

  /**
   * The canonical headers block: for each signed header (lower-case, in the given order) its values
   * trimmed, runs of spaces collapsed to one, joined by commas, each line ending in a newline. A
   * signed header that is absent contributes an empty value.
   */
  static String canonicalHeaders(List<String> signedHeaders, Map<String, List<String>> headers) {
    StringBuilder out = new StringBuilder(256);
    for (String name : signedHeaders) {
      out.append(name).append(':');
      List<String> values = headers.get(name);
      if (values != null) {
        boolean first = true;
        for (String value : values) {
          if (!first) {
            out.append(',');
          }
          first = false;
          out.append(normalizeHeaderValue(value));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  static String normalizeHeaderValue(String value) {
    if (value == null) {
      return "";
    }
    String trimmed = value.strip();
    StringBuilder out = new StringBuilder(trimmed.length());
    boolean space = false;
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c == ' ' || c == '\t') {
        if (!space) {
          out.append(' ');
        }
        space = true;
      } else {
        out.append(c);
        space = false;
      }
    }
    return out.toString();
  }

  /** Headers keyed case-insensitively; repeated names (in any case) keep all their values. */
  static Map<String, List<String>> caseInsensitive(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (headers == null) {
      return out;
    }
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        continue;
      }
      out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
    }
    return out;
  }

  static String canonicalRequest(
      String method,
      String canonicalUri,
      String canonicalQuery,
      String canonicalHeaders,
      String signedHeaders,
      String payloadHash) {
    return method
        + '\n'
        + canonicalUri
        + '\n'
        + canonicalQuery
        + '\n'
        + canonicalHeaders
        + '\n'
        + signedHeaders
        + '\n'
        + payloadHash;
  }

  static String scope(String date, String region, String service) {
    return date + '/' + region + '/' + service + '/' + TERMINATOR;
  }

  static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM
        + '\n'
        + amzDate
        + '\n'
        + scope
        + '\n'
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
  }

  /** The string to sign for one chunk of an {@code aws-chunked} body. */
  static String chunkStringToSign(
      String amzDate, String scope, String previousSignature, byte[] data, int off, int len) {
    return CHUNK_ALGORITHM
        + '\n'
        + amzDate
        + '\n'
        + scope
        + '\n'
        + previousSignature
        + '\n'
        + EMPTY_SHA256
        + '\n'
        + hex(sha256(data, off, len));
  }

  // ---------------------------------------------------------------- keys and digests

  /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
  static byte[] signingKey(String secret, String date, String region, String service) {
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, service);
    return hmac(key, TERMINATOR);
  }

  static String signature(byte[] signingKey, String stringToSign) {
    return hex(hmac(signingKey, stringToSign));
  }

  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }

  static byte[] sha256(byte[] data) {
    return sha256(data, 0, data.length);
  }

  static byte[] sha256(byte[] data, int off, int len) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, off, len);
      return digest.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }

  static String sha256Hex(byte[] data) {
    return hex(sha256(data == null ? new byte[0] : data));
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  static boolean isSha256Hex(String value) {
    if (value.length() != 64) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) {
        return false;
      }
    }
    return true;
  }

  /** Compares two signatures in time independent of where they differ. */
  static boolean sameSignature(String expected, String provided) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII), provided.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- encoding

  /**
   * URI-encodes like SigV4 requires: the unreserved characters {@code A-Z a-z 0-9 - _ . ~} stay,
   * every other UTF-8 byte becomes {@code %XY} with upper-case hex; {@code /} stays only when
   * {@code keepSlash} is set.
   */
  static String uriEncode(String value, boolean keepSlash) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      boolean unreserved =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == '~';
      if (unreserved || (keepSlash && c == '/')) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xf]);
      }
    }
    return out.toString();
  }

  /**
   * Decodes {@code %XY} escapes as UTF-8. A {@code +} stays a plus sign (SigV4 clients encode a
   * space as {@code %20}). Input that is not valid percent-encoded UTF-8 is returned unchanged, so
   * that it is signed as it was sent.
   */
  static String percentDecode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
    int i = 0;
    while (i < value.length()) {
      if (value.charAt(i) == '%') {
        if (i + 2 >= value.length()) {
          return value;
        }
        int hi = Character.digit(value.charAt(i + 1), 16);
        int lo = Character.digit(value.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return value;
        }
        bytes.write((hi << 4) | lo);
        i += 3;
      } else {
        int next = value.indexOf('%', i);
        int end = next < 0 ? value.length() : next;
        bytes.writeBytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return value;
    }
  }

  // ---------------------------------------------------------------- dates

  static Instant parseAmzDate(String value) {
    return Instant.from(AMZ_DATE.parse(value));
  }

  /** A {@code Date} header: RFC 1123 ({@code Fri, 24 May 2013 00:00:00 GMT}) or ISO 8601 basic. */
  static Instant parseHttpDate(String value) {
    try {
      return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.strip()));
    } catch (DateTimeParseException e) {
      return parseAmzDate(value.strip());
    }
  }
}
