package dev.basin.server.s3;

import dev.basin.spi.storage.ByteRange;

/** Parses HTTP {@code Range} headers the way S3 does. */
final class S3Ranges {
  private S3Ranges() {}

  /**
   * The single byte range of a {@code Range: bytes=…} header, or null when there is none or it
   * cannot be honoured as one range: like S3, a syntactically invalid header or several ranges are
   * ignored and the whole object is returned. Whether the range fits the object is decided later
   * ({@link ByteRange#resolve}, {@code InvalidRange}).
   */
  static ByteRange parse(String header) {
    if (header == null) {
      return null;
    }
    String h = header.strip();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
      return null;
    }
    String spec = h.substring(6).strip();
    if (spec.isEmpty() || spec.indexOf(',') >= 0) {
      return null;
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    String a = spec.substring(0, dash).strip();
    String b = spec.substring(dash + 1).strip();
    try {
      if (a.isEmpty()) {
        if (b.isEmpty()) {
          return null;
        }
        return ByteRange.suffix(number(b));
      }
      long first = number(a);
      if (b.isEmpty()) {
        return ByteRange.from(first);
      }
      long last = number(b);
      if (last < first) {
        return null;
      }
      return ByteRange.of(first, last);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The range of {@code x-amz-copy-source-range}, which must be {@code bytes=first-last}.
   *
   * @throws S3Exception {@code InvalidArgument} otherwise
   */
  static ByteRange parseCopySourceRange(String header) {
    ByteRange r = parse(header);
    if (r == null || r.first() < 0 || r.last() < 0) {
      throw S3Exception.invalidArgument(
          "The x-amz-copy-source-range value must be of the form bytes=first-last where first and"
              + " last are the zero-based offsets of the first and last bytes to copy",
          "x-amz-copy-source-range",
          header);
    }
    return r;
  }

  private static long number(String s) {
    if (s.isEmpty() || s.length() > 18) {
      throw new NumberFormatException(s);
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        throw new NumberFormatException(s);
      }
    }
    return Long.parseLong(s);
  }

  /** {@code bytes start-end/size}. */
  static String contentRange(ByteRange.Resolved r) {
    return "bytes " + r.start() + "-" + r.end() + "/" + r.size();
  }
}
