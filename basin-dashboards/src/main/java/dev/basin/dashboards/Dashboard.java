package dev.basin.dashboards;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One saved version of a dashboard.
 *
 * <p>The document is JSON: {@code {"id", "name", "description"?, "refreshSeconds"?: 0 | ≥5,
 * "sheets"?: [{"id", "name"}], "visuals": [visual + "sheet"? + "layout"?: {"x","y","w","h"}],
 * "texts"?: [{"id", "text", "sheet"?, "layout"?}], "parameters"?: [{"name", "type"?:
 * string|number|date, "control"?: dropdown|multiselect|dateRange|numericRange|text, "default"?,
 * "values"?}], "filters"?: [filter + "id" + "visuals"?: [visual ids] + "control"?]}}; visuals are
 * described by {@link Visual}. Responses wrap it as {@code {"id", "name", "version", "savedAt",
 * "savedBy", "document"}}.
 *
 * @param document the validated document; its {@code version} member equals {@code version}
 */
public record Dashboard(
    String id, String name, int version, ObjectNode document, Instant savedAt, String savedBy) {

  /** The dashboard as a response body. */
  public ObjectNode toJson() {
    ObjectNode n = document.objectNode();
    n.put("id", id);
    n.put("name", name);
    n.put("version", version);
    n.put("savedAt", savedAt.toString());
    n.put("savedBy", savedBy);
    n.set("document", document);
    return n;
  }
}
