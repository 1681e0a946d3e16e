package dev.basin.server.athena;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import dev.basin.server.auth.Principal;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import dev.basin.server.aws.AwsJsonService;
import dev.basin.server.aws.SupportsRawInput;
import dev.basin.server.aws.WireFormat;
import dev.basin.sql.service.NamedQuery;
import dev.basin.sql.service.Page;
import dev.basin.sql.service.QueryErrorCode;
import dev.basin.sql.service.QueryExecution;
import dev.basin.sql.service.QueryRequest;
import dev.basin.sql.service.QueryService;
import dev.basin.sql.service.ResultColumn;
import dev.basin.sql.service.ResultPage;
import dev.basin.sql.service.WorkGroup;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Athena API ({@code X-Amz-Target: AmazonAthena.*}, AWS JSON 1.1) over {@link QueryService}:
 * query executions (Start, Get, BatchGet, Stop, List, GetQueryResults, GetQueryRuntimeStatistics),
 * named queries (Create, Get, BatchGet, List, Update, Delete) and workgroups (Create, Get, List,
 * Update, Delete). This class only translates.
 *
 * <p>As in Athena, a statement that fails (syntax error, unknown table) does not fail {@code
 * StartQueryExecution}: the execution ends {@code FAILED} with the engine's message in {@code
 * StateChangeReason} and {@code AthenaError}. The first page of {@code GetQueryResults} begins with
 * the header row (column names), which counts toward {@code MaxResults}. Request errors are {@code
 * InvalidRequestException} (unknown ids and workgroups included, as Athena answers them) and {@code
 * TooManyRequestsException} when the query queue is full.
 *
 * <p>Differences: result reuse is on unless the request turns it off ({@code
 * ResultReuseByAgeConfiguration.Enabled = false}), and is also invalidated when a table it read
 * changes; encryption and ACL settings of result configurations are refused; the only catalog is
 * {@value AthenaShapes#CATALOG}.
 */
public final class AthenaApi implements AwsJsonService, SupportsRawInput {
  private static final Set<String> OPERATIONS =
      Set.of(
          "StartQueryExecution",
          "GetQueryExecution",
          "BatchGetQueryExecution",
          "GetQueryResults",
          "GetQueryRuntimeStatistics",
          "StopQueryExecution",
          "ListQueryExecutions",
          "CreateNamedQuery",
          "GetNamedQuery",
          "BatchGetNamedQuery",
          "ListNamedQueries",
          "UpdateNamedQuery",
          "DeleteNamedQuery",
          "CreateWorkGroup",
          "GetWorkGroup",
          "ListWorkGroups",
          "UpdateWorkGroup",
          "DeleteWorkGroup");

  /**
   * Operations whose requests carry a 64-bit number ({@code BytesScannedCutoffPerQuery}), which
   * {@link AwsInput} cannot read: their bodies are decoded here.
   */
  private static final Set<String> RAW = Set.of("CreateWorkGroup", "UpdateWorkGroup");

  /** The token of the page after a first page that held only the header row. */
  private static final String AFTER_HEADER = "h";

  private static final int MAX_BATCH = 50;

  private final QueryService queries;
  private final Clock clock;

  public AthenaApi(QueryService queries, Clock clock) {
    this.queries = queries;
    this.clock = clock;
  }

  @Override
  public String targetPrefix() {
    return "AmazonAthena";
  }

  @Override
  public Set<String> operations() {
    return OPERATIONS;
  }

  @Override
  public Set<String> rawInputOperations() {
    return RAW;
  }

  @Override
  public void handle(String op, AwsInput in, Principal principal, JsonGenerator out)
      throws IOException {
    WireFormat f = in.format();
    switch (op) {
      case "StartQueryExecution":
        out.writeStringField("QueryExecutionId", queries.submit(startRequest(in, principal)).id());
        break;
      case "GetQueryExecution":
        out.writeFieldName("QueryExecution");
        AthenaShapes.queryExecution(
            execution(in.requiredString("QueryExecutionId")), clock.instant(), f, out);
        break;
      case "BatchGetQueryExecution":
        batchGetQueryExecution(in, out);
        break;
      case "GetQueryResults":
        getQueryResults(in, out);
        break;
      case "GetQueryRuntimeStatistics":
        runtimeStatistics(execution(in.requiredString("QueryExecutionId")), out);
        break;
      case "StopQueryExecution":
        String stopId = in.requiredString("QueryExecutionId");
        execution(stopId);
        queries.cancel(stopId);
        break;
      case "ListQueryExecutions":
        listQueryExecutions(in, out);
        break;
      case "CreateNamedQuery":
        NamedQuery created =
            queries.createNamedQuery(
                new NamedQuery.Input(
                    in.requiredString("Name"),
                    in.string("Description"),
                    in.requiredString("Database"),
                    in.requiredString("QueryString"),
                    in.string("WorkGroup"),
                    in.string("ClientRequestToken")));
        out.writeStringField("NamedQueryId", created.id());
        break;
      case "GetNamedQuery":
        out.writeFieldName("NamedQuery");
        AthenaShapes.namedQuery(named(in.requiredString("NamedQueryId")), out);
        break;
      case "BatchGetNamedQuery":
        batchGetNamedQuery(in, out);
        break;
      case "ListNamedQueries":
        listNamedQueries(in, out);
        break;
      case "UpdateNamedQuery":
        String namedId = in.requiredString("NamedQueryId");
        named(namedId);
        queries.updateNamedQuery(
            namedId,
            in.requiredString("Name"),
            in.string("Description"),
            in.requiredString("QueryString"));
        break;
      case "DeleteNamedQuery":
        String deleteId = in.requiredString("NamedQueryId");
        named(deleteId);
        queries.deleteNamedQuery(deleteId);
        break;
      case "GetWorkGroup":
        out.writeFieldName("WorkGroup");
        AthenaShapes.workGroup(queries.workGroup(in.requiredString("WorkGroup")), f, out);
        break;
      case "ListWorkGroups":
        listWorkGroups(in, out);
        break;
      case "DeleteWorkGroup":
        Boolean recursive = in.bool("RecursiveDeleteOption");
        queries.deleteWorkGroup(in.requiredString("WorkGroup"), recursive != null && recursive);
        break;
      default:
        throw AwsErrorException.client("UnknownOperationException", "Unknown operation " + op);
    }
  }

  @Override
  public void handleRaw(
      String op, byte[] body, WireFormat format, Principal principal, JsonGenerator out)
      throws IOException {
    JsonNode node = parse(format, body);
    AwsInput in = new AwsInput(node, format);
    try {
      switch (op) {
        case "CreateWorkGroup":
          createWorkGroup(in, node);
          break;
        case "UpdateWorkGroup":
          updateWorkGroup(in, node);
          break;
        default:
          handle(op, in, principal, out);
      }
    } catch (BasinException e) {
      throw translate(e);
    }
  }

  // ------------------------------------------------------------------ executions

  private QueryRequest startRequest(AwsInput in, Principal principal) {
    String sql = in.requiredString("QueryString");
    String database = null;
    AwsInput context = in.object("QueryExecutionContext");
    if (context != null) {
      database = context.string("Database");
      String catalog = context.string("Catalog");
      if (catalog != null
          && !catalog.equalsIgnoreCase(AthenaShapes.CATALOG)
          && !catalog.equalsIgnoreCase("basin")) {
        throw invalidRequest(
            "catalog '"
                + catalog
                + "' is not known; Basin has one catalog, "
                + AthenaShapes.CATALOG
                + " (omit QueryExecutionContext.Catalog)");
      }
    }
    String output = null;
    AwsInput result = in.object("ResultConfiguration");
    if (result != null) {
      output = result.string("OutputLocation");
      for (String unsupported :
          List.of("EncryptionConfiguration", "AclConfiguration", "ExpectedBucketOwner")) {
        if (result.has(unsupported)) {
          throw invalidRequest(
              "ResultConfiguration."
                  + unsupported
                  + " is not supported by Basin: results are protected by the data directory's"
                  + " permissions; remove it");
        }
      }
    }
    Boolean reuse = null;
    AwsInput reuseConfig = in.object("ResultReuseConfiguration");
    if (reuseConfig != null) {
      AwsInput byAge = reuseConfig.object("ResultReuseByAgeConfiguration");
      if (byAge != null) {
        reuse = byAge.bool("Enabled");
      }
    }
    List<String> parameters = in.strings("ExecutionParameters");
    return new QueryRequest(
        sql,
        database,
        in.string("WorkGroup"),
        principal.accessKeyId(),
        parameters,
        in.string("ClientRequestToken"),
        output,
        reuse,
        null);
  }

  private QueryExecution execution(String id) {
    Optional<QueryExecution> e = queries.find(id);
    if (e.isEmpty()) {
      throw invalidRequest("QueryExecution " + id + " was not found");
    }
    return e.get();
  }

  private NamedQuery named(String id) {
    Optional<NamedQuery> q = queries.findNamedQuery(id);
    if (q.isEmpty()) {
      throw invalidRequest("NamedQuery " + id + " was not found");
    }
    return q.get();
  }

  private void batchGetQueryExecution(AwsInput in, JsonGenerator out) throws IOException {
    List<String> ids = batchIds(in, "QueryExecutionIds");
    List<String> missing = new ArrayList<>();
    out.writeArrayFieldStart("QueryExecutions");
    for (String id : ids) {
      Optional<QueryExecution> e = queries.find(id);
      if (e.isPresent()) {
        AthenaShapes.queryExecution(e.get(), clock.instant(), in.format(), out);
      } else {
        missing.add(id);
      }
    }
    out.writeEndArray();
    out.writeArrayFieldStart("UnprocessedQueryExecutionIds");
    for (String id : missing) {
      out.writeStartObject();
      out.writeStringField("QueryExecutionId", id);
      out.writeStringField("ErrorCode", "INVALID_INPUT");
      out.writeStringField("ErrorMessage", "QueryExecution " + id + " was not found");
      out.writeEndObject();
    }
    out.writeEndArray();
  }

  private void getQueryResults(AwsInput in, JsonGenerator out) throws IOException {
    String id = in.requiredString("QueryExecutionId");
    execution(id);
    Integer max = in.integer("MaxResults");
    int maxResults = max == null ? QueryService.MAX_PAGE_ROWS : max;
    if (maxResults < 1 || maxResults > QueryService.MAX_PAGE_ROWS) {
      throw invalidRequest(
          "1 validation error detected: Value '"
              + maxResults
              + "' at 'maxResults' failed to satisfy constraint: Member must have value between 1"
              + " and "
              + QueryService.MAX_PAGE_ROWS);
    }
    String token = in.string("NextToken");
    boolean first = token == null || token.isEmpty();
    List<ResultColumn> columns = queries.resultColumns(id);
    ResultPage page;
    boolean header = first && !columns.isEmpty();
    if (header && maxResults == 1) {
      page = new ResultPage(columns, List.of(), AFTER_HEADER, -1);
    } else {
      String serviceToken = AFTER_HEADER.equals(token) || first ? null : token;
      page = queries.results(id, serviceToken, header ? maxResults - 1 : maxResults);
    }
    long updateCount = queries.get(id).updateCount();
    if (updateCount >= 0) {
      out.writeNumberField("UpdateCount", updateCount);
    }
    out.writeObjectFieldStart("ResultSet");
    out.writeArrayFieldStart("Rows");
    if (header) {
      List<String> names = new ArrayList<>(columns.size());
      for (ResultColumn c : columns) {
        names.add(c.name());
      }
      AthenaShapes.row(names, out);
    }
    for (List<String> row : page.rows()) {
      AthenaShapes.row(row, out);
    }
    out.writeEndArray();
    out.writeObjectFieldStart("ResultSetMetadata");
    out.writeArrayFieldStart("ColumnInfo");
    for (ResultColumn c : columns) {
      AthenaShapes.columnInfo(c, out);
    }
    out.writeEndArray();
    out.writeEndObject();
    out.writeEndObject();
    if (page.nextToken() != null) {
      out.writeStringField("NextToken", page.nextToken());
    }
  }

  private void runtimeStatistics(QueryExecution e, JsonGenerator out) throws IOException {
    java.time.Instant now = clock.instant();
    out.writeObjectFieldStart("QueryRuntimeStatistics");
    out.writeObjectFieldStart("Timeline");
    out.writeNumberField("QueryQueueTimeInMillis", e.queueMillis(now));
    out.writeNumberField("ServicePreProcessingTimeInMillis", 0);
    out.writeNumberField("QueryPlanningTimeInMillis", e.planningMillis());
    out.writeNumberField("EngineExecutionTimeInMillis", e.engineMillis());
    out.writeNumberField("ServiceProcessingTimeInMillis", 0);
    out.writeNumberField("TotalExecutionTimeInMillis", e.totalMillis(now));
    out.writeEndObject();
    out.writeObjectFieldStart("Rows");
    out.writeNumberField("InputBytes", e.bytesScanned());
    if (e.rows() >= 0) {
      out.writeNumberField("OutputRows", e.rows());
    }
    out.writeEndObject();
    out.writeEndObject();
  }

  private void listQueryExecutions(AwsInput in, JsonGenerator out) throws IOException {
    int max = pageSize(in, 50);
    String wg = in.string("WorkGroup");
    Page<QueryExecution> page =
        queries.list(wg == null ? WorkGroup.PRIMARY : wg, null, max, in.string("NextToken"));
    out.writeArrayFieldStart("QueryExecutionIds");
    for (QueryExecution e : page.items()) {
      out.writeString(e.id());
    }
    out.writeEndArray();
    if (page.nextToken() != null) {
      out.writeStringField("NextToken", page.nextToken());
    }
  }

  // ------------------------------------------------------------------ named queries

  private void batchGetNamedQuery(AwsInput in, JsonGenerator out) throws IOException {
    List<String> ids = batchIds(in, "NamedQueryIds");
    List<String> missing = new ArrayList<>();
    out.writeArrayFieldStart("NamedQueries");
    for (String id : ids) {
      Optional<NamedQuery> q = queries.findNamedQuery(id);
      if (q.isPresent()) {
        AthenaShapes.namedQuery(q.get(), out);
      } else {
        missing.add(id);
      }
    }
    out.writeEndArray();
    out.writeArrayFieldStart("UnprocessedNamedQueryIds");
    for (String id : missing) {
      out.writeStartObject();
      out.writeStringField("NamedQueryId", id);
      out.writeStringField("ErrorCode", "INVALID_INPUT");
      out.writeStringField("ErrorMessage", "NamedQuery " + id + " was not found");
      out.writeEndObject();
    }
    out.writeEndArray();
  }

  private void listNamedQueries(AwsInput in, JsonGenerator out) throws IOException {
    Page<NamedQuery> page =
        queries.listNamedQueries(in.string("WorkGroup"), pageSize(in, 50), in.string("NextToken"));
    out.writeArrayFieldStart("NamedQueryIds");
    for (NamedQuery q : page.items()) {
      out.writeString(q.id());
    }
    out.writeEndArray();
    if (page.nextToken() != null) {
      out.writeStringField("NextToken", page.nextToken());
    }
  }

  // ------------------------------------------------------------------ workgroups

  private void createWorkGroup(AwsInput in, JsonNode node) {
    String name = in.requiredString("Name");
    WorkGroup spec = WorkGroup.named(name).withDescription(in.string("Description"));
    AwsInput config = in.object("Configuration");
    if (config != null) {
      AwsInput result = config.object("ResultConfiguration");
      if (result != null) {
        rejectEncryption(result, "Configuration.ResultConfiguration");
        spec = spec.withOutputLocation(result.string("OutputLocation"));
      }
      Boolean enforce = config.bool("EnforceWorkGroupConfiguration");
      if (enforce != null) {
        spec = spec.withEnforceConfiguration(enforce);
      }
      spec =
          spec.withBytesScannedCutoffPerQuery(
              longMember(node.get("Configuration"), "BytesScannedCutoffPerQuery"));
    }
    queries.createWorkGroup(spec);
  }

  private void updateWorkGroup(AwsInput in, JsonNode node) {
    String name = in.requiredString("WorkGroup");
    String state = in.string("State");
    Boolean enabled = null;
    if (state != null) {
      if (!state.equals("ENABLED") && !state.equals("DISABLED")) {
        throw invalidRequest("State must be ENABLED or DISABLED, got '" + state + "'");
      }
      enabled = state.equals("ENABLED");
    }
    String output = null;
    boolean removeOutput = false;
    Long cutoff = null;
    boolean removeCutoff = false;
    Boolean enforce = null;
    AwsInput updates = in.object("ConfigurationUpdates");
    if (updates != null) {
      AwsInput result = updates.object("ResultConfigurationUpdates");
      if (result != null) {
        rejectEncryption(result, "ConfigurationUpdates.ResultConfigurationUpdates");
        output = result.string("OutputLocation");
        removeOutput = Boolean.TRUE.equals(result.bool("RemoveOutputLocation"));
      }
      cutoff = longMember(node.get("ConfigurationUpdates"), "BytesScannedCutoffPerQuery");
      removeCutoff = Boolean.TRUE.equals(updates.bool("RemoveBytesScannedCutoffPerQuery"));
      enforce = updates.bool("EnforceWorkGroupConfiguration");
    }
    queries.updateWorkGroup(
        name,
        new WorkGroup.Update(
            in.string("Description"),
            enabled,
            output,
            removeOutput,
            cutoff,
            removeCutoff,
            enforce));
  }

  private static void rejectEncryption(AwsInput result, String where) {
    if (result.has("EncryptionConfiguration") || result.has("AclConfiguration")) {
      throw invalidRequest(
          where
              + ": encryption and ACL settings are not supported by Basin: results are protected by"
              + " the data directory's permissions; remove them");
    }
  }

  private void listWorkGroups(AwsInput in, JsonGenerator out) throws IOException {
    Page<WorkGroup> page = queries.listWorkGroups(pageSize(in, 50), in.string("NextToken"));
    out.writeArrayFieldStart("WorkGroups");
    for (WorkGroup w : page.items()) {
      AthenaShapes.workGroupSummary(w, in.format(), out);
    }
    out.writeEndArray();
    if (page.nextToken() != null) {
      out.writeStringField("NextToken", page.nextToken());
    }
  }

  // ------------------------------------------------------------------ helpers

  private static int pageSize(AwsInput in, int max) {
    Integer n = in.integer("MaxResults");
    if (n == null || n == 0) {
      return max;
    }
    if (n < 0 || n > max) {
      throw invalidRequest(
          "1 validation error detected: Value '"
              + n
              + "' at 'maxResults' failed to satisfy constraint: Member must have value less than"
              + " or equal to "
              + max);
    }
    return n;
  }

  private static List<String> batchIds(AwsInput in, String member) {
    List<String> ids = in.strings(member);
    if (ids == null) {
      throw in.missing(member);
    }
    if (ids.isEmpty() || ids.size() > MAX_BATCH) {
      throw invalidRequest(member + " must hold 1 to " + MAX_BATCH + " ids, got " + ids.size());
    }
    return ids;
  }

  private static Long longMember(JsonNode parent, String name) {
    if (parent == null) {
      return null;
    }
    JsonNode v = parent.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw AwsErrorException.client(
          "SerializationException", "Value at '" + name + "' must be a Long");
    }
    return v.longValue();
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

  private static AwsErrorException invalidRequest(String message) {
    return new AwsErrorException(
        "InvalidRequestException", message, 400, Map.of("AthenaErrorCode", "INVALID_INPUT"));
  }

  private static final Map<QueryErrorCode, String> TYPES =
      Map.of(
          QueryErrorCode.TOO_MANY_QUERIES, "TooManyRequestsException",
          QueryErrorCode.METADATA_STORE_FAILURE, "InternalServerException",
          QueryErrorCode.SHUT_DOWN, "InternalServerException");

  @Override
  public AwsErrorException translate(BasinException e) {
    String type = e.code() instanceof QueryErrorCode q ? TYPES.get(q) : null;
    if (type == null) {
      switch (e.kind()) {
        case THROTTLED:
          type = "TooManyRequestsException";
          break;
        case INTERNAL:
        case UNAVAILABLE:
          type = "InternalServerException";
          break;
        default:
          type = "InvalidRequestException";
      }
    }
    Map<String, String> fields;
    if (type.equals("InvalidRequestException")) {
      fields = Map.of("AthenaErrorCode", e.code().name());
    } else if (type.equals("TooManyRequestsException")) {
      fields = Map.of("Reason", "CONCURRENT_QUERY_LIMIT_EXCEEDED");
    } else {
      fields = Map.of();
    }
    return new AwsErrorException(
        type, e.getMessage(), type.equals("InternalServerException") ? 500 : 400, fields);
  }
}
