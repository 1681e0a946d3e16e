package dev.basin.server.aws;

/**
 * An error answered in an AWS JSON protocol's shape: {@code {"__type": code, "message": message}}
 * with the given HTTP status.
 */
public final class AwsErrorException extends RuntimeException {
  private final String code;
  private final int status;
  private final java.util.Map<String, String> fields;

  public AwsErrorException(String code, String message, int status) {
    this(code, message, status, java.util.Map.of());
  }

  /**
   * @param fields members the service's error shape adds next to {@code __type} and {@code
   *     message}, e.g. Athena's {@code AthenaErrorCode}
   */
  public AwsErrorException(
      String code, String message, int status, java.util.Map<String, String> fields) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = java.util.Map.copyOf(fields);
  }

  /** A client error (HTTP 400). */
  public static AwsErrorException client(String code, String message) {
    return new AwsErrorException(code, message, 400);
  }

  /** The SerializationException for a body that does not decode in {@code format}. */
  public static AwsErrorException undecodable(WireFormat format, String detail) {
    return client(
        "SerializationException",
        "Request body is not valid "
            + (format == WireFormat.CBOR ? "CBOR" : "JSON")
            + ": "
            + detail);
  }

  /** The SerializationException for a body that decodes but is not a structure. */
  public static AwsErrorException notAStructure(WireFormat format) {
    return client(
        "SerializationException",
        "Request body must be "
            + (format == WireFormat.CBOR ? "a CBOR map" : "a JSON object")
            + " (the operation's input structure)");
  }

  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  /** The error shape's additional members. */
  public java.util.Map<String, String> fields() {
    return fields;
  }
}
