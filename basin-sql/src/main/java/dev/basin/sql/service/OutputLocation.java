package dev.basin.sql.service;

import dev.basin.common.error.BasinException;

/**
 * An {@code s3://bucket/prefix/} where result files go.
 *
 * @param bucket the bucket
 * @param prefix the key prefix, empty or ending in {@code /}
 */
record OutputLocation(String bucket, String prefix) {

  /**
   * Parses an {@code s3://bucket[/prefix]} URI; a prefix that does not end in {@code /} gets one.
   *
   * @throws BasinException {@link QueryErrorCode#INVALID_REQUEST} naming the value
   */
  static OutputLocation parse(String uri) {
    if (uri == null || !uri.startsWith("s3://") || uri.length() == "s3://".length()) {
      throw new BasinException(
          QueryErrorCode.INVALID_REQUEST,
          "output location '"
              + uri
              + "' is not an S3 URI; write it as s3://bucket/ or s3://bucket/prefix/");
    }
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty() || !bucket.matches("[a-z0-9][a-z0-9.-]{1,62}")) {
      throw new BasinException(
          QueryErrorCode.INVALID_REQUEST,
          "output location '" + uri + "' does not name a valid bucket");
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    if (prefix.startsWith("/") || prefix.contains("//") || prefix.length() > 900) {
      throw new BasinException(
          QueryErrorCode.INVALID_REQUEST,
          "output location '" + uri + "' has an invalid prefix; use s3://bucket/some/prefix/");
    }
    return new OutputLocation(bucket, prefix);
  }

  /** The key of a file under this location. */
  String key(String fileName) {
    return prefix + fileName;
  }

  /** The {@code s3://} URI of a file under this location. */
  String uri(String fileName) {
    return "s3://" + bucket + "/" + prefix + fileName;
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + prefix;
  }
}
