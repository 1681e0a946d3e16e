package dev.basin.sql.service;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A query to run.
 *
 * @param sql the statement (one statement; at most {@value QueryService#MAX_QUERY_LENGTH}
 *     characters)
 * @param database the catalog database unqualified table names resolve in, or null
 * @param workgroup the workgroup, or null for {@value WorkGroup#PRIMARY}
 * @param user who runs it (an access key id), recorded in the history
 * @param parameters values for the statement's positional {@code ?} parameters, written as SQL
 *     literals as Athena's {@code ExecutionParameters} are: {@code 'text'}, {@code 42}, {@code
 *     1.5}, {@code true}, {@code NULL}, {@code DATE '2024-01-31'}, {@code TIMESTAMP '2024-01-31
 *     12:00:00'}; they are bound, never spliced into the text
 * @param clientRequestToken an idempotency token (32–128 characters), or null: submitting the same
 *     token again returns the first execution instead of running the query twice
 * @param outputLocation an {@code s3://bucket/prefix/} for the results, or null for the workgroup's
 *     (a workgroup that enforces its configuration ignores this)
 * @param reuseResults whether a previous result of the same query over the same table snapshots may
 *     answer it; null for yes
 * @param timeout how long it may run, or null for the service's default
 */
public record QueryRequest(
    String sql,
    String database,
    String workgroup,
    String user,
    List<String> parameters,
    String clientRequestToken,
    String outputLocation,
    Boolean reuseResults,
    Duration timeout) {

  public QueryRequest {
    Objects.requireNonNull(user, "user");
    parameters = parameters == null ? List.of() : List.copyOf(parameters);
  }

  /** A query with no parameters, token or overrides. */
  public static QueryRequest of(String sql, String database, String workgroup, String user) {
    return new QueryRequest(sql, database, workgroup, user, List.of(), null, null, null, null);
  }

  public QueryRequest withParameters(List<String> values) {
    return new QueryRequest(
        sql,
        database,
        workgroup,
        user,
        values,
        clientRequestToken,
        outputLocation,
        reuseResults,
        timeout);
  }

  public QueryRequest withClientRequestToken(String token) {
    return new QueryRequest(
        sql, database, workgroup, user, parameters, token, outputLocation, reuseResults, timeout);
  }

  public QueryRequest withOutputLocation(String location) {
    return new QueryRequest(
        sql,
        database,
        workgroup,
        user,
        parameters,
        clientRequestToken,
        location,
        reuseResults,
        timeout);
  }

  public QueryRequest withReuseResults(Boolean reuse) {
    return new QueryRequest(
        sql,
        database,
        workgroup,
        user,
        parameters,
        clientRequestToken,
        outputLocation,
        reuse,
        timeout);
  }

  public QueryRequest withTimeout(Duration t) {
    return new QueryRequest(
        sql,
        database,
        workgroup,
        user,
        parameters,
        clientRequestToken,
        outputLocation,
        reuseResults,
        t);
  }
}
