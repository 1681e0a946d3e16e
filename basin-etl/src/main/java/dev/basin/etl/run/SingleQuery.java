package dev.basin.etl.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.Sql;
import java.util.List;

/**
 * Guards the SQL a job's text contributes to (expressions, Sql nodes, CustomSql rules): DuckDB's
 * own parser must see exactly one SELECT. Hand-rolled checks for ';' miss DuckDB's other quoting
 * forms ($$…$$, E'…'), and a prepared multi-statement text would run its leading statements.
 */
final class SingleQuery {

  private SingleQuery() {}

  /**
   * @param what names the text in the error, e.g. "node 'f' (Filter)"
   * @throws BasinException if the text holds another statement or more than one
   */
  static void require(DuckDbSession session, String sql, String what) {
    List<Object[]> r =
        session.queryInternal("SELECT json_serialize_sql(" + Sql.quoteString(sql) + ")");
    JsonNode j = Json.read(String.valueOf(r.get(0)[0]), JsonNode.class);
    if (j.path("error").asBoolean(false)) {
      String message = j.path("error_message").asText("");
      if (message.contains("Only SELECT")) {
        throw new BasinException(
            RunErrorCode.RUN_FAILED,
            what + ": only a query (SELECT …) is allowed here, not other statements");
      }
      // A syntax error: the engine reports it, with its position, when the query is described.
      return;
    }
    if (j.path("statements").size() != 1) {
      throw new BasinException(
          RunErrorCode.RUN_FAILED,
          what
              + ": the SQL holds "
              + j.path("statements").size()
              + " statements; write one expression or query (no ';')");
    }
  }
}
