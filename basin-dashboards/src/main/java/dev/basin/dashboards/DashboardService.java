package dev.basin.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.spi.sql.PreparedSql;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlException;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.Sql;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Datasets, dashboards and the queries behind their visuals. Definitions live in the metadata
 * database; every visual's data comes from one SQL query built here ({@link QueryBuilder}) and run
 * by the SQL engine in a session of the requesting user, so catalog tables resolve as in any query
 * and row-level security applies to that user. Datasets with an {@code extract} are materialized to
 * Parquet files by a background refresher ({@link Extracts}) and their visuals read the file while
 * it is current, and the source otherwise.
 *
 * <p>Thread-safe. Saving returns once the definition is committed to the metadata database.
 */
public final class DashboardService implements AutoCloseable {

  /** The default and largest number of rows a visual returns. */
  public static final int DEFAULT_MAX_ROWS = 10_000;

  /** How often the extract refresher checks input snapshots and schedules. */
  static final Duration EXTRACT_POLL_INTERVAL = Duration.ofSeconds(2);

  private static final Set<String> DOCUMENT_MEMBERS =
      Set.of(
          "id",
          "name",
          "description",
          "refreshSeconds",
          "sheets",
          "visuals",
          "texts",
          "parameters",
          "filters",
          "version",
          "savedAt",
          "savedBy");
  private static final Set<String> CONTROLS =
      Set.of("dropdown", "multiselect", "dateRange", "numericRange", "text");

  private final DashboardStore store;
  private final DuckDbSqlEngine engine;
  private final Clock clock;
  private final int maxRows;
  private final ResultCache cache = new ResultCache(5_000_000);
  private final Extracts extracts;

  private DashboardService(DashboardStore store, DuckDbSqlEngine engine, Clock clock, int maxRows) {
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.maxRows = maxRows;
    this.extracts =
        new Extracts(
            store,
            engine,
            clock,
            Extracts.directory(engine),
            EXTRACT_POLL_INTERVAL,
            this::definitions);
  }

  /**
   * Opens the service on the catalog's metadata database and starts the extract refresher (extract
   * files live in {@code .extracts/} below the engine's lake directory, the only place besides its
   * work directory that DuckDB may read).
   *
   * @param maxRows the most rows one visual returns (1 … 1,000,000); more are cut and flagged
   */
  public static DashboardService open(
      CatalogConfig config, DuckDbSqlEngine engine, Clock clock, int maxRows) {
    if (maxRows < 1 || maxRows > 1_000_000) {
      throw new IllegalArgumentException("maxRows must be 1-1000000, was " + maxRows);
    }
    DashboardService service =
        new DashboardService(DashboardStore.open(config), engine, clock, maxRows);
    service.extracts.start();
    return service;
  }

  /** The most rows one visual returns. */
  public int maxRows() {
    return maxRows;
  }

  // ------------------------------------------------------------------ datasets

  /**
   * Creates a dataset after checking that its SQL is one query and describing its columns.
   *
   * @throws BasinException INVALID_DATASET, DATASET_EXISTS, or QUERY_FAILED if the engine rejects
   *     the source or a calculated field
   */
  public Dataset createDataset(JsonNode definition, String user) {
    Dataset ds = describe(Dataset.parse(definition), user);
    Instant now = clock.instant();
    if (!store.putDataset(ds.name(), Json.write(ds.toJson()), true, now)) {
      throw new BasinException(
          DashboardErrorCode.DATASET_EXISTS,
          "dataset '" + ds.name() + "' exists; update it with PUT /api/v1/datasets/" + ds.name());
    }
    if (ds.extract() != null) {
      extracts.poke();
    }
    return dataset(ds.name());
  }

  /** Replaces a dataset's definition (the name in the body must match or be absent). */
  public Dataset updateDataset(String name, JsonNode definition, String user) {
    if (definition != null && definition.isObject() && !definition.has("name")) {
      ((ObjectNode) definition).put("name", name);
    }
    Dataset ds = describe(Dataset.parse(definition), user);
    if (!ds.name().equals(name)) {
      throw new BasinException(
          DashboardErrorCode.INVALID_DATASET,
          "the body names dataset '" + ds.name() + "' but the URL names '" + name + "'");
    }
    Instant now = clock.instant();
    store.putDataset(name, Json.write(ds.toJson()), false, now);
    extracts.poke();
    return dataset(name);
  }

  /**
   * What a dataset definition's query, with its calculated fields, reads besides catalog tables,
   * views and its own CTEs, as {@link PreparedSql#fileAccess()} lists it ({@code "table function
   * read_csv"}, {@code "file 'x.csv'"}). Empty when the definition does not parse or plan: creating
   * or updating it plans the same query and reports why.
   */
  public List<String> datasetFileAccess(JsonNode definition, String user) {
    Dataset ds;
    try {
      ds = Dataset.parse(definition);
    } catch (RuntimeException e) {
      return List.of();
    }
    // Planned, not prepared: DuckDB binding a missing file would fail before the check.
    try (DuckDbSession s = engine.openSession(new SessionContext(user, null))) {
      return s.plan(QueryBuilder.datasetSql(ds, null)).fileAccess();
    } catch (SqlException | BasinException e) {
      return List.of();
    }
  }

  /** The dataset with its columns as described when it was saved, and its extract's state. */
  public Dataset dataset(String name) {
    Dataset ds = definition(name);
    return ds.extract() == null
        ? ds
        : ds.withExtract(
            ds.extract().withStatus(extracts.status(ds, store.extract(name).orElse(null))));
  }

  /**
   * Asks for the dataset's extract to be rebuilt now (it is queued behind a refresh in progress)
   * and returns the extract's state.
   *
   * @throws BasinException DATASET_NOT_FOUND, or INVALID_REQUEST if the dataset has no enabled
   *     extract
   */
  public ExtractStatus refreshExtract(String name) {
    return extracts.requestRefresh(definition(name));
  }

  /** The dataset as saved, without its extract's state. */
  private Dataset definition(String name) {
    DashboardStore.StoredDataset s =
        store
            .dataset(name)
            .orElseThrow(
                () ->
                    new BasinException(
                        DashboardErrorCode.DATASET_NOT_FOUND,
                        "dataset '"
                            + name
                            + "' not found; GET /api/v1/datasets lists them"
                            + QueryBuilder.suggestion(
                                name, store.datasets().stream().map(d -> d.name()).toList())));
    return load(s);
  }

  /** Every dataset, by name, with its extract's state. */
  public List<Dataset> datasets() {
    Map<String, DashboardStore.StoredExtract> rows = new HashMap<>();
    for (DashboardStore.StoredExtract e : store.extracts()) {
      rows.put(e.dataset(), e);
    }
    List<Dataset> out = new ArrayList<>();
    for (Dataset ds : definitions()) {
      out.add(
          ds.extract() == null
              ? ds
              : ds.withExtract(ds.extract().withStatus(extracts.status(ds, rows.get(ds.name())))));
    }
    return out;
  }

  private List<Dataset> definitions() {
    List<Dataset> out = new ArrayList<>();
    for (DashboardStore.StoredDataset s : store.datasets()) {
      out.add(load(s));
    }
    return out;
  }

  /**
   * Deletes a dataset and its extract files.
   *
   * @throws BasinException DATASET_IN_USE naming the dashboards whose latest version uses it
   */
  public void deleteDataset(String name) {
    dataset(name);
    List<String> users = new ArrayList<>();
    for (DashboardStore.StoredDashboard d : store.dashboards()) {
      JsonNode doc = Json.read(latest(d.id()).document(), JsonNode.class);
      for (JsonNode v : doc.path("visuals")) {
        if (v.path("dataset").asText().equals(name)) {
          users.add(d.id());
          break;
        }
      }
    }
    if (!users.isEmpty()) {
      throw new BasinException(
          DashboardErrorCode.DATASET_IN_USE,
          "dataset '" + name + "' is used by dashboards " + users + "; remove those visuals first");
    }
    extracts.deleting(name, () -> store.deleteDataset(name));
  }

  private static Dataset load(DashboardStore.StoredDataset s) {
    JsonNode j = Json.read(s.definition(), JsonNode.class);
    List<Dataset.Column> cols = new ArrayList<>();
    for (JsonNode c : j.path("columns")) {
      cols.add(column(c.path("name").asText(), c.path("type").asText()));
    }
    return Dataset.parse(j).withColumns(cols, s.created(), s.updated());
  }

  private Dataset describe(Dataset ds, String user) {
    try (DuckDbSession s = engine.openSession(new SessionContext(user, null))) {
      if (ds.sql() != null) {
        singleQuery(s, ds.sql(), "dataset '" + ds.name() + "': sql");
      }
      for (Dataset.CalculatedField f : ds.calculatedFields()) {
        singleQuery(
            s,
            "SELECT (" + f.expression() + ") FROM t",
            "dataset '" + ds.name() + "': calculated field '" + f.name() + "'");
      }
      String sql = QueryBuilder.datasetSql(ds, null);
      singleQuery(s, sql, "dataset '" + ds.name() + "'");
      List<Dataset.Column> cols = new ArrayList<>();
      try (PreparedSql p = s.prepare(sql)) {
        for (SqlColumn c : p.columns()) {
          cols.add(column(c.name(), c.type().name()));
        }
      } catch (SqlException e) {
        throw new BasinException(
            DashboardErrorCode.INVALID_DATASET,
            "dataset '"
                + ds.name()
                + "': the engine rejected its query: "
                + e.getMessage()
                + (ds.calculatedFields().isEmpty()
                    ? ""
                    : " (check the calculated fields' expressions too)"),
            e);
      }
      Set<String> seen = new HashSet<>();
      for (Dataset.Column c : cols) {
        if (!seen.add(c.name().toLowerCase(Locale.ROOT))) {
          throw new BasinException(
              DashboardErrorCode.INVALID_DATASET,
              "dataset '"
                  + ds.name()
                  + "': column '"
                  + c.name()
                  + "' appears twice; alias the columns of the query or rename the calculated"
                  + " field");
        }
      }
      Dataset out = ds.withColumns(cols, null, null);
      if (ds.rowLevelSecurity() != null && out.column(ds.rowLevelSecurity().column()).isEmpty()) {
        throw new BasinException(
            DashboardErrorCode.INVALID_DATASET,
            "dataset '"
                + ds.name()
                + "': rowLevelSecurity.column '"
                + ds.rowLevelSecurity().column()
                + "' is not one of its columns"
                + QueryBuilder.suggestion(
                    ds.rowLevelSecurity().column(),
                    cols.stream().map(Dataset.Column::name).toList()));
      }
      return out;
    }
  }

  /**
   * DuckDB's own parser must see exactly one SELECT: hand-rolled checks for ';' miss DuckDB's other
   * quoting forms, and a multi-statement text would run its leading statements.
   */
  private static void singleQuery(DuckDbSession session, String sql, String what) {
    List<Object[]> r =
        session.queryInternal("SELECT json_serialize_sql(" + Sql.quoteString(sql) + ")");
    JsonNode j = Json.read(String.valueOf(r.get(0)[0]), JsonNode.class);
    if (j.path("error").asBoolean(false)) {
      String message = j.path("error_message").asText("");
      if (message.contains("Only SELECT")) {
        throw new BasinException(
            DashboardErrorCode.INVALID_DATASET,
            what + ": only a query (SELECT …) is allowed here, not other statements");
      }
      throw new BasinException(
          DashboardErrorCode.INVALID_DATASET, what + ": the SQL does not parse: " + message);
    }
    if (j.path("statements").size() != 1) {
      throw new BasinException(
          DashboardErrorCode.INVALID_DATASET,
          what
              + ": the SQL holds "
              + j.path("statements").size()
              + " statements; write one expression or query (no ';')");
    }
  }

  static Dataset.Column column(String name, String type) {
    String t = type.toUpperCase(Locale.ROOT);
    boolean numeric =
        t.startsWith("TINYINT")
            || t.startsWith("SMALLINT")
            || t.startsWith("INTEGER")
            || t.startsWith("BIGINT")
            || t.startsWith("HUGEINT")
            || t.startsWith("UTINYINT")
            || t.startsWith("USMALLINT")
            || t.startsWith("UINTEGER")
            || t.startsWith("UBIGINT")
            || t.startsWith("FLOAT")
            || t.startsWith("REAL")
            || t.startsWith("DOUBLE")
            || t.startsWith("DECIMAL")
            || t.startsWith("NUMERIC");
    boolean temporal = t.startsWith("DATE") || t.startsWith("TIMESTAMP");
    return new Dataset.Column(name, type, numeric, temporal);
  }

  // ------------------------------------------------------------------ dashboards

  /**
   * Validates a dashboard document and saves it as version 1 of a new dashboard.
   *
   * @throws BasinException INVALID_DASHBOARD / INVALID_VISUAL naming the path at fault,
   *     DASHBOARD_EXISTS when the id is taken
   */
  public Dashboard createDashboard(JsonNode document, String user) {
    return saveDashboard(document, 0, user);
  }

  /**
   * Validates a dashboard document and saves it as a new version (version 1 creates it).
   *
   * @param expectedVersion the version the caller edited (optimistic concurrency; 0: the dashboard
   *     must not exist yet), or null to save without the check
   * @throws BasinException INVALID_DASHBOARD / INVALID_VISUAL naming the path at fault,
   *     VERSION_CONFLICT, DASHBOARD_EXISTS
   */
  public Dashboard saveDashboard(JsonNode document, Integer expectedVersion, String user) {
    ObjectNode doc = validate(document);
    String id = doc.path("id").asText();
    String name = doc.path("name").asText();
    Instant now = clock.instant();
    int version = store.saveVersion(id, name, Json.write(doc), expectedVersion, user, now);
    return dashboard(id, version);
  }

  /** Saves as {@link #saveDashboard} but requires that the document's id matches {@code id}. */
  public Dashboard saveDashboard(
      String id, JsonNode document, Integer expectedVersion, String user) {
    if (document != null && document.isObject() && !document.has("id")) {
      ((ObjectNode) document).put("id", id);
    }
    if (document != null && !id.equals(document.path("id").asText())) {
      throw new BasinException(
          DashboardErrorCode.INVALID_DASHBOARD,
          "id: the document's id '"
              + document.path("id").asText()
              + "' differs from the URL's '"
              + id
              + "'");
    }
    return saveDashboard(document, expectedVersion, user);
  }

  /** The latest version of a dashboard. */
  public Dashboard dashboard(String id) {
    return toDashboard(latest(id));
  }

  /** One version of a dashboard. */
  public Dashboard dashboard(String id, int version) {
    return toDashboard(
        store
            .version(id, version)
            .orElseThrow(
                () -> {
                  latest(id);
                  return new BasinException(
                      DashboardErrorCode.DASHBOARD_NOT_FOUND,
                      "dashboard '"
                          + id
                          + "' has no version "
                          + version
                          + "; GET /api/v1/dashboards/"
                          + id
                          + "/versions lists them");
                }));
  }

  /** The latest version of every dashboard, by name. */
  public List<Dashboard> dashboards() {
    List<Dashboard> out = new ArrayList<>();
    for (DashboardStore.StoredDashboard d : store.dashboards()) {
      out.add(dashboard(d.id()));
    }
    return out;
  }

  /** Every saved version of a dashboard, newest first. */
  public List<Dashboard> versions(String id) {
    latest(id);
    List<Dashboard> out = new ArrayList<>();
    for (DashboardStore.StoredVersion v : store.versions(id)) {
      out.add(toDashboard(v));
    }
    return out;
  }

  /** Deletes a dashboard and all its versions. */
  public void deleteDashboard(String id) {
    if (!store.deleteDashboard(id)) {
      throw notFound(id);
    }
  }

  /**
   * A dashboard with the datasets it uses, for {@link #importDashboard}: {@code {"dashboard":
   * document, "datasets": [dataset definitions]}}.
   */
  public ObjectNode exportDashboard(String id) {
    Dashboard d = dashboard(id);
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("format", "basin-dashboard/1");
    ObjectNode doc = d.document().deepCopy();
    doc.remove(List.of("version", "savedAt", "savedBy"));
    out.set("dashboard", doc);
    ArrayNode ds = out.putArray("datasets");
    Set<String> seen = new HashSet<>();
    for (JsonNode v : doc.path("visuals")) {
      String name = v.path("dataset").asText();
      if (seen.add(name)) {
        ds.add(dataset(name).definitionJson());
      }
    }
    return out;
  }

  /**
   * Imports an export: creates the datasets that do not exist (existing ones are kept as they are)
   * and saves the dashboard as a new version.
   */
  public Dashboard importDashboard(JsonNode bundle, String user) {
    if (bundle == null || !bundle.isObject() || !bundle.path("dashboard").isObject()) {
      throw new BasinException(
          DashboardErrorCode.INVALID_DASHBOARD,
          "an import must be {\"dashboard\": {…}, \"datasets\": [{…}]} as GET"
              + " /api/v1/dashboards/{id}/export writes it");
    }
    for (JsonNode d : bundle.path("datasets")) {
      if (store.dataset(d.path("name").asText()).isEmpty()) {
        createDataset(d, user);
      }
    }
    return saveDashboard(bundle.get("dashboard"), null, user);
  }

  private DashboardStore.StoredVersion latest(String id) {
    DashboardStore.StoredDashboard d = store.dashboard(id).orElseThrow(() -> notFound(id));
    return store.version(id, d.latestVersion()).orElseThrow(() -> notFound(id));
  }

  private static BasinException notFound(String id) {
    return new BasinException(
        DashboardErrorCode.DASHBOARD_NOT_FOUND,
        "dashboard '" + id + "' not found; GET /api/v1/dashboards lists them");
  }

  private static Dashboard toDashboard(DashboardStore.StoredVersion v) {
    ObjectNode doc = (ObjectNode) Json.read(v.document(), JsonNode.class);
    doc.put("version", v.version());
    return new Dashboard(
        v.id(), doc.path("name").asText(), v.version(), doc, v.savedAt(), v.savedBy());
  }

  /**
   * Checks a dashboard document: its members, every visual (type, dataset, fields), text blocks,
   * parameters and filters (their target visuals and fields).
   *
   * @return the document with server-owned members removed
   * @throws BasinException INVALID_DASHBOARD or INVALID_VISUAL naming the path at fault
   */
  public ObjectNode validate(JsonNode document) {
    if (document == null || !document.isObject()) {
      throw invalidDoc(
          "a dashboard must be a JSON object like {\"id\", \"name\", \"visuals\": […]}");
    }
    ObjectNode doc = ((ObjectNode) document).deepCopy();
    doc.fieldNames()
        .forEachRemaining(
            f -> {
              if (!DOCUMENT_MEMBERS.contains(f)) {
                throw invalidDoc(
                    f + ": unknown member; allowed: " + new java.util.TreeSet<>(DOCUMENT_MEMBERS));
              }
            });
    doc.remove(List.of("version", "savedAt", "savedBy"));
    String id = doc.path("id").asText("");
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
      throw invalidDoc("id '" + id + "' must be 1-64 letters, digits, '_' or '-'");
    }
    if (doc.path("name").asText("").isBlank()) {
      throw invalidDoc("name is required");
    }
    JsonNode refresh = doc.path("refreshSeconds");
    if (!refresh.isMissingNode()) {
      int r = refresh.asInt(-1);
      if (!refresh.isInt() || (r != 0 && r < 5) || r > 86_400) {
        throw invalidDoc("refreshSeconds must be 0 (off) or 5-86400, was " + refresh);
      }
    }
    Set<String> sheets = new HashSet<>();
    JsonNode sn = arrayMember(doc, "sheets");
    for (int i = 0; i < sn.size(); i++) {
      String sid = sn.get(i).path("id").asText("");
      if (sid.isEmpty() || !sheets.add(sid)) {
        throw invalidDoc("sheets[" + i + "].id must be present and unique");
      }
    }
    Map<String, JsonNode> params = new LinkedHashMap<>();
    JsonNode pn = arrayMember(doc, "parameters");
    for (int i = 0; i < pn.size(); i++) {
      JsonNode p = pn.get(i);
      String pname = p.path("name").asText("");
      if (!pname.matches("[A-Za-z_][A-Za-z0-9_]{0,63}") || params.containsKey(pname)) {
        throw invalidDoc("parameters[" + i + "].name '" + pname + "' must be a unique identifier");
      }
      String control = p.path("control").asText("dropdown");
      if (!CONTROLS.contains(control)) {
        throw invalidDoc(
            "parameters[" + i + "].control '" + control + "' is unknown; use one of " + CONTROLS);
      }
      params.put(pname, p);
    }
    Map<String, Visual> visuals = new LinkedHashMap<>();
    Map<String, Dataset> datasets = new HashMap<>();
    JsonNode vn = arrayMember(doc, "visuals");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < vn.size(); i++) {
      String path = "visuals[" + i + "]";
      Visual v = Visual.parse(vn.get(i), path);
      if (!ids.add(v.id())) {
        throw invalidDoc(path + ".id '" + v.id() + "' is used by another visual or text block");
      }
      String sheet = vn.get(i).path("sheet").asText(null);
      if (sheet != null && !sheets.contains(sheet)) {
        throw invalidDoc(path + ".sheet '" + sheet + "' is not one of the sheets " + sheets);
      }
      Dataset ds = datasets.get(v.dataset());
      if (ds == null) {
        if (store.dataset(v.dataset()).isEmpty()) {
          throw new BasinException(
              DashboardErrorCode.INVALID_DASHBOARD,
              path
                  + ".dataset '"
                  + v.dataset()
                  + "' does not exist"
                  + QueryBuilder.suggestion(
                      v.dataset(), store.datasets().stream().map(d -> d.name()).toList())
                  + "; create it with POST /api/v1/datasets");
        }
        ds = definition(v.dataset());
        datasets.put(v.dataset(), ds);
      }
      for (Visual.Filter f : v.filters()) {
        checkParameter(f, params);
      }
      // Building the query checks every field, sort and top-N reference against the dataset.
      QueryBuilder.build(ds, v, QueryBuilder.Request.empty(), null, maxRows);
      visuals.put(v.id(), v);
    }
    JsonNode tn = arrayMember(doc, "texts");
    for (int i = 0; i < tn.size(); i++) {
      String tid = tn.get(i).path("id").asText("");
      if (tid.isEmpty() || !ids.add(tid)) {
        throw invalidDoc("texts[" + i + "].id must be present and unique among visuals and texts");
      }
      if (!tn.get(i).path("text").isTextual()) {
        throw invalidDoc("texts[" + i + "].text must be a string (Markdown)");
      }
    }
    JsonNode fn = arrayMember(doc, "filters");
    Set<String> fids = new HashSet<>();
    for (int i = 0; i < fn.size(); i++) {
      String path = "filters[" + i + "]";
      JsonNode f = fn.get(i);
      String fid = f.path("id").asText("");
      if (fid.isEmpty() || !fids.add(fid)) {
        throw invalidDoc(path + ".id must be present and unique");
      }
      Visual.Filter parsed = Visual.parseFilter(f, path);
      checkParameter(parsed, params);
      for (Visual target : targets(f, path, visuals)) {
        Dataset ds = datasets.get(target.dataset());
        if (ds.column(parsed.field()).isEmpty()) {
          throw new BasinException(
              DashboardErrorCode.INVALID_DASHBOARD,
              path
                  + ".field '"
                  + parsed.field()
                  + "' is not in dataset '"
                  + ds.name()
                  + "' of target visual '"
                  + target.id()
                  + "'"
                  + QueryBuilder.suggestion(
                      parsed.field(), ds.columns().stream().map(Dataset.Column::name).toList()));
        }
      }
    }
    return doc;
  }

  private static void checkParameter(Visual.Filter f, Map<String, JsonNode> params) {
    String p = f.spec().path("parameter").asText(null);
    if (p != null && !params.containsKey(p)) {
      throw invalidDoc(
          f.path()
              + ".parameter '"
              + p
              + "' is not declared in parameters"
              + QueryBuilder.suggestion(p, new ArrayList<>(params.keySet())));
    }
  }

  /** The visuals a dashboard filter applies to: those listed, or all using the filter's field. */
  private static List<Visual> targets(JsonNode f, String path, Map<String, Visual> visuals) {
    List<Visual> out = new ArrayList<>();
    JsonNode list = f.path("visuals");
    if (list.isArray()) {
      for (int j = 0; j < list.size(); j++) {
        Visual v = visuals.get(list.get(j).asText());
        if (v == null) {
          throw invalidDoc(
              path
                  + ".visuals["
                  + j
                  + "] '"
                  + list.get(j).asText()
                  + "' is not a visual of this dashboard"
                  + QueryBuilder.suggestion(
                      list.get(j).asText(), new ArrayList<>(visuals.keySet())));
        }
        out.add(v);
      }
      return out;
    }
    String dataset = f.path("dataset").asText(null);
    for (Visual v : visuals.values()) {
      if (dataset == null || dataset.equals(v.dataset())) {
        out.add(v);
      }
    }
    return out;
  }

  private static JsonNode arrayMember(JsonNode doc, String field) {
    JsonNode n = doc.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return Json.mapper().createArrayNode();
    }
    if (!n.isArray()) {
      throw invalidDoc(field + " must be an array");
    }
    return n;
  }

  private static BasinException invalidDoc(String message) {
    return new BasinException(DashboardErrorCode.INVALID_DASHBOARD, message);
  }

  // ------------------------------------------------------------------ visual data

  /**
   * Runs one visual of a saved dashboard (its latest version) as {@code user}.
   *
   * @param request {@code {"filters"?: [filter], "parameters"?: {name: value}, "drill"?: {"level",
   *     "path": [values]}}} — filters add to the dashboard's filters that target the visual;
   *     parameters override the dashboard's defaults
   */
  public VisualData visualData(String dashboardId, String visualId, JsonNode request, String user) {
    long start = System.nanoTime();
    Resolved r = resolve(dashboardId, visualId, request);
    return run(r.visual(), request, r.filters(), r.parameters(), user, start);
  }

  /** A dashboard visual with the filters and parameter values that apply to it. */
  private record Resolved(
      Visual visual, List<Visual.Filter> filters, Map<String, JsonNode> parameters) {}

  private Resolved resolve(String dashboardId, String visualId, JsonNode request) {
    Dashboard d = dashboard(dashboardId);
    JsonNode vnode = null;
    int index = -1;
    JsonNode vs = d.document().path("visuals");
    for (int i = 0; i < vs.size(); i++) {
      if (vs.get(i).path("id").asText().equals(visualId)) {
        vnode = vs.get(i);
        index = i;
      }
    }
    if (vnode == null) {
      throw new BasinException(
          DashboardErrorCode.VISUAL_NOT_FOUND,
          "dashboard '" + dashboardId + "' has no visual '" + visualId + "'");
    }
    Visual v = Visual.parse(vnode, "visuals[" + index + "]");
    Map<String, JsonNode> params = new LinkedHashMap<>();
    for (JsonNode p : d.document().path("parameters")) {
      if (p.has("default")) {
        params.put(p.path("name").asText(), p.get("default"));
      }
    }
    JsonNode rp = requestMember(request, "parameters", true);
    if (rp != null) {
      rp.fields()
          .forEachRemaining(
              e -> {
                boolean declared = false;
                for (JsonNode p : d.document().path("parameters")) {
                  declared |= p.path("name").asText().equals(e.getKey());
                }
                if (!declared) {
                  throw new BasinException(
                      DashboardErrorCode.INVALID_REQUEST,
                      "parameters."
                          + e.getKey()
                          + ": dashboard '"
                          + dashboardId
                          + "' declares no such parameter");
                }
                params.put(e.getKey(), e.getValue());
              });
    }
    List<Visual.Filter> filters = new ArrayList<>();
    JsonNode dfs = d.document().path("filters");
    for (int i = 0; i < dfs.size(); i++) {
      JsonNode f = dfs.get(i);
      boolean applies;
      if (f.path("visuals").isArray()) {
        applies = false;
        for (JsonNode t : f.path("visuals")) {
          applies |= t.asText().equals(visualId);
        }
      } else {
        applies = !f.hasNonNull("dataset") || f.get("dataset").asText().equals(v.dataset());
      }
      if (applies) {
        filters.add(Visual.parseFilter(f, "filters[" + i + "]"));
      }
    }
    return new Resolved(v, filters, params);
  }

  /**
   * Runs an unsaved visual spec as {@code user} (the editor's preview).
   *
   * @param request as for {@link #visualData}; parameters are taken as given
   */
  public VisualData preview(JsonNode visual, JsonNode request, String user) {
    long start = System.nanoTime();
    Visual v = Visual.parse(visual, "visual");
    Map<String, JsonNode> params = new LinkedHashMap<>();
    JsonNode rp = requestMember(request, "parameters", true);
    if (rp != null) {
      rp.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue()));
    }
    return run(v, request, List.of(), params, user, start);
  }

  private VisualData run(
      Visual v,
      JsonNode request,
      List<Visual.Filter> dashboardFilters,
      Map<String, JsonNode> params,
      String user,
      long start) {
    Dataset ds = definition(v.dataset());
    List<Visual.Filter> filters = new ArrayList<>(dashboardFilters);
    JsonNode rf = requestMember(request, "filters", false);
    if (rf != null) {
      for (int i = 0; i < rf.size(); i++) {
        filters.add(Visual.parseFilter(rf.get(i), "filters[" + i + "]"));
      }
    }
    int level = 0;
    List<JsonNode> path = new ArrayList<>();
    JsonNode drill = request == null ? null : request.get("drill");
    if (drill != null && !drill.isNull()) {
      level = drill.path("level").asInt(0);
      for (JsonNode p : drill.path("path")) {
        path.add(p);
      }
    }
    QueryBuilder.Request req = new QueryBuilder.Request(filters, params, level, path);
    String sourceSql = QueryBuilder.build(ds, v, req, user, maxRows);
    Path extract = extracts.readable(ds);
    if (extract != null) {
      try {
        return query(
            ds, v, QueryBuilder.build(ds.overExtract(extract), v, req, user, maxRows), user, start);
      } catch (BasinException e) {
        // Never fail because of the extract (e.g. its file was just replaced): read the source.
        if (e.code() != DashboardErrorCode.QUERY_FAILED) {
          throw e;
        }
      }
    }
    return query(ds, v, sourceSql, user, start);
  }

  private VisualData query(Dataset ds, Visual v, String sql, String user, long start) {
    List<VisualData.ResultColumn> cols = new ArrayList<>();
    List<List<Object>> rows = new ArrayList<>();
    boolean truncated;
    try (DuckDbSession s = engine.openSession(new SessionContext(user, null));
        PreparedSql p = s.prepare(sql)) {
      if (ds.cache() != null) {
        VisualData hit = cache.get(sql, p.scans(), clock.instant(), ds.cache().maxAgeSeconds());
        if (hit != null) {
          long ms = (System.nanoTime() - start) / 1_000_000;
          return new VisualData(
              v.id(), v.type(), hit.columns(), hit.rows(), hit.truncated(), maxRows, ms, sql, true);
        }
      }
      read(p, cols, rows);
      truncated = rows.size() > maxRows;
      if (truncated) {
        rows.remove(rows.size() - 1);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      VisualData out =
          new VisualData(v.id(), v.type(), cols, rows, truncated, maxRows, ms, sql, false);
      if (ds.cache() != null) {
        cache.put(sql, p.scans(), out, clock.instant());
      }
      return out;
    } catch (SqlException e) {
      throw new BasinException(
          DashboardErrorCode.QUERY_FAILED,
          "visual '" + v.id() + "': the query failed: " + e.getMessage(),
          e);
    }
  }

  /** Reads at most {@code maxRows + 1} rows (one more tells that the result was cut). */
  private void read(PreparedSql p, List<VisualData.ResultColumn> cols, List<List<Object>> rows) {
    try (ResultCursor c = p.execute(List.of())) {
      for (SqlColumn col : c.columns()) {
        cols.add(new VisualData.ResultColumn(col.name(), col.type().name()));
      }
      while (c.next()) {
        if (rows.size() > maxRows) {
          break;
        }
        List<Object> row = new ArrayList<>(cols.size());
        for (int i = 0; i < cols.size(); i++) {
          row.add(c.value(i));
        }
        rows.add(row);
      }
    }
  }

  /** Cache hits and misses of cached datasets' visual results since start. */
  public long[] cacheStats() {
    return new long[] {cache.hits(), cache.misses()};
  }

  /**
   * Anomaly flags and a forecast band for a time-series visual of a saved dashboard (its first
   * dimension must be a date with a granularity, its first measure is the series). See {@link
   * Insights} for the method.
   *
   * @param horizon the number of future periods to forecast (0-366)
   */
  public Insights insights(
      String dashboardId, String visualId, JsonNode request, int horizon, String user) {
    long start = System.nanoTime();
    Resolved r = resolve(dashboardId, visualId, request);
    return insights(r.visual(), request, r.filters(), r.parameters(), horizon, user, start);
  }

  /** As {@link #insights(String, String, JsonNode, int, String)} for an unsaved visual spec. */
  public Insights previewInsights(JsonNode visual, JsonNode request, int horizon, String user) {
    long start = System.nanoTime();
    Visual v = Visual.parse(visual, "visual");
    Map<String, JsonNode> params = new LinkedHashMap<>();
    JsonNode rp = requestMember(request, "parameters", true);
    if (rp != null) {
      rp.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue()));
    }
    return insights(v, request, List.of(), params, horizon, user, start);
  }

  private Insights insights(
      Visual v,
      JsonNode request,
      List<Visual.Filter> dashboardFilters,
      Map<String, JsonNode> params,
      int horizon,
      String user,
      long start) {
    if (horizon < 0 || horizon > 366) {
      throw new BasinException(
          DashboardErrorCode.INVALID_REQUEST, "horizon must be 0-366 periods, was " + horizon);
    }
    if (v.dimensions().isEmpty()
        || v.dimensions().get(0).granularity() == null
        || v.measures().isEmpty()) {
      throw new BasinException(
          DashboardErrorCode.INVALID_VISUAL,
          "visual '"
              + v.id()
              + "': insights need a time series: a first dimension with a date granularity"
              + " (e.g. {\"field\": \"order_date\", \"granularity\": \"month\"}) and a measure");
    }
    if (v.dimensions().size() > 1) {
      throw new BasinException(
          DashboardErrorCode.INVALID_VISUAL,
          "visual '" + v.id() + "': insights work on one series; remove the second dimension");
    }
    VisualData data = run(v, request, dashboardFilters, params, user, start);
    String granularity = v.dimensions().get(0).granularity();
    String sql =
        Insights.sql(
            data.sql(),
            v.dimensions().get(0).outputName(),
            v.measures().get(0).outputName(),
            granularity,
            horizon);
    List<Insights.Point> points = new ArrayList<>();
    List<Insights.Point> forecast = new ArrayList<>();
    int season;
    try (DuckDbSession s = engine.openSession(new SessionContext(user, null));
        PreparedSql p = s.prepare(sql);
        ResultCursor c = p.execute(List.of())) {
      season = 1;
      while (c.next()) {
        boolean future = Boolean.TRUE.equals(c.value(0));
        Insights.Point pt =
            new Insights.Point(
                String.valueOf(c.value(1)),
                number(c.value(2)),
                number(c.value(3)),
                number(c.value(4)),
                number(c.value(5)),
                Boolean.TRUE.equals(c.value(6)));
        season = ((Number) c.value(7)).intValue();
        (future ? forecast : points).add(pt);
      }
    } catch (SqlException e) {
      throw new BasinException(
          DashboardErrorCode.QUERY_FAILED,
          "visual '" + v.id() + "': the insights query failed: " + e.getMessage(),
          e);
    }
    String label = v.measures().get(0).outputName();
    long ms = (System.nanoTime() - start) / 1_000_000;
    return new Insights(
        v.id(),
        season,
        points,
        forecast,
        Insights.narrative(label, granularity, points),
        data.truncated(),
        ms);
  }

  private static Double number(Object o) {
    return o == null ? null : ((Number) o).doubleValue();
  }

  private static JsonNode requestMember(JsonNode request, String field, boolean object) {
    if (request == null || request.isNull() || request.isMissingNode()) {
      return null;
    }
    JsonNode n = request.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (object ? !n.isObject() : !n.isArray()) {
      throw new BasinException(
          DashboardErrorCode.INVALID_REQUEST,
          field + " must be " + (object ? "an object of name: value" : "an array of filters"));
    }
    return n;
  }

  /** Stops the extract refresher (a refresh in progress is cancelled) and closes the store. */
  @Override
  public void close() {
    try {
      extracts.close();
    } finally {
      store.close();
    }
  }
}
