/**
 * Authentication for Basin's AWS-compatible endpoints: the key pair and its shared-credentials file
 * ({@link dev.basin.server.auth.Credentials}), AWS Signature Version 4 verification on the server
 * ({@link dev.basin.server.auth.SigV4Verifier}) and signing on the client ({@link
 * dev.basin.server.auth.SigV4Signer}).
 *
 * <p>Nothing here depends on an HTTP framework: adapters turn their request into a {@link
 * dev.basin.server.auth.SignedRequest} and a {@link dev.basin.server.auth.SigV4Exception} into
 * their protocol's error (JSON {@code __type}/status, or S3 XML).
 */
package dev.basin.server.auth;
