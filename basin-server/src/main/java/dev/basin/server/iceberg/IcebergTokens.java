package dev.basin.server.iceberg;

import dev.basin.server.auth.Credentials;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies the bearer tokens of the Iceberg REST OAuth2 client-credentials flow. A token
 * is {@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))} where the payload names
 * the access key id and the expiry in epoch seconds; the key is derived from the secret access key,
 * so rotating the secret invalidates every token. Tokens carry no secret. Thread-safe.
 */
final class IcebergTokens {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final String VERSION = "basin-iceberg-v1";

  private final Credentials credentials;
  private final byte[] key;
  private final Clock clock;
  private final Duration lifetime;

  IcebergTokens(Credentials credentials, Clock clock, Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("token lifetime must be positive, was " + lifetime);
    }
    this.credentials = credentials;
    this.clock = clock;
    this.lifetime = lifetime;
    this.key =
        hmac(
            credentials.secretAccessKey().getBytes(StandardCharsets.UTF_8),
            VERSION.getBytes(StandardCharsets.UTF_8));
  }

  Duration lifetime() {
    return lifetime;
  }

  /** Whether the pair is the server's key pair (constant-time comparison). */
  boolean clientValid(String clientId, String clientSecret) {
    if (clientId == null || clientSecret == null) {
      return false;
    }
    boolean id =
        MessageDigest.isEqual(
            clientId.getBytes(StandardCharsets.UTF_8),
            credentials.accessKeyId().getBytes(StandardCharsets.UTF_8));
    boolean secret =
        MessageDigest.isEqual(
            clientSecret.getBytes(StandardCharsets.UTF_8),
            credentials.secretAccessKey().getBytes(StandardCharsets.UTF_8));
    return id & secret;
  }

  /** A new token for the server's access key id that expires after {@link #lifetime()}. */
  String issue() {
    long expires = clock.instant().plus(lifetime).getEpochSecond();
    byte[] payload =
        (VERSION + "\n" + credentials.accessKeyId() + "\n" + expires)
            .getBytes(StandardCharsets.UTF_8);
    return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(hmac(key, payload));
  }

  /** Why a token was refused. */
  enum Rejection {
    MALFORMED,
    BAD_SIGNATURE,
    EXPIRED
  }

  /**
   * Checks a token's signature, key id and expiry.
   *
   * @return empty if the token is valid, else the reason it is not
   */
  Optional<Rejection> verify(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot == token.length() - 1 || token.indexOf('.', dot + 1) >= 0) {
      return Optional.of(Rejection.MALFORMED);
    }
    byte[] payload;
    byte[] signature;
    try {
      payload = DECODER.decode(token.substring(0, dot));
      signature = DECODER.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.of(Rejection.MALFORMED);
    }
    if (!MessageDigest.isEqual(signature, hmac(key, payload))) {
      return Optional.of(Rejection.BAD_SIGNATURE);
    }
    String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
    if (parts.length != 3
        || !parts[0].equals(VERSION)
        || !parts[1].equals(credentials.accessKeyId())) {
      return Optional.of(Rejection.MALFORMED);
    }
    long expires;
    try {
      expires = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      return Optional.of(Rejection.MALFORMED);
    }
    if (clock.instant().getEpochSecond() >= expires) {
      return Optional.of(Rejection.EXPIRED);
    }
    return Optional.empty();
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
