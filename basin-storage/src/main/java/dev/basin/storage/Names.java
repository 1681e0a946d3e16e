package dev.basin.storage;

import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.ObjectStoreException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/** Validates bucket names (S3's naming rules) and object keys. */
final class Names {
  static final int MAX_KEY_BYTES = 1024;

  private static final Pattern BUCKET_CHARS = Pattern.compile("[a-z0-9.-]+");
  private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private Names() {}

  /**
   * Checks a new bucket's name against S3's rules and the names the server reserves.
   *
   * @throws ObjectStoreException {@code INVALID_BUCKET_NAME} saying which rule the name breaks
   */
  static void checkBucketName(String name, Set<String> reserved) {
    if (name == null) {
      throw invalidBucket(null, "a bucket name is required");
    }
    if (name.length() < 3 || name.length() > 63) {
      throw invalidBucket(name, "it must be 3 to 63 characters long, not " + name.length());
    }
    if (!BUCKET_CHARS.matcher(name).matches()) {
      throw invalidBucket(
          name, "it may only contain lowercase letters, digits, dots (.) and hyphens (-)");
    }
    if (!isLetterOrDigit(name.charAt(0)) || !isLetterOrDigit(name.charAt(name.length() - 1))) {
      throw invalidBucket(name, "it must start and end with a lowercase letter or a digit");
    }
    if (name.contains("..")) {
      throw invalidBucket(name, "it must not contain two adjacent dots");
    }
    if (name.contains(".-") || name.contains("-.")) {
      throw invalidBucket(name, "a dot must not be next to a hyphen");
    }
    if (IP_ADDRESS.matcher(name).matches()) {
      throw invalidBucket(name, "it must not look like an IP address");
    }
    if (name.startsWith("xn--") || name.startsWith("sthree-")) {
      throw invalidBucket(name, "the prefixes 'xn--' and 'sthree-' are reserved by S3");
    }
    if (name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
      throw invalidBucket(name, "the suffixes '-s3alias' and '--ol-s3' are reserved by S3");
    }
    if (reserved.contains(name)) {
      throw invalidBucket(
          name, "it is reserved for Basin's own endpoints " + new java.util.TreeSet<>(reserved));
    }
  }

  private static boolean isLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static ObjectStoreException invalidBucket(String name, String why) {
    return new ObjectStoreException(
        Reason.INVALID_BUCKET_NAME,
        "invalid bucket name '"
            + name
            + "': "
            + why
            + "; choose a name like 'raw-events' (3-63 lowercase letters, digits, dots and"
            + " hyphens)");
  }

  /**
   * Checks an object key and returns its UTF-8 bytes.
   *
   * @throws ObjectStoreException {@code KEY_TOO_LONG} beyond 1024 UTF-8 bytes, {@code INVALID_KEY}
   *     for an empty key, a control character, a leading {@code /}, a {@code .} or {@code ..}
   *     segment, or text that is not valid Unicode
   */
  static byte[] checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw invalidKey(key, "a key must not be empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20) {
        throw invalidKey(
            key,
            "it contains the control character U+"
                + String.format("%04X", (int) c)
                + " at position "
                + i
                + "; remove it or percent-encode it in the key");
      }
    }
    byte[] utf8;
    try {
      utf8 =
          toArray(
              StandardCharsets.UTF_8
                  .newEncoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .encode(java.nio.CharBuffer.wrap(key)));
    } catch (CharacterCodingException e) {
      throw invalidKey(key, "it is not valid Unicode (an unpaired surrogate); send UTF-8 text");
    }
    if (utf8.length > MAX_KEY_BYTES) {
      throw new ObjectStoreException(
          Reason.KEY_TOO_LONG,
          "key '"
              + key.substring(0, 64)
              + "…' is "
              + utf8.length
              + " bytes in UTF-8; the limit is "
              + MAX_KEY_BYTES
              + " bytes, use a shorter key");
    }
    if (key.startsWith("/")) {
      throw invalidKey(
          key, "it starts with '/', which would make it absolute; drop the leading slash");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw invalidKey(
            key, "it has a '" + segment + "' path segment; remove the '" + segment + "' segment");
      }
    }
    return utf8;
  }

  private static ObjectStoreException invalidKey(String key, String why) {
    String shown = key == null ? "null" : key.replaceAll("\\p{Cntrl}", "?");
    return new ObjectStoreException(Reason.INVALID_KEY, "invalid key '" + shown + "': " + why);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String fromUtf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * The smallest byte string greater than every string that starts with {@code prefix}, or null
   * when there is none (the prefix is all 0xFF, which UTF-8 never produces).
   */
  static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] next = java.util.Arrays.copyOf(prefix, i + 1);
        next[i]++;
        return next;
      }
    }
    return null;
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
