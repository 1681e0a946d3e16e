package dev.basin.server.athena;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.basin.server.aws.WireFormat;
import dev.basin.sql.service.NamedQuery;
import dev.basin.sql.service.QueryError;
import dev.basin.sql.service.QueryExecution;
import dev.basin.sql.service.ResultColumn;
import dev.basin.sql.service.WorkGroup;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/** Writes the query service's values as Athena's response structures. */
final class AthenaShapes {
  static final String CATALOG = "AwsDataCatalog";
  private static final String ENGINE_VERSION = "Athena engine version 3";

  private AthenaShapes() {}

  /** A {@code QueryExecution} structure. */
  static void queryExecution(QueryExecution e, Instant now, WireFormat f, JsonGenerator out)
      throws IOException {
    out.writeStartObject();
    out.writeStringField("QueryExecutionId", e.id());
    out.writeStringField("Query", e.query());
    out.writeStringField("StatementType", e.statementType());
    out.writeObjectFieldStart("ResultConfiguration");
    if (e.outputLocation() != null) {
      out.writeStringField("OutputLocation", e.outputLocation());
    }
    out.writeEndObject();
    out.writeObjectFieldStart("ResultReuseConfiguration");
    out.writeObjectFieldStart("ResultReuseByAgeConfiguration");
    out.writeBooleanField("Enabled", e.resultReuseEnabled());
    out.writeEndObject();
    out.writeEndObject();
    out.writeObjectFieldStart("QueryExecutionContext");
    if (e.database() != null) {
      out.writeStringField("Database", e.database());
    }
    out.writeStringField("Catalog", CATALOG);
    out.writeEndObject();
    out.writeObjectFieldStart("Status");
    out.writeStringField("State", e.state().name());
    if (e.stateChangeReason() != null) {
      out.writeStringField("StateChangeReason", e.stateChangeReason());
    }
    f.writeTimestamp(out, "SubmissionDateTime", e.submittedAt().toEpochMilli());
    if (e.completedAt() != null) {
      f.writeTimestamp(out, "CompletionDateTime", e.completedAt().toEpochMilli());
    }
    QueryError err = e.error();
    if (err != null) {
      out.writeObjectFieldStart("AthenaError");
      out.writeNumberField("ErrorCategory", err.category());
      out.writeNumberField("ErrorType", err.type());
      out.writeBooleanField("Retryable", err.retryable());
      out.writeStringField("ErrorMessage", err.message());
      out.writeEndObject();
    }
    out.writeEndObject();
    out.writeObjectFieldStart("Statistics");
    out.writeNumberField("EngineExecutionTimeInMillis", e.engineMillis());
    out.writeNumberField("DataScannedInBytes", e.bytesScanned());
    out.writeNumberField("TotalExecutionTimeInMillis", e.totalMillis(now));
    out.writeNumberField("QueryQueueTimeInMillis", e.queueMillis(now));
    out.writeNumberField("QueryPlanningTimeInMillis", e.planningMillis());
    out.writeNumberField("ServicePreProcessingTimeInMillis", 0);
    out.writeNumberField("ServiceProcessingTimeInMillis", 0);
    out.writeObjectFieldStart("ResultReuseInformation");
    out.writeBooleanField("ReusedPreviousResult", e.reusedPreviousResult());
    out.writeEndObject();
    out.writeEndObject();
    out.writeStringField("WorkGroup", e.workgroup());
    engineVersion(out);
    if (!e.parameters().isEmpty()) {
      out.writeArrayFieldStart("ExecutionParameters");
      for (String p : e.parameters()) {
        out.writeString(p);
      }
      out.writeEndArray();
    }
    out.writeStringField("SubstatementType", substatementType(e.query()));
    out.writeEndObject();
  }

  /** Athena's SubstatementType: the statement's leading keywords, e.g. SELECT or CREATE_TABLE. */
  static String substatementType(String sql) {
    String[] words = sql.strip().split("\\s+", 4);
    if (words.length == 0 || words[0].isEmpty()) {
      return "UNKNOWN";
    }
    String first = words[0].toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z]", "");
    if ((first.equals("CREATE") || first.equals("DROP") || first.equals("SHOW"))
        && words.length > 1) {
      return first + "_" + words[1].toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z]", "");
    }
    return first.isEmpty() ? "UNKNOWN" : first;
  }

  static void engineVersion(JsonGenerator out) throws IOException {
    out.writeObjectFieldStart("EngineVersion");
    out.writeStringField("SelectedEngineVersion", "AUTO");
    out.writeStringField("EffectiveEngineVersion", ENGINE_VERSION);
    out.writeEndObject();
  }

  /** A {@code ColumnInfo} structure. */
  static void columnInfo(ResultColumn c, JsonGenerator out) throws IOException {
    out.writeStartObject();
    out.writeStringField("CatalogName", "hive");
    out.writeStringField("SchemaName", "");
    out.writeStringField("TableName", "");
    out.writeStringField("Name", c.name());
    out.writeStringField("Label", c.name());
    out.writeStringField("Type", c.type());
    out.writeNumberField("Precision", c.precision());
    out.writeNumberField("Scale", c.scale());
    out.writeStringField("Nullable", c.nullable() ? "UNKNOWN" : "NOT_NULL");
    out.writeBooleanField("CaseSensitive", c.type().equals("varchar"));
    out.writeEndObject();
  }

  /** A {@code Row}: one {@code Datum} per value, without {@code VarCharValue} for NULL. */
  static void row(List<String> values, JsonGenerator out) throws IOException {
    out.writeStartObject();
    out.writeArrayFieldStart("Data");
    for (String v : values) {
      out.writeStartObject();
      if (v != null) {
        out.writeStringField("VarCharValue", v);
      }
      out.writeEndObject();
    }
    out.writeEndArray();
    out.writeEndObject();
  }

  /** A {@code NamedQuery} structure. */
  static void namedQuery(NamedQuery q, JsonGenerator out) throws IOException {
    out.writeStartObject();
    out.writeStringField("Name", q.name());
    if (q.description() != null) {
      out.writeStringField("Description", q.description());
    }
    out.writeStringField("Database", q.database());
    out.writeStringField("QueryString", q.queryString());
    out.writeStringField("NamedQueryId", q.id());
    out.writeStringField("WorkGroup", q.workgroup());
    out.writeEndObject();
  }

  /** A {@code WorkGroup} structure. */
  static void workGroup(WorkGroup w, WireFormat f, JsonGenerator out) throws IOException {
    out.writeStartObject();
    out.writeStringField("Name", w.name());
    out.writeStringField("State", w.enabled() ? "ENABLED" : "DISABLED");
    out.writeObjectFieldStart("Configuration");
    out.writeObjectFieldStart("ResultConfiguration");
    if (w.outputLocation() != null) {
      out.writeStringField("OutputLocation", w.outputLocation());
    }
    out.writeEndObject();
    out.writeBooleanField("EnforceWorkGroupConfiguration", w.enforceConfiguration());
    out.writeBooleanField("PublishCloudWatchMetricsEnabled", false);
    if (w.bytesScannedCutoffPerQuery() != null) {
      out.writeNumberField("BytesScannedCutoffPerQuery", w.bytesScannedCutoffPerQuery());
    }
    out.writeBooleanField("RequesterPaysEnabled", false);
    engineVersion(out);
    out.writeEndObject();
    if (w.description() != null) {
      out.writeStringField("Description", w.description());
    }
    f.writeTimestamp(out, "CreationTime", w.createdAt().toEpochMilli());
    out.writeEndObject();
  }

  /** A {@code WorkGroupSummary} structure. */
  static void workGroupSummary(WorkGroup w, WireFormat f, JsonGenerator out) throws IOException {
    out.writeStartObject();
    out.writeStringField("Name", w.name());
    out.writeStringField("State", w.enabled() ? "ENABLED" : "DISABLED");
    if (w.description() != null) {
      out.writeStringField("Description", w.description());
    }
    f.writeTimestamp(out, "CreationTime", w.createdAt().toEpochMilli());
    engineVersion(out);
    out.writeEndObject();
  }
}
