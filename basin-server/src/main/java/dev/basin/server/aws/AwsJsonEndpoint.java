package dev.basin.server.aws;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import dev.basin.server.auth.Principal;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.RequestBodies;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code POST /} endpoint of the AWS JSON protocols: authenticates the request with SigV4,
 * decodes JSON or CBOR by Content-Type, dispatches by {@code X-Amz-Target}, and answers in the
 * request's encoding, errors included ({@code __type} and {@code message}).
 */
public final class AwsJsonEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(AwsJsonEndpoint.class);

  private final Map<String, AwsJsonService> services = new HashMap<>();
  private final Authenticator authenticator;
  private final MeterRegistry metrics;
  private final long maxBodyBytes;

  public AwsJsonEndpoint(
      List<AwsJsonService> services,
      Authenticator authenticator,
      MeterRegistry metrics,
      long maxBodyBytes) {
    for (AwsJsonService s : services) {
      this.services.put(s.targetPrefix(), s);
    }
    this.authenticator = authenticator;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Handles one request. Never throws: every failure becomes an AWS-shaped error response. */
  public void handle(Context ctx) {
    long start = System.nanoTime();
    WireFormat format = WireFormat.of(ctx.contentType());
    String target = ctx.header("X-Amz-Target");
    ctx.header("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
    String prefix = "unknown";
    String operation = "unknown";
    String outcome = "ok";
    try {
      byte[] body;
      try {
        body = RequestBodies.read(ctx, maxBodyBytes);
      } catch (RequestBodies.TooLargeException e) {
        throw new AwsErrorException(
            "RequestEntityTooLargeException",
            e.getMessage() + " (setting http.max-request-bytes)",
            413);
      }
      Principal principal = authenticator.authenticateAws(ctx, body);
      if (target == null || target.indexOf('.') < 0) {
        throw AwsErrorException.client(
            "UnknownOperationException",
            "Missing or malformed X-Amz-Target header; expected <Service>.<Operation>, e.g."
                + " Kinesis_20131202.ListStreams");
      }
      prefix = target.substring(0, target.indexOf('.'));
      String op = target.substring(target.indexOf('.') + 1);
      AwsJsonService service = services.get(prefix);
      if (service == null || !service.operations().contains(op)) {
        throw AwsErrorException.client(
            "UnknownOperationException", "Operation " + target + " is not supported by Basin");
      }
      operation = op;
      boolean raw = service instanceof SupportsRawInput r && r.rawInputOperations().contains(op);
      JsonNode input = raw ? null : parse(format, body);
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      try (JsonGenerator gen = format.mapper().getFactory().createGenerator(out)) {
        gen.writeStartObject();
        try {
          if (raw) {
            ((SupportsRawInput) service).handleRaw(op, body, format, principal, gen);
          } else {
            service.handle(op, new AwsInput(input, format), principal, gen);
          }
        } catch (BasinException e) {
          throw service.translate(e);
        }
        gen.writeEndObject();
      }
      ctx.status(200).contentType(format.contentType()).result(out.toByteArray());
    } catch (AwsErrorException e) {
      outcome = e.code();
      writeError(ctx, format, e);
    } catch (RuntimeException | IOException e) {
      outcome = "InternalFailure";
      LOG.atError()
          .addKeyValue("target", target)
          .setCause(e)
          .log("unexpected failure handling AWS request");
      writeError(
          ctx,
          format,
          new AwsErrorException(
              "InternalFailure",
              "The request processing has failed because of an unknown error; retry it",
              500));
    } finally {
      Timer.builder("basin.aws.requests")
          .description("AWS-protocol requests by service, operation and outcome")
          .tag("service", prefix)
          .tag("operation", operation)
          .tag("outcome", outcome)
          .register(metrics)
          .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private static JsonNode parse(WireFormat format, byte[] body) {
    if (body.length == 0) {
      return format.mapper().createObjectNode();
    }
    JsonNode node;
    try {
      node = format.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw AwsErrorException.undecodable(format, e.getOriginalMessage());
    } catch (IOException e) {
      throw AwsErrorException.undecodable(format, e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      return format.mapper().createObjectNode();
    }
    if (!node.isObject()) {
      throw AwsErrorException.notAStructure(format);
    }
    return node;
  }

  static void writeError(Context ctx, WireFormat format, AwsErrorException e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator gen = format.mapper().getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("__type", e.code());
      gen.writeStringField("message", e.getMessage());
      for (java.util.Map.Entry<String, String> f : e.fields().entrySet()) {
        gen.writeStringField(f.getKey(), f.getValue());
      }
      gen.writeEndObject();
    } catch (IOException io) {
      throw new IllegalStateException("cannot encode error", io);
    }
    ctx.status(e.status())
        .contentType(format.contentType())
        .header("x-amzn-ErrorType", e.code())
        .result(out.toByteArray());
  }
}
