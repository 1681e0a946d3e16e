package dev.basin.server.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as PostgreSQL runs it: no
 * channel binding, the user name taken from the start-up packet (the client sends an empty {@code
 * n=}). The server knows the plaintext secret, so it derives the salted password for a fresh random
 * salt on every connection.
 *
 * <p>Call {@link #serverFirst} with the client-first-message, then {@link #serverFinal} with the
 * client-final-message. Not thread-safe; one instance per connection.
 */
final class ScramSha256 {
  static final String MECHANISM = "SCRAM-SHA-256";
  static final int ITERATIONS = 4096;
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final byte[] password;
  private final byte[] salt;
  private final int iterations;
  private final String serverNonce;
  private String clientFirstBare;
  private String serverFirst;
  private String gs2Header;
  private String nonce;

  /**
   * @param password the secret the client must prove it knows; null runs a mock exchange that
   *     always fails, so an unknown user is indistinguishable from a wrong password
   */
  ScramSha256(String password, SecureRandom random) {
    this(
        password, randomBytes(random, 16), ITERATIONS, B64.encodeToString(randomBytes(random, 18)));
  }

  /** For tests: a fixed salt and server nonce (RFC 7677's example). */
  ScramSha256(String password, byte[] salt, int iterations, String serverNonce) {
    byte[] pw;
    if (password == null) {
      pw = new byte[32];
      new SecureRandom().nextBytes(pw);
    } else {
      pw = password.getBytes(StandardCharsets.UTF_8);
    }
    this.password = pw;
    this.salt = salt.clone();
    this.iterations = iterations;
    this.serverNonce = serverNonce;
  }

  private static byte[] randomBytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /**
   * Answers the client-first-message ({@code n,,n=,r=<nonce>}).
   *
   * @return the server-first-message ({@code r=<nonce>,s=<salt>,i=4096})
   * @throws PgException {@code 08P01} if the message is malformed or asks for channel binding
   */
  String serverFirst(String clientFirst) {
    // gs2-header: "n,," (client does not support binding) or "y,," (client supports it but
    // thinks the server does not); "p=..." asks for binding, which was not offered.
    if (clientFirst.startsWith("p=")) {
      throw malformed("channel binding was requested but the server offered only " + MECHANISM);
    }
    if (!clientFirst.startsWith("n,") && !clientFirst.startsWith("y,")) {
      throw malformed("the client-first-message must start with a gs2 header 'n,,' or 'y,,'");
    }
    int second = clientFirst.indexOf(',', 2);
    if (second < 0) {
      throw malformed("the gs2 header of the client-first-message is incomplete");
    }
    gs2Header = clientFirst.substring(0, second + 1);
    clientFirstBare = clientFirst.substring(second + 1);
    String clientNonce = null;
    for (String attribute : clientFirstBare.split(",")) {
      if (attribute.startsWith("r=")) {
        clientNonce = attribute.substring(2);
      } else if (attribute.startsWith("m=")) {
        throw malformed("mandatory SCRAM extensions are not supported");
      }
    }
    if (clientNonce == null || clientNonce.isEmpty() || !printable(clientNonce)) {
      throw malformed("the client-first-message has no valid nonce (r=)");
    }
    nonce = clientNonce + serverNonce;
    serverFirst = "r=" + nonce + ",s=" + B64.encodeToString(salt) + ",i=" + iterations;
    return serverFirst;
  }

  /**
   * Checks the client-final-message ({@code c=biws,r=<nonce>,p=<proof>}).
   *
   * @return the server-final-message ({@code v=<server signature>})
   * @throws PgException {@code 28P01} if the proof is wrong, {@code 08P01} if the message is
   *     malformed or does not match the exchange
   */
  String serverFinal(String clientFinal) {
    if (serverFirst == null) {
      throw malformed("the client-final-message came before the client-first-message");
    }
    int proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0) {
      throw malformed("the client-final-message has no proof (p=)");
    }
    String withoutProof = clientFinal.substring(0, proofAt);
    String channelBinding = null;
    String finalNonce = null;
    for (String attribute : withoutProof.split(",")) {
      if (attribute.startsWith("c=")) {
        channelBinding = attribute.substring(2);
      } else if (attribute.startsWith("r=")) {
        finalNonce = attribute.substring(2);
      }
    }
    String expectedBinding = B64.encodeToString(gs2Header.getBytes(StandardCharsets.US_ASCII));
    if (!expectedBinding.equals(channelBinding)) {
      throw malformed("the channel binding (c=) does not match the gs2 header");
    }
    if (!nonce.equals(finalNonce)) {
      throw malformed("the nonce of the client-final-message does not match");
    }
    byte[] proof;
    try {
      proof = B64D.decode(clientFinal.substring(proofAt + 3));
    } catch (IllegalArgumentException e) {
      throw malformed("the proof (p=) is not base64");
    }
    byte[] salted = saltedPassword(password, salt, iterations);
    byte[] clientKey = hmac(salted, "Client Key");
    byte[] storedKey = sha256(clientKey);
    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] clientSignature = hmac(storedKey, authMessage);
    if (proof.length != clientSignature.length) {
      throw wrongPassword();
    }
    byte[] recoveredKey = new byte[proof.length];
    for (int i = 0; i < proof.length; i++) {
      recoveredKey[i] = (byte) (proof[i] ^ clientSignature[i]);
    }
    if (!MessageDigest.isEqual(sha256(recoveredKey), storedKey)) {
      throw wrongPassword();
    }
    byte[] serverKey = hmac(salted, "Server Key");
    return "v=" + B64.encodeToString(hmac(serverKey, authMessage));
  }

  /** Hi() of RFC 5802: PBKDF2 with HMAC-SHA-256, one block. */
  static byte[] saltedPassword(byte[] password, byte[] salt, int iterations) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      // SecretKeySpec refuses an empty key; HMAC pads short keys with zeros, so one zero byte is
      // the same key.
      mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA256"));
      mac.update(salt);
      byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
      byte[] result = u.clone();
      for (int i = 1; i < iterations; i++) {
        u = mac.doFinal(u);
        for (int j = 0; j < result.length; j++) {
          result[j] ^= u[j];
        }
      }
      return result;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  private static boolean printable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e || c == ',') {
        return false;
      }
    }
    return true;
  }

  private static PgException malformed(String problem) {
    return PgException.fatal(PgException.PROTOCOL_VIOLATION, "malformed SCRAM message: " + problem);
  }

  private static PgException wrongPassword() {
    return PgException.fatal(PgException.INVALID_PASSWORD, "password authentication failed");
  }
}
