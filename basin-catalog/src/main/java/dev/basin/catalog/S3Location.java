package dev.basin.catalog;

import dev.basin.common.error.BasinException;

/**
 * An {@code s3://bucket/key} location ({@code s3a://} and {@code s3n://} are accepted as the same
 * thing, as Hadoop's connectors write them).
 */
record S3Location(String scheme, String bucket, String key) {

  static S3Location parse(String location) {
    if (location == null) {
      throw invalid(null, "a location is required");
    }
    int sep = location.indexOf("://");
    if (sep < 0) {
      throw invalid(location, "expected s3://bucket/key");
    }
    String scheme = location.substring(0, sep);
    if (!scheme.equals("s3") && !scheme.equals("s3a") && !scheme.equals("s3n")) {
      throw invalid(location, "the scheme must be s3 (or s3a, s3n), not '" + scheme + "'");
    }
    String rest = location.substring(sep + 3);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw invalid(location, "the bucket is missing");
    }
    return new S3Location(scheme, bucket, key);
  }

  /** The same location with a different key, keeping the scheme. */
  S3Location withKey(String newKey) {
    return new S3Location(scheme, bucket, newKey);
  }

  /** A scheme-independent form for comparing locations. */
  String normalized() {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public String toString() {
    return scheme + "://" + bucket + "/" + key;
  }

  private static BasinException invalid(String location, String why) {
    return new BasinException(
        CatalogErrorCode.INVALID_LOCATION, "invalid location '" + location + "': " + why);
  }
}
