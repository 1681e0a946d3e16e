package dev.basin.server.pgwire;

/** How pgwire clients prove they hold Basin's secret access key. */
public enum PgAuthMethod {
  /** SCRAM-SHA-256 (RFC 7677): the password never crosses the wire. The default. */
  SCRAM_SHA_256,
  /** The password in clear text; only for clients without SCRAM, on trusted networks. */
  PASSWORD
}
