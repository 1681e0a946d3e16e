package dev.basin.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.ErrorKind;
import dev.basin.common.json.Json;
import dev.basin.spi.storage.ObjectStoreException;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * The native API's response conventions, shared by every {@code /api/v1} resource: JSON bodies,
 * errors as {@code {"error": {"code", "message"}}} with an HTTP status chosen by the error's kind.
 */
final class ApiResponses {
  private ApiResponses() {}

  /** A route body that may throw {@link BasinException} or {@link BadRequest}. */
  interface Action {
    void run(Context ctx) throws Exception;
  }

  /** Thrown by route bodies for malformed requests (400 {@code INVALID_ARGUMENT}). */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  /**
   * The request body as a JSON object.
   *
   * @throws BadRequest if it is larger than {@code maxBodyBytes}, not JSON, or not an object
   */
  static JsonNode jsonBody(Context ctx, long maxBodyBytes) {
    byte[] body = dev.basin.server.http.RequestBodies.read(ctx, maxBodyBytes);
    try {
      JsonNode node = Json.mapper().readTree(body);
      if (node == null || !node.isObject()) {
        throw new BadRequest("the body must be a JSON object");
      }
      return node;
    } catch (java.io.IOException e) {
      throw new BadRequest("the body is not valid JSON: " + e.getMessage());
    }
  }

  /**
   * A string field of a request body.
   *
   * @return null when absent and not required
   * @throws BadRequest when required and absent, or not a string
   */
  static String text(JsonNode in, String field, boolean required) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new BadRequest("\"" + field + "\" is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new BadRequest("\"" + field + "\" must be a string, was " + v);
    }
    return v.textValue();
  }

  /** Wraps an action so that its user-facing failures become error responses. */
  static Handler guarded(Action action) {
    return ctx -> {
      try {
        action.run(ctx);
      } catch (BasinException e) {
        error(ctx, status(e.kind()), e.code().name(), e.getMessage());
      } catch (BadRequest e) {
        error(ctx, 400, "INVALID_ARGUMENT", e.getMessage());
      } catch (ObjectStoreException e) {
        error(ctx, objectStoreStatus(e), e.reason().name(), e.getMessage());
      } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
        error(
            ctx,
            409,
            "CONCURRENT_MODIFICATION",
            "another writer committed to the table first; retry: " + e.getMessage());
      } catch (org.apache.iceberg.exceptions.NoSuchNamespaceException
          | org.apache.iceberg.exceptions.NoSuchTableException
          | org.apache.iceberg.exceptions.NotFoundException e) {
        error(ctx, 404, "NOT_FOUND", e.getMessage());
      } catch (org.apache.iceberg.exceptions.AlreadyExistsException e) {
        error(ctx, 409, "ALREADY_EXISTS", e.getMessage());
      } catch (org.apache.iceberg.exceptions.ValidationException e) {
        error(ctx, 400, "INVALID_ARGUMENT", e.getMessage());
      }
    };
  }

  static int objectStoreStatus(ObjectStoreException e) {
    switch (e.reason()) {
      case NO_SUCH_BUCKET:
      case NO_SUCH_KEY:
      case NO_SUCH_VERSION:
      case NO_SUCH_UPLOAD:
      case NO_SUCH_LIFECYCLE_CONFIGURATION:
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

  static int status(ErrorKind kind) {
    switch (kind) {
      case INVALID:
        return 400;
      case UNAUTHENTICATED:
        return 401;
      case NOT_FOUND:
        return 404;
      case CONFLICT:
      case LIMIT_EXCEEDED:
        return 409;
      case EXPIRED:
        return 410;
      case THROTTLED:
        return 429;
      case UNAVAILABLE:
        return 503;
      default:
        return 500;
    }
  }

  static void error(Context ctx, int status, String code, String message) {
    ObjectNode body = Json.mapper().createObjectNode();
    ObjectNode err = body.putObject("error");
    err.put("code", code);
    err.put("message", message);
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType("application/json").result(body.toString());
  }
}
