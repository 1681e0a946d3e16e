package dev.basin.server.firehose;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.basin.common.error.BasinException;
import dev.basin.delivery.DeliveryEngine;
import dev.basin.delivery.DeliveryErrorCode;
import dev.basin.delivery.DeliveryStreamConfig;
import dev.basin.server.auth.Principal;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import dev.basin.server.aws.AwsJsonService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Firehose API ({@code X-Amz-Target: Firehose_20150804.*}, AWS JSON 1.1) over {@link
 * DeliveryEngine}: CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams,
 * DeleteDeliveryStream; PutRecord and PutRecordBatch answer as AWS does for delivery streams whose
 * source is a Kinesis stream (direct put is not built yet). Encryption operations are refused. This
 * class only translates; {@link FirehoseRequests} maps the create request.
 */
public final class FirehoseApi implements AwsJsonService {
  private static final Set<String> OPERATIONS =
      Set.of(
          "CreateDeliveryStream",
          "DescribeDeliveryStream",
          "ListDeliveryStreams",
          "DeleteDeliveryStream",
          "PutRecord",
          "PutRecordBatch",
          "StartDeliveryStreamEncryption",
          "StopDeliveryStreamEncryption");

  private final DeliveryEngine engine;
  private final String account;

  public FirehoseApi(DeliveryEngine engine, String account) {
    this.engine = engine;
    this.account = account;
  }

  @Override
  public String targetPrefix() {
    return "Firehose_20150804";
  }

  @Override
  public Set<String> operations() {
    return OPERATIONS;
  }

  @Override
  public void handle(String op, AwsInput in, Principal principal, JsonGenerator out)
      throws IOException {
    String region = principal.region();
    switch (op) {
      case "CreateDeliveryStream":
        DeliveryStreamConfig config = FirehoseRequests.createRequest(in);
        engine.create(config);
        out.writeStringField("DeliveryStreamARN", arn(region, config.name()));
        break;
      case "DescribeDeliveryStream":
        DeliveryEngine.Description d = engine.describe(in.requiredString("DeliveryStreamName"));
        out.writeFieldName("DeliveryStreamDescription");
        FirehoseDescriptions.write(d, arn(region, d.config().name()), region, account, out);
        break;
      case "ListDeliveryStreams":
        list(in, out);
        break;
      case "DeleteDeliveryStream":
        engine.delete(in.requiredString("DeliveryStreamName"));
        break;
      case "PutRecord":
      case "PutRecordBatch":
        refusePut(in, region);
        break;
      case "StartDeliveryStreamEncryption":
      case "StopDeliveryStreamEncryption":
        engine.describe(in.requiredString("DeliveryStreamName"));
        throw FirehoseRequests.invalid(
            op
                + " is not supported by Basin: data at rest is protected by the data directory's"
                + " file permissions");
      default:
        throw AwsErrorException.client("UnknownOperationException", "Unknown operation " + op);
    }
  }

  private void refusePut(AwsInput in, String region) {
    DeliveryEngine.Description d = engine.describe(in.requiredString("DeliveryStreamName"));
    if (d.config().source() instanceof DeliveryStreamConfig.StreamSource s) {
      throw FirehoseRequests.invalid(
          "Delivery stream "
              + arn(region, d.config().name())
              + " is of type KinesisStreamAsSource; put the records into the Kinesis stream '"
              + s.streamName()
              + "' instead");
    }
    throw FirehoseRequests.invalid("direct put (PutRecord/PutRecordBatch) is not built yet");
  }

  private void list(AwsInput in, JsonGenerator out) throws IOException {
    Integer limit = in.integer("Limit");
    if (limit != null && (limit < 1 || limit > 10_000)) {
      throw FirehoseRequests.invalid("Limit must be between 1 and 10000, was " + limit);
    }
    int max = limit == null ? 10 : limit;
    String type = in.string("DeliveryStreamType");
    String after = in.string("ExclusiveStartDeliveryStreamName");
    List<String> names = new ArrayList<>();
    boolean more = false;
    for (String name : engine.list()) {
      if (after != null && name.compareTo(after) <= 0) {
        continue;
      }
      if (type != null) {
        try {
          if (!type.equals(FirehoseDescriptions.type(engine.describe(name).config()))) {
            continue;
          }
        } catch (BasinException e) {
          continue; // deleted while listing
        }
      }
      if (names.size() == max) {
        more = true;
        break;
      }
      names.add(name);
    }
    out.writeArrayFieldStart("DeliveryStreamNames");
    for (String n : names) {
      out.writeString(n);
    }
    out.writeEndArray();
    out.writeBooleanField("HasMoreDeliveryStreams", more);
  }

  private String arn(String region, String name) {
    return "arn:aws:firehose:" + region + ":" + account + ":deliverystream/" + name;
  }

  @Override
  public AwsErrorException translate(BasinException e) {
    String type;
    int status = 400;
    if (e.code() == DeliveryErrorCode.DELIVERY_NOT_FOUND) {
      type = "ResourceNotFoundException";
    } else if (e.code() == DeliveryErrorCode.DELIVERY_EXISTS) {
      type = "ResourceInUseException";
    } else {
      switch (e.kind()) {
        case INVALID:
        case NOT_FOUND:
          // a create naming a missing stream, table or bucket is a bad argument in Firehose
          type = "InvalidArgumentException";
          break;
        case CONFLICT:
          type = "ResourceInUseException";
          break;
        case LIMIT_EXCEEDED:
          type = "LimitExceededException";
          break;
        case THROTTLED:
          type = "LimitExceededException";
          break;
        case UNAVAILABLE:
          type = "ServiceUnavailableException";
          status = 503;
          break;
        default:
          type = "InternalFailure";
          status = 500;
      }
    }
    return new AwsErrorException(type, e.getMessage(), status);
  }
}
