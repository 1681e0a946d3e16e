package dev.basin.server.s3;

import dev.basin.server.auth.SigV4Exception;
import dev.basin.spi.storage.ObjectStoreException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An S3 error answer: the {@code Code}, HTTP status and {@code Message} of S3's {@code <Error>}
 * document, plus extra elements ({@code BucketName}, {@code Key}, {@code RequestTime} …) in order.
 */
public final class S3Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int status;
  private final Map<String, String> details;

  public S3Exception(String code, int status, String message) {
    this(code, status, message, Map.of());
  }

  public S3Exception(String code, int status, String message, Map<String, String> details) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
    this.status = status;
    this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  /** Extra elements of the error document, element name to text, in order. */
  public Map<String, String> details() {
    return details;
  }

  static S3Exception malformedXml(String why) {
    return new S3Exception(
        "MalformedXML",
        400,
        "The XML you provided was not well-formed or did not validate against our published schema"
            + (why == null ? "" : ": " + why));
  }

  static S3Exception invalidArgument(String message, String name, String value) {
    Map<String, String> d = new LinkedHashMap<>();
    if (name != null) {
      d.put("ArgumentName", name);
      d.put("ArgumentValue", value == null ? "" : value);
    }
    return new S3Exception("InvalidArgument", 400, message, d);
  }

  static S3Exception invalidRequest(String message) {
    return new S3Exception("InvalidRequest", 400, message);
  }

  static S3Exception notImplemented(String what) {
    return new S3Exception(
        "NotImplemented",
        501,
        "A header or query you provided implies functionality that is not implemented: " + what);
  }

  static S3Exception badDigest(String message) {
    return new S3Exception("BadDigest", 400, message);
  }

  static S3Exception methodNotAllowed(String message) {
    return new S3Exception("MethodNotAllowed", 405, message);
  }

  /** The S3 answer to an authentication failure, as the verifier chose it. */
  public static S3Exception of(SigV4Exception e) {
    return new S3Exception(e.s3Code(), e.s3HttpStatus(), e.s3Message(), e.s3Details());
  }

  /**
   * The S3 answer to a store failure: every {@link ObjectStoreException.Reason} has its S3 code and
   * status; the message is the store's, which names the bucket or key at fault.
   */
  public static S3Exception of(ObjectStoreException e, String bucket, String key) {
    Map<String, String> d = new LinkedHashMap<>();
    String code;
    int status;
    switch (e.reason()) {
      case NO_SUCH_BUCKET -> {
        code = "NoSuchBucket";
        status = 404;
        putIf(d, "BucketName", bucket);
      }
      case NO_SUCH_KEY -> {
        code = "NoSuchKey";
        status = 404;
        putIf(d, "Key", key);
      }
      case NO_SUCH_VERSION -> {
        code = "NoSuchVersion";
        status = 404;
        putIf(d, "Key", key);
      }
      case NO_SUCH_UPLOAD -> {
        code = "NoSuchUpload";
        status = 404;
      }
      case NO_SUCH_LIFECYCLE_CONFIGURATION -> {
        code = "NoSuchLifecycleConfiguration";
        status = 404;
        putIf(d, "BucketName", bucket);
      }
      case BUCKET_ALREADY_EXISTS -> {
        // Basin has one owner: every existing bucket is the caller's.
        code = "BucketAlreadyOwnedByYou";
        status = 409;
        putIf(d, "BucketName", bucket);
      }
      case BUCKET_NOT_EMPTY -> {
        code = "BucketNotEmpty";
        status = 409;
        putIf(d, "BucketName", bucket);
      }
      case INVALID_BUCKET_NAME -> {
        code = "InvalidBucketName";
        status = 400;
        putIf(d, "BucketName", bucket);
      }
      case INVALID_KEY, INVALID_ARGUMENT -> {
        code = "InvalidArgument";
        status = 400;
      }
      case KEY_TOO_LONG -> {
        code = "KeyTooLongError";
        status = 400;
      }
      case INVALID_RANGE -> {
        code = "InvalidRange";
        status = 416;
      }
      case INVALID_PART -> {
        code = "InvalidPart";
        status = 400;
      }
      case INVALID_PART_ORDER -> {
        code = "InvalidPartOrder";
        status = 400;
      }
      case ENTITY_TOO_SMALL -> {
        code = "EntityTooSmall";
        status = 400;
      }
      case ENTITY_TOO_LARGE -> {
        code = "EntityTooLarge";
        status = 400;
      }
      case INCOMPLETE_BODY -> {
        code = "IncompleteBody";
        status = 400;
      }
      case BAD_DIGEST -> {
        code = "BadDigest";
        status = 400;
      }
      case PRECONDITION_FAILED, ALREADY_EXISTS -> {
        code = "PreconditionFailed";
        status = 412;
        d.put(
            "Condition",
            e.reason() == ObjectStoreException.Reason.ALREADY_EXISTS
                ? "If-None-Match"
                : "If-Match");
      }
      case INVALID_REQUEST -> {
        code = "InvalidRequest";
        status = 400;
      }
      default -> {
        code = "InternalError";
        status = 500;
      }
    }
    return new S3Exception(code, status, e.getMessage(), d);
  }

  private static void putIf(Map<String, String> d, String name, String value) {
    if (value != null && !value.isEmpty()) {
      d.put(name, value);
    }
  }
}
