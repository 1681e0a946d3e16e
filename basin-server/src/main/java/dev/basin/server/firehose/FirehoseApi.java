package dev.basin.server.firehose;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.basin.common.error.BasinException;
import dev.basin.delivery.DeliveryEngine;
import dev.basin.delivery.DeliveryErrorCode;
import dev.basin.delivery.DeliveryStreamConfig;
import dev.basin.delivery.DirectPutSource;
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
 * DeleteDeliveryStream, and PutRecord/PutRecordBatch for DirectPut delivery streams (a record is
 * acknowledged only once it is durable in the delivery's internal stream; for a delivery stream
 * whose source is a Kinesis stream they answer InvalidArgumentException, as AWS does). Encryption
 * operations are refused. This class only translates; {@link FirehoseRequests} maps the create
 * request.
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
        putRecord(in, region, out);
        break;
      case "PutRecordBatch":
        putRecordBatch(in, region, out);
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

  private String directPutName(AwsInput in, String region) {
    DeliveryEngine.Description d = engine.describe(in.requiredString("DeliveryStreamName"));
    if (d.config().source() instanceof DeliveryStreamConfig.StreamSource s) {
      throw FirehoseRequests.invalid(
          "Delivery stream "
              + arn(region, d.config().name())
              + " is of type KinesisStreamAsSource; put the records into the Kinesis stream '"
              + s.streamName()
              + "' instead");
    }
    return d.config().name();
  }

  private void putRecord(AwsInput in, String region, JsonGenerator out) throws IOException {
    String name = directPutName(in, region);
    AwsInput record = in.object("Record");
    if (record == null) {
      throw in.missing("Record");
    }
    byte[] data = record.requiredBlob("Data");
    DirectPutSource.PutResult r = engine.put(name, List.of(data)).get(0);
    if (!r.succeeded()) {
      throw new AwsErrorException(
          r.errorCode(),
          r.errorMessage(),
          "ServiceUnavailableException".equals(r.errorCode()) ? 503 : 500);
    }
    out.writeStringField("RecordId", r.recordId());
    out.writeBooleanField("Encrypted", false);
  }

  private void putRecordBatch(AwsInput in, String region, JsonGenerator out) throws IOException {
    String name = directPutName(in, region);
    List<AwsInput> records = in.objects("Records");
    List<byte[]> data = new ArrayList<>(records.size());
    for (AwsInput r : records) {
      data.add(r.requiredBlob("Data"));
    }
    List<DirectPutSource.PutResult> results = engine.put(name, data);
    int failed = 0;
    for (DirectPutSource.PutResult r : results) {
      failed += r.succeeded() ? 0 : 1;
    }
    out.writeNumberField("FailedPutCount", failed);
    out.writeBooleanField("Encrypted", false);
    out.writeArrayFieldStart("RequestResponses");
    for (DirectPutSource.PutResult r : results) {
      out.writeStartObject();
      if (r.succeeded()) {
        out.writeStringField("RecordId", r.recordId());
      } else {
        out.writeStringField("ErrorCode", r.errorCode());
        out.writeStringField("ErrorMessage", r.errorMessage());
      }
      out.writeEndObject();
    }
    out.writeEndArray();
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
          // what Firehose answers a put over the throughput quota: retry after backing off
          type = "ServiceUnavailableException";
          status = 503;
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
