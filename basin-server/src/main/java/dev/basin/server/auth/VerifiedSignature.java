package dev.basin.server.auth;

import java.util.Objects;

/**
 * The outcome of a successful {@link SigV4Verifier#verifyDetailed verification}: the principal,
 * plus what an S3 adapter needs to check the chunk signatures of an {@code aws-chunked} body
 * ({@code x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD}) as it streams it.
 *
 * <p>Immutable and thread-safe. {@link #toString()} does not show the signing key.
 */
public final class VerifiedSignature {
  private final Principal principal;
  private final String amzDate;
  private final String credentialScope;
  private final String payloadHash;
  private final String seedSignature;
  private final byte[] signingKey;

  VerifiedSignature(
      Principal principal,
      String amzDate,
      String credentialScope,
      String payloadHash,
      String seedSignature,
      byte[] signingKey) {
    this.principal = Objects.requireNonNull(principal, "principal");
    this.amzDate = Objects.requireNonNull(amzDate, "amzDate");
    this.credentialScope = Objects.requireNonNull(credentialScope, "credentialScope");
    this.payloadHash = Objects.requireNonNull(payloadHash, "payloadHash");
    this.seedSignature = Objects.requireNonNull(seedSignature, "seedSignature");
    this.signingKey = signingKey.clone();
  }

  /** Who signed the request. */
  public Principal principal() {
    return principal;
  }

  /** The request time as it appears in the string to sign, e.g. {@code 20130524T000000Z}. */
  public String amzDate() {
    return amzDate;
  }

  /** The credential scope, e.g. {@code 20130524/us-east-1/s3/aws4_request}. */
  public String credentialScope() {
    return credentialScope;
  }

  /**
   * The payload line of the canonical request: a hex SHA-256 digest, {@code UNSIGNED-PAYLOAD}, or
   * one of the {@code STREAMING-…} markers of an {@code aws-chunked} body.
   */
  public String payloadHash() {
    return payloadHash;
  }

  /**
   * Whether the body is {@code aws-chunked} with a signature per chunk ({@code
   * STREAMING-AWS4-HMAC-SHA256-PAYLOAD}, with or without {@code -TRAILER}); the caller must then
   * check each chunk with {@link #chunkSignatureMatches}.
   */
  public boolean chunkSignaturesRequired() {
    return payloadHash.startsWith(SigV4.STREAMING_SIGNED_PAYLOAD);
  }

  /** The verified signature of the request; the first chunk signature chains from it. */
  public String seedSignature() {
    return seedSignature;
  }

  /** A copy of the derived signing key (kSigning) for this request's scope. */
  public byte[] signingKey() {
    return signingKey.clone();
  }

  /**
   * The signature of one chunk of an {@code aws-chunked} body: HMAC-SHA256 with the signing key
   * over {@code AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n previous \n sha256("") \n
   * sha256(chunk)}. Pass {@link #seedSignature()} as {@code previousSignature} for the first chunk
   * and the previous chunk's signature after that; the final, empty chunk is signed too.
   */
  public String chunkSignature(String previousSignature, byte[] data, int offset, int length) {
    Objects.requireNonNull(previousSignature, "previousSignature");
    Objects.checkFromIndexSize(offset, length, data.length);
    return SigV4.signature(
        signingKey,
        SigV4.chunkStringToSign(amzDate, credentialScope, previousSignature, data, offset, length));
  }

  /** Whether {@code provided} is the chunk's signature, compared in constant time. */
  public boolean chunkSignatureMatches(
      String previousSignature, byte[] data, int offset, int length, String provided) {
    Objects.requireNonNull(provided, "provided");
    return SigV4.sameSignature(chunkSignature(previousSignature, data, offset, length), provided);
  }

  @Override
  public String toString() {
    return "VerifiedSignature[principal="
        + principal
        + ", amzDate="
        + amzDate
        + ", credentialScope="
        + credentialScope
        + ", payloadHash="
        + payloadHash
        + "]";
  }
}
