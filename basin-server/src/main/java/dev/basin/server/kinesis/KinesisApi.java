package dev.basin.server.kinesis;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.basin.common.error.BasinException;
import dev.basin.server.auth.Principal;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import dev.basin.server.aws.AwsJsonService;
import dev.basin.server.aws.SupportsRawInput;
import dev.basin.server.aws.WireFormat;
import dev.basin.stream.ChildShard;
import dev.basin.stream.GetRecordsResult;
import dev.basin.stream.HashKeyRange;
import dev.basin.stream.IteratorType;
import dev.basin.stream.PutEntry;
import dev.basin.stream.PutOutcome;
import dev.basin.stream.ShardDescriptor;
import dev.basin.stream.ShardFilter;
import dev.basin.stream.StreamErrorCode;
import dev.basin.stream.StreamMetadata;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamRecord;
import dev.basin.stream.StreamService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Kinesis Data Streams API ({@code X-Amz-Target: Kinesis_20131202.*}) over {@link
 * StreamService}. This class only translates: wire members to service calls, results to wire
 * members, service errors to Kinesis error names.
 */
public final class KinesisApi implements AwsJsonService, SupportsRawInput {
  private static final Set<String> RAW_OPERATIONS = Set.of("PutRecords");
  private static final Set<String> OPERATIONS =
      Set.of(
          "CreateStream",
          "DeleteStream",
          "ListStreams",
          "DescribeStream",
          "DescribeStreamSummary",
          "DescribeLimits",
          "ListShards",
          "PutRecord",
          "PutRecords",
          "GetShardIterator",
          "GetRecords",
          "IncreaseStreamRetentionPeriod",
          "DecreaseStreamRetentionPeriod",
          "SplitShard",
          "MergeShards",
          "UpdateShardCount",
          "UpdateStreamMode",
          "AddTagsToStream",
          "RemoveTagsFromStream",
          "ListTagsForStream");

  private final StreamService streams;
  private final String account;
  private final Clock clock;

  public KinesisApi(StreamService streams, String account, Clock clock) {
    this.streams = streams;
    this.account = account;
    this.clock = clock;
  }

  @Override
  public String targetPrefix() {
    return "Kinesis_20131202";
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
      case "CreateStream":
        createStream(in);
        break;
      case "DeleteStream":
        streams.deleteStream(streamName(in));
        break;
      case "ListStreams":
        listStreams(in, region, out);
        break;
      case "DescribeStream":
        describeStream(in, region, out);
        break;
      case "DescribeStreamSummary":
        describeStreamSummary(in, region, out);
        break;
      case "DescribeLimits":
        out.writeNumberField("ShardLimit", 20_000);
        out.writeNumberField("OpenShardCount", streams.openShardCount());
        out.writeNumberField("OnDemandStreamCount", onDemandCount());
        out.writeNumberField("OnDemandStreamCountLimit", 50);
        break;
      case "ListShards":
        listShards(in, out);
        break;
      case "PutRecord":
        putRecord(in, out);
        break;
      case "GetShardIterator":
        getShardIterator(in, out);
        break;
      case "GetRecords":
        getRecords(in, out);
        break;
      case "IncreaseStreamRetentionPeriod":
        streams.increaseRetention(streamName(in), in.requiredInteger("RetentionPeriodHours"));
        break;
      case "DecreaseStreamRetentionPeriod":
        streams.decreaseRetention(streamName(in), in.requiredInteger("RetentionPeriodHours"));
        break;
      case "SplitShard":
        streams.splitShard(
            streamName(in),
            in.requiredString("ShardToSplit"),
            in.requiredString("NewStartingHashKey"));
        break;
      case "MergeShards":
        streams.mergeShards(
            streamName(in),
            in.requiredString("ShardToMerge"),
            in.requiredString("AdjacentShardToMerge"));
        break;
      case "UpdateShardCount":
        updateShardCount(in, region, out);
        break;
      case "UpdateStreamMode":
        updateStreamMode(in);
        break;
      case "AddTagsToStream":
        streams.addTags(streamName(in), requireTags(in));
        break;
      case "RemoveTagsFromStream":
        List<String> keys = in.strings("TagKeys");
        if (keys == null) {
          throw in.missing("TagKeys");
        }
        streams.removeTags(streamName(in), keys);
        break;
      case "ListTagsForStream":
        listTags(in, out);
        break;
      default:
        throw AwsErrorException.client("UnknownOperationException", "Unknown operation " + op);
    }
  }

  @Override
  public AwsErrorException translate(BasinException e) {
    String type;
    int status = 400;
    if (e.code() instanceof StreamErrorCode c) {
      switch (c) {
        case VALIDATION:
          type = "ValidationException";
          break;
        case INVALID_ARGUMENT:
          type = "InvalidArgumentException";
          break;
        case STREAM_NOT_FOUND:
        case SHARD_NOT_FOUND:
          type = "ResourceNotFoundException";
          break;
        case STREAM_EXISTS:
          type = "ResourceInUseException";
          break;
        case LIMIT_EXCEEDED:
          type = "LimitExceededException";
          break;
        case ITERATOR_EXPIRED:
          type = "ExpiredIteratorException";
          break;
        case THROUGHPUT_EXCEEDED:
          type = "ProvisionedThroughputExceededException";
          break;
        default:
          type = "InternalFailure";
          status = 500;
      }
    } else {
      switch (e.kind()) {
        case INVALID:
          type = "InvalidArgumentException";
          break;
        case NOT_FOUND:
          type = "ResourceNotFoundException";
          break;
        case CONFLICT:
          type = "ResourceInUseException";
          break;
        case LIMIT_EXCEEDED:
          type = "LimitExceededException";
          break;
        case THROTTLED:
          type = "ProvisionedThroughputExceededException";
          break;
        case UNAVAILABLE:
          type = "ServiceUnavailable";
          status = 503;
          break;
        default:
          type = "InternalFailure";
          status = 500;
      }
    }
    return new AwsErrorException(type, e.getMessage(), status);
  }

  // ---------------------------------------------------------------- operations

  private void createStream(AwsInput in) {
    String name = in.requiredString("StreamName");
    StreamMode mode = StreamMode.PROVISIONED;
    AwsInput details = in.object("StreamModeDetails");
    if (details != null) {
      mode = streamMode(details.requiredString("StreamMode"));
    }
    streams.createStream(name, in.integer("ShardCount"), mode, in.stringMap("Tags"));
  }

  private static StreamMode streamMode(String text) {
    try {
      return StreamMode.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw AwsErrorException.client(
          "ValidationException",
          "1 validation error detected: Value '"
              + text
              + "' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must"
              + " satisfy enum value set: [PROVISIONED, ON_DEMAND]");
    }
  }

  private void updateStreamMode(AwsInput in) {
    String arn = in.requiredString("StreamARN");
    AwsInput details = in.object("StreamModeDetails");
    if (details == null) {
      throw in.missing("StreamModeDetails");
    }
    streams.updateMode(nameFromArn(arn), streamMode(details.requiredString("StreamMode")));
  }

  private void listStreams(AwsInput in, String region, JsonGenerator out) throws IOException {
    int limit = bounded(in.integer("Limit"), 100, 1, 10_000, "limit");
    String after = in.string("ExclusiveStartStreamName");
    String token = in.string("NextToken");
    if (token != null) {
      after = decodeToken(token, "ListStreams");
    }
    List<String> page = new ArrayList<>();
    boolean more = false;
    for (String name : streams.listStreams()) {
      if (after != null && name.compareTo(after) <= 0) {
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(name);
    }
    out.writeArrayFieldStart("StreamNames");
    for (String n : page) {
      out.writeString(n);
    }
    out.writeEndArray();
    out.writeBooleanField("HasMoreStreams", more);
    if (more) {
      out.writeStringField("NextToken", encodeToken("ListStreams", page.get(page.size() - 1)));
    }
    out.writeArrayFieldStart("StreamSummaries");
    for (String n : page) {
      StreamMetadata meta;
      try {
        meta = streams.describe(n);
      } catch (BasinException e) {
        continue;
      }
      out.writeStartObject();
      out.writeStringField("StreamName", n);
      out.writeStringField("StreamARN", arn(region, n));
      out.writeStringField("StreamStatus", "ACTIVE");
      writeMode(out, meta);
      in.format().writeTimestamp(out, "StreamCreationTimestamp", meta.createdAt());
      out.writeEndObject();
    }
    out.writeEndArray();
  }

  private void describeStream(AwsInput in, String region, JsonGenerator out) throws IOException {
    String name = streamName(in);
    int limit = bounded(in.integer("Limit"), 100, 1, 10_000, "limit");
    String after = in.string("ExclusiveStartShardId");
    StreamMetadata meta = streams.describe(name);
    out.writeObjectFieldStart("StreamDescription");
    out.writeStringField("StreamName", name);
    out.writeStringField("StreamARN", arn(region, name));
    out.writeStringField("StreamStatus", "ACTIVE");
    writeMode(out, meta);
    out.writeArrayFieldStart("Shards");
    boolean more = false;
    int n = 0;
    for (ShardDescriptor s : meta.shards()) {
      if (after != null && s.shardId().compareTo(after) <= 0) {
        continue;
      }
      if (n == limit) {
        more = true;
        break;
      }
      writeShard(out, s);
      n++;
    }
    out.writeEndArray();
    out.writeBooleanField("HasMoreShards", more);
    out.writeNumberField("RetentionPeriodHours", meta.retentionHours());
    in.format().writeTimestamp(out, "StreamCreationTimestamp", meta.createdAt());
    writeMonitoring(out);
    out.writeStringField("EncryptionType", "NONE");
    out.writeEndObject();
  }

  private void describeStreamSummary(AwsInput in, String region, JsonGenerator out)
      throws IOException {
    String name = streamName(in);
    StreamMetadata meta = streams.describe(name);
    out.writeObjectFieldStart("StreamDescriptionSummary");
    out.writeStringField("StreamName", name);
    out.writeStringField("StreamARN", arn(region, name));
    out.writeStringField("StreamStatus", "ACTIVE");
    writeMode(out, meta);
    out.writeNumberField("RetentionPeriodHours", meta.retentionHours());
    in.format().writeTimestamp(out, "StreamCreationTimestamp", meta.createdAt());
    writeMonitoring(out);
    out.writeStringField("EncryptionType", "NONE");
    out.writeNumberField("OpenShardCount", meta.openShards().size());
    out.writeNumberField("ConsumerCount", 0);
    out.writeEndObject();
  }

  private void listShards(AwsInput in, JsonGenerator out) throws IOException {
    String token = in.string("NextToken");
    String name;
    String after = in.string("ExclusiveStartShardId");
    ShardFilter filter = null;
    if (token != null) {
      if (in.has("StreamName") || in.has("StreamARN") || after != null || in.has("ShardFilter")) {
        throw AwsErrorException.client(
            "InvalidArgumentException",
            "NextToken and StreamName/StreamARN/ExclusiveStartShardId/ShardFilter cannot be"
                + " provided together.");
      }
      String[] parts = decodeToken(token, "ListShards").split("\n", -1);
      if (parts.length != 3) {
        throw invalidToken();
      }
      name = parts[0];
      after = parts[1];
      if (!parts[2].isEmpty()) {
        filter = parseFilterToken(parts[2]);
      }
    } else {
      name = streamName(in);
      AwsInput f = in.object("ShardFilter");
      if (f != null) {
        filter = shardFilter(f);
      }
    }
    int limit = bounded(in.integer("MaxResults"), 1000, 1, 10_000, "maxResults");
    List<ShardDescriptor> matching = streams.listShards(name, filter);
    out.writeArrayFieldStart("Shards");
    String last = null;
    boolean more = false;
    int n = 0;
    for (ShardDescriptor s : matching) {
      if (after != null && s.shardId().compareTo(after) <= 0) {
        continue;
      }
      if (n == limit) {
        more = true;
        break;
      }
      writeShard(out, s);
      last = s.shardId();
      n++;
    }
    out.writeEndArray();
    if (more) {
      out.writeStringField(
          "NextToken",
          encodeToken(
              "ListShards",
              name + "\n" + last + "\n" + (filter == null ? "" : filterToken(filter))));
    }
  }

  private static ShardFilter shardFilter(AwsInput f) {
    String type = f.requiredString("Type");
    ShardFilter.Type t;
    try {
      t = ShardFilter.Type.valueOf(type);
    } catch (IllegalArgumentException e) {
      throw AwsErrorException.client(
          "ValidationException",
          "1 validation error detected: Value '"
              + type
              + "' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum"
              + " value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST,"
              + " AT_TIMESTAMP, FROM_TIMESTAMP]");
    }
    var ts = f.timestamp("Timestamp");
    return new ShardFilter(t, f.string("ShardId"), ts == null ? null : ts.toEpochMilli());
  }

  private static String filterToken(ShardFilter f) {
    return f.type()
        + "|"
        + (f.shardId() == null ? "" : f.shardId())
        + "|"
        + (f.timestampMillis() == null ? "" : f.timestampMillis());
  }

  private static ShardFilter parseFilterToken(String s) {
    String[] p = s.split("\\|", -1);
    if (p.length != 3) {
      throw invalidToken();
    }
    try {
      return new ShardFilter(
          ShardFilter.Type.valueOf(p[0]),
          p[1].isEmpty() ? null : p[1],
          p[2].isEmpty() ? null : Long.parseLong(p[2]));
    } catch (IllegalArgumentException e) {
      throw invalidToken();
    }
  }

  private void putRecord(AwsInput in, JsonGenerator out) throws IOException {
    String name = streamName(in);
    String seqForOrdering = in.string("SequenceNumberForOrdering");
    if (seqForOrdering != null && !seqForOrdering.matches("0|[1-9]\\d{0,128}")) {
      throw AwsErrorException.client(
          "ValidationException",
          "1 validation error detected: Value '"
              + seqForOrdering
              + "' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must"
              + " satisfy regular expression pattern: 0|([1-9]\\d{0,128})");
    }
    PutOutcome o = streams.putRecord(name, entry(in));
    out.writeStringField("ShardId", o.shardId());
    out.writeStringField("SequenceNumber", o.sequenceNumber());
    out.writeStringField("EncryptionType", "NONE");
  }

  private static PutEntry entry(AwsInput in) {
    return new PutEntry(
        in.requiredString("PartitionKey"), in.string("ExplicitHashKey"), in.requiredBlob("Data"));
  }

  @Override
  public Set<String> rawInputOperations() {
    return RAW_OPERATIONS;
  }

  @Override
  public void handleRaw(
      String op, byte[] body, WireFormat format, Principal principal, JsonGenerator out)
      throws IOException {
    PutRecordsReader.Request req = PutRecordsReader.read(body, format);
    if (req.streamName() == null && req.streamArn() == null) {
      throw PutRecordsReader.missing("streamName");
    }
    if (req.entries() == null) {
      throw PutRecordsReader.missing("records");
    }
    putRecords(streamName(req.streamName(), req.streamArn()), req.entries(), out);
  }

  private void putRecords(String name, List<PutEntry> entries, JsonGenerator out)
      throws IOException {
    List<PutOutcome> outcomes = streams.putRecords(name, entries);
    int failed = 0;
    for (PutOutcome o : outcomes) {
      if (!o.succeeded()) {
        failed++;
      }
    }
    out.writeNumberField("FailedRecordCount", failed);
    out.writeArrayFieldStart("Records");
    for (PutOutcome o : outcomes) {
      out.writeStartObject();
      if (o.succeeded()) {
        out.writeStringField("SequenceNumber", o.sequenceNumber());
        out.writeStringField("ShardId", o.shardId());
      } else {
        out.writeStringField("ErrorCode", translate(new BasinException(o.error(), "")).code());
        out.writeStringField("ErrorMessage", o.errorMessage());
      }
      out.writeEndObject();
    }
    out.writeEndArray();
    out.writeStringField("EncryptionType", "NONE");
  }

  private void getShardIterator(AwsInput in, JsonGenerator out) throws IOException {
    String name = streamName(in);
    String shardId = in.requiredString("ShardId");
    String typeText = in.requiredString("ShardIteratorType");
    IteratorType type;
    try {
      type = IteratorType.valueOf(typeText);
    } catch (IllegalArgumentException e) {
      throw AwsErrorException.client(
          "ValidationException",
          "1 validation error detected: Value '"
              + typeText
              + "' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum"
              + " value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP,"
              + " TRIM_HORIZON, LATEST]");
    }
    String iterator =
        streams.getShardIterator(
            name, shardId, type, in.string("StartingSequenceNumber"), in.timestamp("Timestamp"));
    out.writeStringField("ShardIterator", iterator);
  }

  private void getRecords(AwsInput in, JsonGenerator out) throws IOException {
    String iterator = in.requiredString("ShardIterator");
    if (iterator.isEmpty() || iterator.length() > 512) {
      throw AwsErrorException.client(
          "ValidationException",
          "1 validation error detected: Value at 'shardIterator' failed to satisfy constraint:"
              + " Member must have length between 1 and 512");
    }
    Integer limit = in.integer("Limit");
    GetRecordsResult r = streams.getRecords(iterator, limit == null ? 10_000 : limit);
    WireFormat f = in.format();
    out.writeArrayFieldStart("Records");
    for (StreamRecord rec : r.records()) {
      out.writeStartObject();
      out.writeStringField("SequenceNumber", rec.sequenceNumber());
      f.writeTimestamp(out, "ApproximateArrivalTimestamp", rec.arrivalMillis());
      out.writeFieldName("Data");
      out.writeBinary(rec.data());
      out.writeStringField("PartitionKey", rec.partitionKey());
      out.writeStringField("EncryptionType", "NONE");
      out.writeEndObject();
    }
    out.writeEndArray();
    if (r.nextShardIterator() != null) {
      out.writeStringField("NextShardIterator", r.nextShardIterator());
    }
    out.writeNumberField("MillisBehindLatest", r.millisBehindLatest());
    if (r.nextShardIterator() == null) {
      out.writeArrayFieldStart("ChildShards");
      for (ChildShard c : r.childShards()) {
        out.writeStartObject();
        out.writeStringField("ShardId", c.shardId());
        out.writeArrayFieldStart("ParentShards");
        for (String p : c.parentShards()) {
          out.writeString(p);
        }
        out.writeEndArray();
        writeRange(out, c.range());
        out.writeEndObject();
      }
      out.writeEndArray();
    }
  }

  private void updateShardCount(AwsInput in, String region, JsonGenerator out) throws IOException {
    String name = streamName(in);
    int target = in.requiredInteger("TargetShardCount");
    String scaling = in.requiredString("ScalingType");
    if (!"UNIFORM_SCALING".equals(scaling)) {
      throw AwsErrorException.client(
          "ValidationException",
          "1 validation error detected: Value '"
              + scaling
              + "' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value"
              + " set: [UNIFORM_SCALING]");
    }
    int current = streams.describe(name).openShards().size();
    streams.updateShardCount(name, target);
    out.writeStringField("StreamName", name);
    out.writeNumberField("CurrentShardCount", current);
    out.writeNumberField("TargetShardCount", target);
    out.writeStringField("StreamARN", arn(region, name));
  }

  private static Map<String, String> requireTags(AwsInput in) {
    Map<String, String> tags = in.stringMap("Tags");
    if (tags == null) {
      throw in.missing("Tags");
    }
    return tags;
  }

  private void listTags(AwsInput in, JsonGenerator out) throws IOException {
    String name = streamName(in);
    int limit = bounded(in.integer("Limit"), 50, 1, 50, "limit");
    String after = in.string("ExclusiveStartTagKey");
    Map<String, String> tags = new TreeMap<>(streams.describe(name).tags());
    out.writeArrayFieldStart("Tags");
    boolean more = false;
    int n = 0;
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (after != null && t.getKey().compareTo(after) <= 0) {
        continue;
      }
      if (n == limit) {
        more = true;
        break;
      }
      out.writeStartObject();
      out.writeStringField("Key", t.getKey());
      if (t.getValue() != null) {
        out.writeStringField("Value", t.getValue());
      }
      out.writeEndObject();
      n++;
    }
    out.writeEndArray();
    out.writeBooleanField("HasMoreTags", more);
  }

  // ---------------------------------------------------------------- helpers

  private String streamName(AwsInput in) {
    String name = in.string("StreamName");
    String arn = in.string("StreamARN");
    if (name == null && arn == null) {
      throw in.missing("StreamName");
    }
    return streamName(name, arn);
  }

  private static String streamName(String name, String arn) {
    if (arn != null) {
      String fromArn = nameFromArn(arn);
      if (name != null && !name.equals(fromArn)) {
        throw AwsErrorException.client(
            "InvalidArgumentException",
            "StreamName " + name + " and StreamARN " + arn + " name different streams");
      }
      return fromArn;
    }
    return name;
  }

  private static String nameFromArn(String arn) {
    String[] parts = arn.split(":", 6);
    if (parts.length != 6
        || !parts[0].equals("arn")
        || !parts[2].equals("kinesis")
        || !parts[5].startsWith("stream/")) {
      throw AwsErrorException.client(
          "InvalidArgumentException",
          "StreamARN '"
              + arn
              + "' is not a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)");
    }
    return parts[5].substring("stream/".length());
  }

  private String arn(String region, String name) {
    return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name;
  }

  private int onDemandCount() {
    int n = 0;
    for (String s : streams.listStreams()) {
      try {
        if (streams.describe(s).mode() == StreamMode.ON_DEMAND) {
          n++;
        }
      } catch (BasinException ignored) {
        // deleted while listing
      }
    }
    return n;
  }

  private static int bounded(Integer v, int dflt, int min, int max, String field) {
    if (v == null) {
      return dflt;
    }
    if (v < min || v > max) {
      throw AwsErrorException.client(
          "ValidationException",
          "1 validation error detected: Value '"
              + v
              + "' at '"
              + field
              + "' failed to satisfy constraint: Member must have value "
              + (v < min ? "greater than or equal to " + min : "less than or equal to " + max));
    }
    return v;
  }

  private static void writeMode(JsonGenerator out, StreamMetadata meta) throws IOException {
    out.writeObjectFieldStart("StreamModeDetails");
    out.writeStringField("StreamMode", meta.mode().name());
    out.writeEndObject();
  }

  private static void writeMonitoring(JsonGenerator out) throws IOException {
    out.writeArrayFieldStart("EnhancedMonitoring");
    out.writeStartObject();
    out.writeArrayFieldStart("ShardLevelMetrics");
    out.writeEndArray();
    out.writeEndObject();
    out.writeEndArray();
  }

  private static void writeShard(JsonGenerator out, ShardDescriptor s) throws IOException {
    out.writeStartObject();
    out.writeStringField("ShardId", s.shardId());
    if (s.parentIndex() >= 0) {
      out.writeStringField("ParentShardId", ShardDescriptor.shardId(s.parentIndex()));
    }
    if (s.adjacentParentIndex() >= 0) {
      out.writeStringField(
          "AdjacentParentShardId", ShardDescriptor.shardId(s.adjacentParentIndex()));
    }
    writeRange(out, s.range());
    out.writeObjectFieldStart("SequenceNumberRange");
    out.writeStringField("StartingSequenceNumber", StreamService.startingSequenceNumber(s));
    String end = StreamService.endingSequenceNumber(s);
    if (end != null) {
      out.writeStringField("EndingSequenceNumber", end);
    }
    out.writeEndObject();
    out.writeEndObject();
  }

  private static void writeRange(JsonGenerator out, HashKeyRange r) throws IOException {
    out.writeObjectFieldStart("HashKeyRange");
    out.writeStringField("StartingHashKey", r.start().toString());
    out.writeStringField("EndingHashKey", r.end().toString());
    out.writeEndObject();
  }

  /** Pagination tokens: base64 of "kind\nissuedAtMillis\npayload"; they expire after 300 s. */
  private String encodeToken(String kind, String payload) {
    String raw = kind + "\n" + clock.millis() + "\n" + payload;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private String decodeToken(String token, String kind) {
    String raw;
    try {
      raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalidToken();
    }
    String[] parts = raw.split("\n", 3);
    if (parts.length != 3 || !parts[0].equals(kind)) {
      throw invalidToken();
    }
    long issued;
    try {
      issued = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      throw invalidToken();
    }
    if (clock.millis() - issued > 300_000) {
      throw AwsErrorException.client(
          "ExpiredNextTokenException",
          "The NextToken has expired (tokens are valid for 300 seconds); start the listing again.");
    }
    return parts[2];
  }

  private static AwsErrorException invalidToken() {
    return AwsErrorException.client(
        "InvalidArgumentException", "NextToken is invalid: it was not issued by this server.");
  }
}
