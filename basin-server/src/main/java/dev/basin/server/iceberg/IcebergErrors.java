package dev.basin.server.iceberg;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.basin.common.error.BasinException;
import dev.basin.server.http.RequestBodies;
import dev.basin.spi.storage.ObjectStoreException;
import io.javalin.http.Context;
import java.util.UUID;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ServiceUnavailableException;
import org.apache.iceberg.exceptions.UnprocessableEntityException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.apache.iceberg.rest.responses.ErrorResponseParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates exceptions into the Iceberg REST error model, {@code {"error": {"message", "type",
 * "code"}}}, with the status the OpenAPI spec gives each failure. Stack traces never reach the
 * client: an unexpected failure is logged with an id that the client's message quotes.
 */
final class IcebergErrors {
  private static final Logger LOG = LoggerFactory.getLogger(IcebergErrors.class);

  private IcebergErrors() {}

  /** An error that carries its status and type; used for routing and protocol failures. */
  static final class HttpError extends RuntimeException {
    private final int status;
    private final String type;

    HttpError(int status, String type, String message) {
      super(message);
      this.status = status;
      this.type = type;
    }
  }

  /** Writes the error answer for a failure of any kind. */
  static void write(Context ctx, Exception e) {
    ErrorResponse response = toResponse(e, ctx.method().name() + " " + ctx.path());
    if (response.code() == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"basin-iceberg\"");
    }
    ctx.status(response.code())
        .contentType("application/json")
        .result(ErrorResponseParser.toJson(response));
  }

  static ErrorResponse toResponse(Exception e, String request) {
    int status = status(e);
    String type = type(e);
    String message = e.getMessage();
    if (status >= 500 && !(e instanceof CommitStateUnknownException)
        || message == null
        || message.isBlank()) {
      String id = UUID.randomUUID().toString();
      LOG.atError()
          .setCause(e)
          .addKeyValue("errorId", id)
          .addKeyValue("request", request)
          .log("Iceberg REST request failed");
      message =
          status >= 500
              ? "internal error " + id + " (" + e.getClass().getSimpleName() + "); see the log"
              : e.getClass().getSimpleName() + " (error " + id + ")";
    } else if (e instanceof CommitStateUnknownException) {
      LOG.atWarn()
          .setCause(e)
          .addKeyValue("request", request)
          .log("commit outcome unknown; the client must not clean up");
    }
    return ErrorResponse.builder().responseCode(status).withType(type).withMessage(message).build();
  }

  static int status(Exception e) {
    if (e instanceof HttpError h) {
      return h.status;
    }
    if (e instanceof NotAuthorizedException) {
      return 401;
    }
    if (e instanceof ForbiddenException) {
      return 403;
    }
    if (e instanceof NoSuchNamespaceException
        || e instanceof NoSuchTableException
        || e instanceof NoSuchViewException
        || e instanceof NotFoundException) {
      return 404;
    }
    if (e instanceof NamespaceNotEmptyException
        || e instanceof AlreadyExistsException
        || e instanceof CommitFailedException) {
      return 409;
    }
    if (e instanceof UnprocessableEntityException) {
      return 422;
    }
    if (e instanceof CommitStateUnknownException) {
      return 500;
    }
    if (e instanceof ServiceUnavailableException) {
      return 503;
    }
    if (e instanceof RequestBodies.TooLargeException) {
      return 413;
    }
    if (e instanceof BadRequestException
        || e instanceof ValidationException
        || e instanceof IllegalArgumentException
        || e instanceof JsonProcessingException) {
      return 400;
    }
    if (e instanceof UnsupportedOperationException) {
      return 406;
    }
    if (e instanceof ObjectStoreException o) {
      switch (o.reason()) {
        case NO_SUCH_BUCKET:
        case NO_SUCH_KEY:
        case NO_SUCH_VERSION:
        case NO_SUCH_UPLOAD:
          return 404;
        case ALREADY_EXISTS:
        case BUCKET_ALREADY_EXISTS:
        case BUCKET_NOT_EMPTY:
        case PRECONDITION_FAILED:
          return 409;
        default:
          return 400;
      }
    }
    if (e instanceof BasinException b) {
      switch (b.kind()) {
        case INVALID:
          return 400;
        case UNAUTHENTICATED:
          return 401;
        case NOT_FOUND:
          return 404;
        case CONFLICT:
          return 409;
        case THROTTLED:
        case UNAVAILABLE:
          return 503;
        default:
          return 500;
      }
    }
    return 500;
  }

  private static String type(Exception e) {
    if (e instanceof HttpError h) {
      return h.type;
    }
    if (e instanceof JsonProcessingException) {
      return "BadRequestException";
    }
    if (e instanceof UnsupportedOperationException) {
      return "UnsupportedOperationException";
    }
    if (e instanceof BasinException b) {
      return b.code().name();
    }
    return e.getClass().getSimpleName();
  }
}
