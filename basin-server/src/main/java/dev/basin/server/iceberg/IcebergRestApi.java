package dev.basin.server.iceberg;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.basin.server.auth.Credentials;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.RequestBodies;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.UpdateRequirement;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.ViewCatalog;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.UnprocessableEntityException;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTCatalogProperties.SnapshotMode;
import org.apache.iceberg.rest.RESTRequest;
import org.apache.iceberg.rest.RESTSerializers;
import org.apache.iceberg.rest.RESTUtil;
import org.apache.iceberg.rest.credentials.ImmutableCredential;
import org.apache.iceberg.rest.requests.CommitTransactionRequest;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.CreateViewRequest;
import org.apache.iceberg.rest.requests.RegisterTableRequest;
import org.apache.iceberg.rest.requests.RenameTableRequest;
import org.apache.iceberg.rest.requests.ReportMetricsRequest;
import org.apache.iceberg.rest.requests.UpdateNamespacePropertiesRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ImmutableLoadCredentialsResponse;
import org.apache.iceberg.rest.responses.LoadTableResponse;
import org.apache.iceberg.rest.responses.OAuthTokenResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iceberg REST catalog under {@code /iceberg/}: the core of the OpenAPI spec (config, OAuth2
 * client credentials, namespaces, tables, multi-table commits, metrics reports, and views when the
 * catalog supports them) over one Iceberg {@link Catalog}. Spark, Trino, Flink and PyIceberg
 * connect with {@code uri=http://HOST:PORT/iceberg}.
 *
 * <p>Authentication: every route except the token endpoint needs {@code Authorization: Bearer T}
 * where T is a token from {@code POST /iceberg/v1/oauth/tokens} (the client-credentials flow with
 * the access key id as client id and the secret access key as client secret, which Spark's {@code
 * credential=<id>:<secret>} performs) or the native API's {@code <id>:<secret>} token.
 *
 * <p>Storage: table locations are {@code s3://bucket/…} objects in Basin's object store. A loaded
 * or created table's {@code config} tells the client's S3 FileIO to use Basin's S3 endpoint (the
 * host the client reached this catalog on) with path-style addressing and the key pair.
 *
 * <p>Thread-safe: requests run concurrently; the catalog serializes conflicting commits.
 */
public final class IcebergRestApi {
  /** The path every route lives under. */
  public static final String BASE_PATH = "/iceberg";

  /** The name a client may give as {@code warehouse} besides the warehouse location. */
  public static final String CATALOG_NAME = "basin";

  static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
  static final String REGION = "us-east-1";

  private static final Logger LOG = LoggerFactory.getLogger(IcebergRestApi.class);
  private static final Pattern NAMESPACE_SEPARATOR = Pattern.compile("%1[fF]");
  private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
  private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
  private static final ObjectMapper MAPPER = newMapper();

  private final Catalog catalog;
  private final SupportsNamespaces namespaces;
  private final ViewCatalog views;
  private final String warehouse;
  private final Authenticator auth;
  private final Credentials credentials;
  private final IcebergTokens tokens;
  private final long maxBodyBytes;
  private final List<Endpoint> endpoints;
  private final Counter scanReports;
  private final Counter commitReports;
  private final Counter otherReports;

  /**
   * @param catalog the catalog every route reads and writes
   * @param warehouse the catalog's warehouse location ({@code catalog.warehouse}); clients may name
   *     it, or {@link #CATALOG_NAME}, as {@code warehouse}
   * @param auth checks the native bearer token and says whether authentication is on
   * @param credentials the key pair tokens are issued for and storage access is vended with
   * @param clock the time tokens are issued and checked against
   * @param registry where metrics reports are counted ({@code basin.iceberg.metrics.reports})
   * @param maxBodyBytes the largest request body accepted
   */
  public <C extends Catalog & SupportsNamespaces> IcebergRestApi(
      C catalog,
      String warehouse,
      Authenticator auth,
      Credentials credentials,
      Clock clock,
      MeterRegistry registry,
      long maxBodyBytes) {
    this(catalog, warehouse, auth, credentials, clock, TOKEN_LIFETIME, registry, maxBodyBytes);
  }

  <C extends Catalog & SupportsNamespaces> IcebergRestApi(
      C catalog,
      String warehouse,
      Authenticator auth,
      Credentials credentials,
      Clock clock,
      Duration tokenLifetime,
      MeterRegistry registry,
      long maxBodyBytes) {
    this.catalog = catalog;
    this.namespaces = catalog;
    this.views = supportsViews(catalog) ? (ViewCatalog) catalog : null;
    this.warehouse = warehouse;
    this.auth = auth;
    this.credentials = credentials;
    this.tokens = new IcebergTokens(credentials, clock, tokenLifetime);
    this.maxBodyBytes = maxBodyBytes;
    this.endpoints = endpoints(views != null);
    String name = "basin.iceberg.metrics.reports";
    String help = "Metrics reports (scan, commit) received from Iceberg clients";
    this.scanReports =
        Counter.builder(name).description(help).tag("type", "scan").register(registry);
    this.commitReports =
        Counter.builder(name).description(help).tag("type", "commit").register(registry);
    this.otherReports =
        Counter.builder(name).description(help).tag("type", "unknown").register(registry);
  }

  /**
   * Whether a view catalog really serves views: a JDBC catalog without {@code
   * jdbc.schema-version=V1} implements the interface but refuses every call.
   */
  private static boolean supportsViews(Catalog catalog) {
    if (!(catalog instanceof ViewCatalog viewCatalog)) {
      return false;
    }
    try {
      viewCatalog.listViews(Namespace.empty());
      return true;
    } catch (UnsupportedOperationException e) {
      LOG.info("the catalog does not support views; the Iceberg REST endpoint serves tables only");
      return false;
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** Whether the view routes are served (and advertised in {@code /v1/config}). */
  public boolean viewsSupported() {
    return views != null;
  }

  /** Registers {@code /iceberg/*} for GET, HEAD, POST and DELETE. */
  public void register(JavalinDefaultRoutingApi routes) {
    for (HandlerType type :
        List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST, HandlerType.DELETE)) {
      routes.addHttpHandler(type, BASE_PATH + "/*", this::handle);
    }
  }

  private static List<Endpoint> endpoints(boolean withViews) {
    List<Endpoint> list =
        new ArrayList<>(
            List.of(
                Endpoint.V1_LIST_NAMESPACES,
                Endpoint.V1_LOAD_NAMESPACE,
                Endpoint.V1_NAMESPACE_EXISTS,
                Endpoint.V1_CREATE_NAMESPACE,
                Endpoint.V1_UPDATE_NAMESPACE,
                Endpoint.V1_DELETE_NAMESPACE,
                Endpoint.V1_COMMIT_TRANSACTION,
                Endpoint.V1_LIST_TABLES,
                Endpoint.V1_LOAD_TABLE,
                Endpoint.V1_TABLE_EXISTS,
                Endpoint.V1_CREATE_TABLE,
                Endpoint.V1_UPDATE_TABLE,
                Endpoint.V1_DELETE_TABLE,
                Endpoint.V1_RENAME_TABLE,
                Endpoint.V1_REGISTER_TABLE,
                Endpoint.V1_REPORT_METRICS,
                Endpoint.V1_TABLE_CREDENTIALS));
    if (withViews) {
      list.addAll(
          List.of(
              Endpoint.V1_LIST_VIEWS,
              Endpoint.V1_LOAD_VIEW,
              Endpoint.V1_VIEW_EXISTS,
              Endpoint.V1_CREATE_VIEW,
              Endpoint.V1_UPDATE_VIEW,
              Endpoint.V1_DELETE_VIEW,
              Endpoint.V1_RENAME_VIEW));
    }
    return List.copyOf(list);
  }

  private void handle(Context ctx) {
    String method = ctx.method().name();
    List<String> path = segments(ctx.req().getRequestURI());
    try {
      if (path.equals(List.of("v1", "oauth", "tokens"))) {
        if (!method.equals("POST")) {
          throw methodNotAllowed(method, path);
        }
        token(ctx);
        return;
      }
      authenticate(ctx.header("Authorization"));
      route(ctx, method, path);
    } catch (Exception e) {
      IcebergErrors.write(ctx, e);
    }
  }

  /** The raw (still percent-encoded) path segments after {@code /iceberg/}. */
  private static List<String> segments(String requestUri) {
    String prefix = BASE_PATH + "/";
    String rest = requestUri.startsWith(prefix) ? requestUri.substring(prefix.length()) : "";
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    return rest.isEmpty() ? List.of() : Arrays.asList(rest.split("/", -1));
  }

  private void authenticate(String header) {
    if (!auth.enabled()) {
      return;
    }
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new NotAuthorizedException(
          "missing bearer token; get one from POST /iceberg/v1/oauth/tokens with the access key"
              + " id as client_id and the secret access key as client_secret (Spark:"
              + " credential=<id>:<secret>)");
    }
    String token = header.substring(7).trim();
    if (token.indexOf(':') > 0) {
      if (auth.bearerValid(header)) {
        return;
      }
      throw new NotAuthorizedException("wrong access key id or secret in the bearer token");
    }
    Optional<IcebergTokens.Rejection> rejection = tokens.verify(token);
    if (rejection.isEmpty()) {
      return;
    }
    switch (rejection.get()) {
      case EXPIRED:
        throw new NotAuthorizedException(
            "the bearer token has expired; get a new one from POST /iceberg/v1/oauth/tokens");
      case BAD_SIGNATURE:
        throw new NotAuthorizedException(
            "the bearer token's signature does not match (issued by another server, or the"
                + " secret access key has changed); get a new token");
      default:
        throw new NotAuthorizedException("the bearer token is not a token this server issued");
    }
  }

  private void route(Context ctx, String method, List<String> p) throws IOException {
    int n = p.size();
    if (n < 2 || !p.get(0).equals("v1")) {
      throw notFound(method, p);
    }
    switch (p.get(1)) {
      case "config":
        if (n == 2) {
          expect(method, p, "GET");
          config(ctx);
          return;
        }
        break;
      case "namespaces":
        namespaceRoutes(ctx, method, p);
        return;
      case "tables":
        if (n == 3 && p.get(2).equals("rename")) {
          expect(method, p, "POST");
          CatalogHandlers.renameTable(catalog, read(ctx, RenameTableRequest.class));
          ctx.status(204);
          return;
        }
        break;
      case "views":
        if (n == 3 && p.get(2).equals("rename")) {
          expect(method, p, "POST");
          CatalogHandlers.renameView(viewCatalog(), read(ctx, RenameTableRequest.class));
          ctx.status(204);
          return;
        }
        break;
      case "transactions":
        if (n == 3 && p.get(2).equals("commit")) {
          expect(method, p, "POST");
          commitTransaction(read(ctx, CommitTransactionRequest.class));
          ctx.status(204);
          return;
        }
        break;
      default:
        break;
    }
    throw notFound(method, p);
  }

  private void namespaceRoutes(Context ctx, String method, List<String> p) throws IOException {
    int n = p.size();
    if (n == 2) {
      switch (expect(method, p, "GET", "POST")) {
        case "GET":
          Namespace parent =
              ctx.queryParam("parent") == null || ctx.queryParam("parent").isEmpty()
                  ? Namespace.empty()
                  : RESTUtil.namespaceFromQueryParam(ctx.queryParam("parent"));
          String pageSize = pageSize(ctx);
          ok(
              ctx,
              pageSize == null
                  ? CatalogHandlers.listNamespaces(namespaces, parent)
                  : CatalogHandlers.listNamespaces(namespaces, parent, pageToken(ctx), pageSize));
          return;
        default:
          CreateNamespaceRequest request = read(ctx, CreateNamespaceRequest.class);
          if (request.namespace() == null || request.namespace().isEmpty()) {
            throw new BadRequestException("the namespace to create must have at least one level");
          }
          ok(ctx, CatalogHandlers.createNamespace(namespaces, request));
          return;
      }
    }
    Namespace ns = namespace(p.get(2));
    if (n == 3) {
      switch (expect(method, p, "GET", "HEAD", "DELETE")) {
        case "GET":
          ok(ctx, CatalogHandlers.loadNamespace(namespaces, ns));
          return;
        case "HEAD":
          CatalogHandlers.namespaceExists(namespaces, ns);
          ctx.status(204);
          return;
        default:
          CatalogHandlers.dropNamespace(namespaces, ns);
          ctx.status(204);
          return;
      }
    }
    String collection = p.get(3);
    if (n == 4) {
      switch (collection) {
        case "properties":
          expect(method, p, "POST");
          UpdateNamespacePropertiesRequest update =
              read(ctx, UpdateNamespacePropertiesRequest.class);
          Set<String> both = new java.util.HashSet<>(update.updates().keySet());
          both.retainAll(update.removals());
          if (!both.isEmpty()) {
            throw new UnprocessableEntityException(
                "properties %s are both updated and removed; send each key in one list", both);
          }
          ok(ctx, CatalogHandlers.updateNamespaceProperties(namespaces, ns, update));
          return;
        case "tables":
          if (expect(method, p, "GET", "POST").equals("GET")) {
            requireNamespace(ns);
            String pageSize = pageSize(ctx);
            ok(
                ctx,
                pageSize == null
                    ? CatalogHandlers.listTables(catalog, ns)
                    : CatalogHandlers.listTables(catalog, ns, pageToken(ctx), pageSize));
          } else {
            createTable(ctx, ns);
          }
          return;
        case "register":
          expect(method, p, "POST");
          requireNamespace(ns);
          ok(
              ctx,
              withStorageConfig(
                  ctx,
                  CatalogHandlers.registerTable(
                      catalog, ns, read(ctx, RegisterTableRequest.class))));
          return;
        case "views":
          if (expect(method, p, "GET", "POST").equals("GET")) {
            String pageSize = pageSize(ctx);
            ok(
                ctx,
                pageSize == null
                    ? CatalogHandlers.listViews(viewCatalog(), ns)
                    : CatalogHandlers.listViews(viewCatalog(), ns, pageToken(ctx), pageSize));
          } else {
            ok(
                ctx,
                CatalogHandlers.createView(viewCatalog(), ns, read(ctx, CreateViewRequest.class)));
          }
          return;
        default:
          throw notFound(method, p);
      }
    }
    TableIdentifier id = TableIdentifier.of(ns, decode(p.get(4)));
    if (n == 5 && collection.equals("tables")) {
      tableRoutes(ctx, method, p, id);
      return;
    }
    if (n == 5 && collection.equals("views")) {
      viewRoutes(ctx, method, p, id);
      return;
    }
    if (n == 6 && collection.equals("tables") && p.get(5).equals("metrics")) {
      expect(method, p, "POST");
      reportMetrics(ctx, id);
      return;
    }
    if (n == 6 && collection.equals("tables") && p.get(5).equals("credentials")) {
      expect(method, p, "GET");
      loadCredentials(ctx, id);
      return;
    }
    throw notFound(method, p);
  }

  private void tableRoutes(Context ctx, String method, List<String> p, TableIdentifier id)
      throws IOException {
    switch (expect(method, p, "GET", "HEAD", "POST", "DELETE")) {
      case "GET":
        ok(ctx, withStorageConfig(ctx, CatalogHandlers.loadTable(catalog, id, snapshots(ctx))));
        return;
      case "HEAD":
        CatalogHandlers.tableExists(catalog, id);
        ctx.status(204);
        return;
      case "POST":
        UpdateTableRequest update = read(ctx, UpdateTableRequest.class);
        if (isCreate(update)) {
          requireNamespace(id.namespace());
        }
        ok(ctx, withStorageConfig(ctx, CatalogHandlers.updateTable(catalog, id, update)));
        return;
      default:
        if (Boolean.parseBoolean(ctx.queryParam("purgeRequested"))) {
          CatalogHandlers.purgeTable(catalog, id);
        } else {
          CatalogHandlers.dropTable(catalog, id);
        }
        ctx.status(204);
    }
  }

  private void viewRoutes(Context ctx, String method, List<String> p, TableIdentifier id)
      throws IOException {
    switch (expect(method, p, "GET", "HEAD", "POST", "DELETE")) {
      case "GET":
        ok(ctx, CatalogHandlers.loadView(viewCatalog(), id));
        return;
      case "HEAD":
        CatalogHandlers.viewExists(viewCatalog(), id);
        ctx.status(204);
        return;
      case "POST":
        ok(ctx, CatalogHandlers.updateView(viewCatalog(), id, read(ctx, UpdateTableRequest.class)));
        return;
      default:
        CatalogHandlers.dropView(viewCatalog(), id);
        ctx.status(204);
    }
  }

  private ViewCatalog viewCatalog() {
    if (views == null) {
      throw new UnsupportedOperationException(
          "this catalog does not serve views (a JDBC catalog needs jdbc.schema-version=V1)");
    }
    return views;
  }

  private void config(Context ctx) throws IOException {
    String requested = ctx.queryParam("warehouse");
    if (requested != null
        && !requested.isEmpty()
        && !requested.equals(CATALOG_NAME)
        && !stripSlash(requested).equals(stripSlash(warehouse))) {
      throw new BadRequestException(
          "unknown warehouse '%s': this server has one catalog; leave warehouse unset or use '%s'"
              + " or '%s'",
          requested, CATALOG_NAME, warehouse);
    }
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("s3.endpoint", s3Endpoint(ctx));
    defaults.put("s3.path-style-access", "true");
    defaults.put("client.region", REGION);
    ok(ctx, ConfigResponse.builder().withDefaults(defaults).withEndpoints(endpoints).build());
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private void createTable(Context ctx, Namespace ns) throws IOException {
    CreateTableRequest request = read(ctx, CreateTableRequest.class);
    requireNamespace(ns);
    LoadTableResponse response =
        request.stageCreate()
            ? CatalogHandlers.stageTableCreate(catalog, ns, request)
            : CatalogHandlers.createTable(catalog, ns, request);
    ok(ctx, withStorageConfig(ctx, response));
  }

  private static boolean isCreate(UpdateTableRequest request) {
    return request.requirements().stream()
        .anyMatch(UpdateRequirement.AssertTableDoesNotExist.class::isInstance);
  }

  /**
   * Validates every table change against its table's current metadata first, then commits them one
   * after another. The JDBC catalog has no multi-table atomic commit, so a failure while committing
   * (a concurrent writer between validation and commit) can leave earlier tables committed; the
   * error message names them.
   */
  private void commitTransaction(CommitTransactionRequest request) {
    record Staged(
        TableIdentifier id, TableOperations ops, TableMetadata base, TableMetadata next) {}
    List<Staged> staged = new ArrayList<>();
    for (UpdateTableRequest change : request.tableChanges()) {
      TableIdentifier id = change.identifier();
      if (isCreate(change)) {
        throw new BadRequestException(
            "table %s: creating a table inside a multi-table transaction is not supported; create"
                + " it first",
            id);
      }
      Table table = catalog.loadTable(id);
      if (!(table instanceof BaseTable baseTable)) {
        throw new IllegalStateException("catalog returned a non-base table for " + id);
      }
      TableOperations ops = baseTable.operations();
      TableMetadata base = ops.refresh();
      for (UpdateRequirement requirement : change.requirements()) {
        requirement.validate(base);
      }
      TableMetadata.Builder builder = TableMetadata.buildFrom(base);
      change.updates().forEach(u -> u.applyTo(builder));
      staged.add(new Staged(id, ops, base, builder.build()));
    }
    List<TableIdentifier> committed = new ArrayList<>();
    for (Staged s : staged) {
      if (s.next().changes().isEmpty()) {
        continue;
      }
      try {
        s.ops().commit(s.base(), s.next());
      } catch (CommitFailedException e) {
        if (committed.isEmpty()) {
          throw e;
        }
        throw new CommitFailedException(
            e,
            "%s; tables committed before the failure: %s (this catalog commits a transaction's"
                + " tables one by one)",
            e.getMessage(),
            committed);
      }
      committed.add(s.id());
    }
  }

  private void reportMetrics(Context ctx, TableIdentifier id) throws IOException {
    ReportMetricsRequest request = read(ctx, ReportMetricsRequest.class);
    if (!catalog.tableExists(id)) {
      throw new NoSuchTableException("Table does not exist: %s", id);
    }
    switch (request.reportType()) {
      case SCAN_REPORT:
        scanReports.increment();
        break;
      case COMMIT_REPORT:
        commitReports.increment();
        break;
      default:
        otherReports.increment();
    }
    ctx.status(204);
  }

  private void loadCredentials(Context ctx, TableIdentifier id) throws IOException {
    String location = catalog.loadTable(id).location();
    ok(
        ctx,
        ImmutableLoadCredentialsResponse.builder()
            .addCredentials(
                ImmutableCredential.builder().prefix(location).config(storageConfig(ctx)).build())
            .build());
  }

  private LoadTableResponse withStorageConfig(Context ctx, LoadTableResponse response) {
    return LoadTableResponse.builder()
        .withTableMetadata(response.tableMetadata())
        .addAllConfig(response.config())
        .addAllConfig(storageConfig(ctx))
        .build();
  }

  /** What an S3 FileIO needs to read and write this table's files through Basin's S3 endpoint. */
  private Map<String, String> storageConfig(Context ctx) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("s3.endpoint", s3Endpoint(ctx));
    config.put("s3.path-style-access", "true");
    config.put("client.region", REGION);
    config.put("s3.access-key-id", credentials.accessKeyId());
    config.put("s3.secret-access-key", credentials.secretAccessKey());
    return config;
  }

  /** Basin's S3 endpoint as the client reached this server (one port serves both). */
  private static String s3Endpoint(Context ctx) {
    String host = ctx.header("Host");
    if (host == null || host.isBlank()) {
      host = ctx.req().getLocalAddr() + ":" + ctx.req().getLocalPort();
    }
    return ctx.scheme() + "://" + host;
  }

  private void token(Context ctx) throws IOException {
    Map<String, String> form;
    try {
      form =
          RESTUtil.decodeFormData(
              new String(RequestBodies.read(ctx, maxBodyBytes), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      oauthError(ctx, 400, "invalid_request", "the body must be form-encoded: " + e.getMessage());
      return;
    }
    String grant = form.get("grant_type");
    if (grant == null) {
      oauthError(ctx, 400, "invalid_request", "grant_type is missing");
      return;
    }
    if (grant.equals("client_credentials")) {
      String id = form.get("client_id");
      String secret = form.get("client_secret");
      String basic = ctx.header("Authorization");
      if (id == null && basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
        String pair = basicPair(basic.substring(6).trim());
        int colon = pair == null ? -1 : pair.indexOf(':');
        if (colon > 0) {
          id = RESTUtil.decodeString(pair.substring(0, colon));
          secret = RESTUtil.decodeString(pair.substring(colon + 1));
        }
      }
      if (id == null || secret == null) {
        oauthError(
            ctx,
            400,
            "invalid_request",
            "client_id and client_secret are required (the access key id and secret access key)");
        return;
      }
      if (auth.enabled() && !tokens.clientValid(id, secret)) {
        oauthError(ctx, 401, "invalid_client", "wrong client_id or client_secret");
        return;
      }
    } else if (grant.equals(TOKEN_EXCHANGE)) {
      String subject = form.get("subject_token");
      if (subject == null) {
        oauthError(ctx, 400, "invalid_request", "subject_token is missing");
        return;
      }
      try {
        authenticate("Bearer " + subject);
      } catch (NotAuthorizedException e) {
        oauthError(ctx, 401, "invalid_client", e.getMessage());
        return;
      }
    } else {
      oauthError(
          ctx,
          400,
          "unsupported_grant_type",
          "grant_type '" + grant + "' is not supported; use client_credentials");
      return;
    }
    OAuthTokenResponse.Builder response =
        OAuthTokenResponse.builder()
            .withToken(tokens.issue())
            .withTokenType("bearer")
            .withIssuedTokenType(ACCESS_TOKEN_TYPE)
            .setExpirationInSeconds((int) tokens.lifetime().toSeconds());
    String scope = form.get("scope");
    if (scope != null && !scope.isBlank()) {
      response.addScopes(List.of(scope.trim().split(" +")));
    }
    ctx.header("Cache-Control", "no-store");
    ok(ctx, response.build());
  }

  private static String basicPair(String encoded) {
    try {
      return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The OAuth2 error shape (RFC 6749 §5.2), which Iceberg clients expect from the token route. */
  private static void oauthError(Context ctx, int status, String error, String description) {
    var body = MAPPER.createObjectNode();
    body.put("error", error);
    body.put("error_description", description);
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Basic realm=\"basin-iceberg\"");
    }
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  private void requireNamespace(Namespace ns) {
    if (!namespaces.namespaceExists(ns)) {
      throw new NoSuchNamespaceException("Namespace does not exist: %s", ns);
    }
  }

  private static Namespace namespace(String segment) {
    String[] parts = NAMESPACE_SEPARATOR.split(segment, -1);
    String[] levels = new String[parts.length];
    for (int i = 0; i < parts.length; i++) {
      levels[i] = decode(parts[i]);
      if (levels[i].isEmpty()) {
        throw new BadRequestException("namespace '%s' has an empty level", segment);
      }
    }
    return Namespace.of(levels);
  }

  private static String decode(String segment) {
    String value = RESTUtil.decodePathSegment(segment);
    if (value.isEmpty()) {
      throw new BadRequestException("empty name in the request path");
    }
    return value;
  }

  private static String pageSize(Context ctx) {
    String size = ctx.queryParam("pageSize");
    if (size == null || size.isEmpty()) {
      return null;
    }
    try {
      if (Integer.parseInt(size) < 1) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new BadRequestException("pageSize must be a positive whole number, was '%s'", size);
    }
    return size;
  }

  private static String pageToken(Context ctx) {
    String token = ctx.queryParam("pageToken");
    if (token == null || token.isEmpty()) {
      return "";
    }
    try {
      if (Integer.parseInt(token) < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new BadRequestException(
          "pageToken '%s' is not a token this server issued; use next-page-token", token);
    }
    return token;
  }

  private static SnapshotMode snapshots(Context ctx) {
    String mode = ctx.queryParam("snapshots");
    if (mode == null || mode.isEmpty()) {
      return SnapshotMode.ALL;
    }
    try {
      return SnapshotMode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("snapshots must be 'all' or 'refs', was '%s'", mode);
    }
  }

  private <T extends RESTRequest> T read(Context ctx, Class<T> type) throws IOException {
    byte[] body = RequestBodies.read(ctx, maxBodyBytes);
    if (body.length == 0) {
      throw new BadRequestException("the request needs a JSON body (%s)", type.getSimpleName());
    }
    T request;
    try {
      request = MAPPER.readValue(body, type);
    } catch (UnsupportedOperationException | IllegalStateException | NullPointerException e) {
      // Iceberg's parsers throw these for unknown actions, types and missing fields
      throw new BadRequestException(
          "malformed %s: %s", type.getSimpleName(), String.valueOf(e.getMessage()));
    }
    if (request == null) {
      throw new BadRequestException("the request needs a JSON body (%s)", type.getSimpleName());
    }
    request.validate();
    return request;
  }

  private static void ok(Context ctx, Object response) throws IOException {
    ctx.status(200).contentType("application/json").result(MAPPER.writeValueAsBytes(response));
  }

  private static String expect(String method, List<String> path, String... allowed) {
    for (String a : allowed) {
      if (a.equals(method)) {
        return a;
      }
    }
    throw methodNotAllowed(method, path);
  }

  private static IcebergErrors.HttpError methodNotAllowed(String method, List<String> path) {
    return new IcebergErrors.HttpError(
        405,
        "MethodNotAllowedException",
        method + " is not allowed on " + BASE_PATH + "/" + String.join("/", path));
  }

  private static IcebergErrors.HttpError notFound(String method, List<String> path) {
    return new IcebergErrors.HttpError(
        404,
        "NotFoundException",
        "no Iceberg REST route for "
            + method
            + " "
            + BASE_PATH
            + "/"
            + String.join("/", path)
            + " (prefixes are not used: GET "
            + BASE_PATH
            + "/v1/config lists the endpoints)");
  }

  /** The JSON mapper configured as Iceberg's own REST client and server configure theirs. */
  static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper newMapper() {
    JsonFactory factory =
        new JsonFactoryBuilder()
            .configure(JsonFactory.Feature.INTERN_FIELD_NAMES, false)
            .configure(JsonFactory.Feature.FAIL_ON_SYMBOL_HASH_OVERFLOW, false)
            .build();
    ObjectMapper mapper = new ObjectMapper(factory);
    mapper.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    mapper.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
    RESTSerializers.registerAll(mapper);
    return mapper;
  }
}
