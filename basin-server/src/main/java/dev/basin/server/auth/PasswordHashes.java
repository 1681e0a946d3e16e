package dev.basin.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for the user store: PBKDF2 with HMAC-SHA256 from the JDK, a random 16-byte salt
 * per password and {@value #ITERATIONS} iterations (OWASP's 2023 advice), stored as {@code
 * pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>} so that the iteration count can be
 * raised later without breaking stored hashes. Thread-safe.
 */
final class PasswordHashes {
  static final int ITERATIONS = 210_000;
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final String PREFIX = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;

  private final SecureRandom random;

  PasswordHashes(SecureRandom random) {
    this.random = random;
  }

  /** The stored form of a new hash of {@code password} with a fresh salt. */
  String hash(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = pbkdf2(password, salt, ITERATIONS);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX
        + "$"
        + ITERATIONS
        + "$"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(hash);
  }

  /**
   * Whether {@code password} matches the stored hash; compares in constant time. A malformed stored
   * value matches nothing.
   */
  static boolean verify(char[] password, String stored) {
    String[] parts = stored == null ? new String[0] : stored.split("\\$", -1);
    if (password == null || password.length == 0 || parts.length != 4 || !parts[0].equals(PREFIX)) {
      return false;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      if (iterations < 1 || salt.length == 0 || expected.length == 0) {
        return false;
      }
      return MessageDigest.isEqual(pbkdf2(password, salt, iterations), expected);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Spends the time of one verification without a stored hash, so that "no such user" takes as long
   * as "wrong password".
   */
  void burn(char[] password) {
    pbkdf2(password, "basin-no-such-user".getBytes(StandardCharsets.UTF_8), ITERATIONS);
  }

  private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is missing from this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }

  static void clear(char[] password) {
    if (password != null) {
      Arrays.fill(password, '\0');
    }
  }
}
