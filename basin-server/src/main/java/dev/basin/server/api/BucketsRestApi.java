package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.error;
import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;
import static dev.basin.server.api.ApiResponses.jsonBody;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.http.RequestBodies;
import dev.basin.spi.storage.BucketInfo;
import dev.basin.spi.storage.DeleteMarkerException;
import dev.basin.spi.storage.DeleteResult;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.ObjectStoreException.Reason;
import dev.basin.spi.storage.PutOptions;
import dev.basin.spi.storage.SupportsLifecycle;
import dev.basin.spi.storage.SupportsVersioning;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersionPage;
import dev.basin.spi.storage.VersioningStatus;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Basin's native REST API for buckets and objects (the web console's Buckets page). It calls the
 * same {@link ObjectStore} as the S3 API, so versioning, object events, lifecycle rules and
 * durability are the same whichever API wrote an object. Routes (authentication is the {@code
 * /api/v1/*} filter's):
 *
 * <ul>
 *   <li>{@code GET /api/v1/buckets} → {@code {"buckets": [{name, created, versioning}]}}; {@code
 *       POST} with {@code {"name", "versioning"?: true}} → 201 and the bucket;
 *   <li>{@code DELETE /api/v1/buckets/{bucket}} → 204 (409 {@code BUCKET_NOT_EMPTY} unless empty);
 *   <li>{@code PUT /api/v1/buckets/{bucket}/versioning} with {@code {"status": "ENABLED" |
 *       "SUSPENDED"}};
 *   <li>{@code GET
 *       /api/v1/buckets/{bucket}/objects?prefix=&delimiter=/&continuationToken=&maxKeys=} → {@code
 *       {"folders": [prefix], "objects": [{key, size, lastModified, etag, storageClass}],
 *       "truncated", "nextContinuationToken"?}};
 *   <li>{@code GET …/objects/content?key=K[&versionId=V]} → the bytes, as an attachment;
 *   <li>{@code PUT …/objects/content?key=K} with the raw bytes as the body (at most the configured
 *       size; the {@code Content-Type} is stored) → the stored version, durable when answered;
 *   <li>{@code DELETE …/objects?key=K[&versionId=V]} → what the delete did (404 when the key or
 *       version does not exist);
 *   <li>{@code GET …/objects/versions?key=K} → {@code {"versions": […]}}, newest first, delete
 *       markers included;
 *   <li>{@code GET|PUT|DELETE /api/v1/buckets/{bucket}/lifecycle} → the rules as {@code {"rules":
 *       [LifecycleRule]}} ({@code []} when none); the store validates them as for S3's
 *       PutBucketLifecycleConfiguration.
 * </ul>
 *
 * Errors are {@code {"error": {"code", "message"}}}: 400 INVALID_ARGUMENT / INVALID_BUCKET_NAME /
 * INVALID_KEY / INVALID_LIFECYCLE, 404 BUCKET_NOT_FOUND / OBJECT_NOT_FOUND / VERSION_NOT_FOUND, 409
 * BUCKET_EXISTS / BUCKET_NOT_EMPTY, 413 OBJECT_TOO_LARGE, 501 UNSUPPORTED.
 */
public final class BucketsRestApi {
  private static final String BUCKETS = "/api/v1/buckets";
  private static final String BUCKET = BUCKETS + "/{bucket}";
  private static final int DEFAULT_MAX_KEYS = 200;
  private static final int MAX_KEYS = 1000;
  private static final int MAX_VERSIONS = 1000;

  /**
   * Stored content types served as themselves on download; anything else (HTML, SVG, XML, scripts)
   * is served as {@code application/octet-stream} so that it cannot run in the console's origin.
   */
  private static final Set<String> SAFE_TYPES =
      Set.of(
          "text/plain",
          "text/csv",
          "application/json",
          "application/x-ndjson",
          "application/pdf",
          "application/zip",
          "application/gzip",
          "application/x-parquet",
          "application/vnd.apache.parquet",
          "application/avro",
          "image/png",
          "image/jpeg",
          "image/gif",
          "image/webp");

  private static final ObjectMapper OUT =
      Json.mapper().copy().setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private static final ObjectReader LIFECYCLE_READER =
      Json.mapper()
          .readerFor(LifecycleConfiguration.class)
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ObjectStore store;
  private final long maxBodyBytes;
  private final long maxUploadBytes;

  /**
   * @param store the object store the S3 API serves
   * @param maxBodyBytes the largest JSON request body
   * @param maxUploadBytes the largest object accepted by an upload ({@code
   *     http.max-request-bytes}); larger objects go through the S3 API's multipart upload
   */
  public BucketsRestApi(ObjectStore store, long maxBodyBytes, long maxUploadBytes) {
    this.store = store;
    this.maxBodyBytes = maxBodyBytes;
    this.maxUploadBytes = maxUploadBytes;
  }

  /** Registers the routes (authentication is the {@code /api/v1/*} filter's). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.get(BUCKETS, route(this::listBuckets));
    routes.post(BUCKETS, route(this::createBucket));
    routes.delete(
        BUCKET,
        route(
            ctx -> {
              store.deleteBucket(ctx.pathParam("bucket"));
              ctx.status(204);
            }));
    routes.put(BUCKET + "/versioning", route(this::setVersioning));
    routes.get(BUCKET + "/objects", route(this::listObjects));
    routes.delete(BUCKET + "/objects", route(this::deleteObject));
    routes.get(BUCKET + "/objects/content", route(this::download));
    routes.put(BUCKET + "/objects/content", route(this::upload));
    routes.get(BUCKET + "/objects/versions", route(this::versions));
    routes.get(BUCKET + "/lifecycle", route(this::getLifecycle));
    routes.put(BUCKET + "/lifecycle", route(this::putLifecycle));
    routes.delete(
        BUCKET + "/lifecycle",
        route(
            ctx -> {
              lifecycle().deleteLifecycle(existingBucket(ctx));
              ctx.status(204);
            }));
  }

  // ---------------------------------------------------------------- buckets

  private void listBuckets(Context ctx) {
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode arr = out.putArray("buckets");
    for (BucketInfo b : store.listBuckets()) {
      ObjectNode n = bucketJson(b);
      try {
        n.put("versioning", versioningOf(b.name()));
      } catch (ObjectStoreException e) {
        continue; // deleted while listing
      }
      arr.add(n);
    }
    json(ctx, 200, out);
  }

  private void createBucket(Context ctx) {
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    String name = ApiResponses.text(body, "name", true);
    JsonNode v = body.get("versioning");
    if (v != null && !v.isNull() && !v.isBoolean()) {
      throw new BadRequest("\"versioning\" must be true or false, was " + v);
    }
    boolean versioned = v != null && v.asBoolean();
    if (versioned && !(store instanceof SupportsVersioning)) {
      throw new Unsupported("the configured object store keeps no versions");
    }
    BucketInfo b = store.createBucket(name);
    if (versioned) {
      ((SupportsVersioning) store).setVersioning(name, VersioningStatus.ENABLED);
    }
    ObjectNode n = bucketJson(b);
    n.put("versioning", versioningOf(name));
    json(ctx, 201, n);
  }

  private void setVersioning(Context ctx) {
    String bucket = existingBucket(ctx);
    String status = ApiResponses.text(jsonBody(ctx, maxBodyBytes), "status", true);
    VersioningStatus s;
    if ("ENABLED".equalsIgnoreCase(status)) {
      s = VersioningStatus.ENABLED;
    } else if ("SUSPENDED".equalsIgnoreCase(status)) {
      s = VersioningStatus.SUSPENDED;
    } else {
      throw new BadRequest(
          "\"status\" must be \"ENABLED\" or \"SUSPENDED\" (a versioned bucket cannot become"
              + " unversioned again), was '"
              + status
              + "'");
    }
    versioning().setVersioning(bucket, s);
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("name", bucket);
    n.put("versioning", versioningOf(bucket));
    json(ctx, 200, n);
  }

  private static ObjectNode bucketJson(BucketInfo b) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("name", b.name());
    n.put("created", b.created().toString());
    return n;
  }

  private String versioningOf(String bucket) {
    return store instanceof SupportsVersioning v
        ? v.versioning(bucket).name()
        : VersioningStatus.UNVERSIONED.name();
  }

  // ---------------------------------------------------------------- objects

  private void listObjects(Context ctx) {
    String bucket = ctx.pathParam("bucket");
    String prefix = Optional.ofNullable(ctx.queryParam("prefix")).orElse("");
    String delimiter = ctx.queryParam("delimiter");
    int maxKeys = DEFAULT_MAX_KEYS;
    String mk = ctx.queryParam("maxKeys");
    if (mk != null && !mk.isBlank()) {
      try {
        maxKeys = Integer.parseInt(mk.strip());
      } catch (NumberFormatException e) {
        maxKeys = -1;
      }
      if (maxKeys < 1 || maxKeys > MAX_KEYS) {
        throw new BadRequest(
            "maxKeys must be a whole number from 1 to " + MAX_KEYS + ", was '" + mk + "'");
      }
    }
    String token = ctx.queryParam("continuationToken");
    String startAfter = token == null || token.isBlank() ? null : startAfterOf(token);
    ListPage page = store.list(bucket, new ListRequest(prefix, delimiter, startAfter, maxKeys));
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("bucket", bucket);
    out.put("prefix", prefix);
    if (delimiter != null && !delimiter.isEmpty()) {
      out.put("delimiter", delimiter);
    }
    ArrayNode folders = out.putArray("folders");
    page.commonPrefixes().forEach(folders::add);
    ArrayNode objects = out.putArray("objects");
    for (ObjectInfo o : page.objects()) {
      objects.add(objectJson(o));
    }
    out.put("truncated", page.truncated());
    if (page.truncated() && page.nextStartAfter() != null) {
      out.put("nextContinuationToken", tokenOf(page.nextStartAfter()));
    }
    json(ctx, 200, out);
  }

  private static ObjectNode objectJson(ObjectInfo o) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("key", o.key());
    n.put("size", o.size());
    n.put("lastModified", o.lastModified().toString());
    n.put("etag", o.etag());
    if (o.storageClass() != null) {
      n.put("storageClass", o.storageClass());
    }
    return n;
  }

  private void download(Context ctx) throws IOException {
    String bucket = ctx.pathParam("bucket");
    String key = requiredKey(ctx);
    String versionId = versionId(ctx);
    try (ObjectContent content = store.get(bucket, key, new GetOptions(versionId, null))) {
      ObjectInfo info = content.info();
      ctx.status(200);
      ctx.header("Content-Type", safeContentType(info.metadata()));
      ctx.header("Content-Disposition", attachment(key));
      ctx.header("X-Content-Type-Options", "nosniff");
      ctx.header("Content-Security-Policy", "sandbox");
      ctx.header("Cache-Control", "no-store");
      ctx.header("ETag", "\"" + info.etag() + "\"");
      if (info.versionId() != null) {
        ctx.header("X-Basin-Version-Id", info.versionId());
      }
      ctx.res().setContentLengthLong(content.length());
      OutputStream out = ctx.res().getOutputStream();
      content.stream().transferTo(out);
      out.flush();
    }
  }

  private void upload(Context ctx) throws IOException {
    String bucket = ctx.pathParam("bucket");
    String key = requiredKey(ctx);
    long declared = ctx.req().getContentLengthLong();
    InputStream raw = ctx.req().getInputStream();
    LimitedInputStream body = new LimitedInputStream(raw, maxUploadBytes);
    ObjectInfo info;
    try {
      if (declared > maxUploadBytes) {
        throw tooLarge(declared + " bytes");
      }
      PutOptions options = PutOptions.of(ObjectMetadata.ofContentType(ctx.header("Content-Type")));
      info = store.put(bucket, key, body, declared >= 0 ? declared : -1, options);
    } catch (RuntimeException e) {
      // Read what the client is still sending, so that it sees this answer and not a reset.
      discard(raw, maxUploadBytes);
      if (body.exceeded) {
        throw tooLarge("more than " + maxUploadBytes + " bytes");
      }
      throw e;
    }
    ObjectNode n = objectJson(info);
    n.put("bucket", bucket);
    if (info.versionId() != null) {
      n.put("versionId", info.versionId());
    }
    n.put("contentType", info.metadata().contentType());
    json(ctx, 200, n);
  }

  private ObjectStoreException tooLarge(String size) {
    return new ObjectStoreException(
        Reason.ENTITY_TOO_LARGE,
        "the upload of "
            + size
            + " exceeds the limit of "
            + maxUploadBytes
            + " bytes (http.max-request-bytes); raise that setting or upload large objects"
            + " through the S3 API, e.g. `aws s3 cp FILE s3://BUCKET/KEY --endpoint-url …`,"
            + " which uses multipart uploads");
  }

  private void deleteObject(Context ctx) {
    String bucket = ctx.pathParam("bucket");
    String key = requiredKey(ctx);
    String versionId = versionId(ctx);
    try {
      store.head(bucket, key, versionId);
    } catch (DeleteMarkerException e) {
      if (versionId == null) {
        throw e; // the key is already deleted: 404
      }
      // deleting a delete marker by its version id restores the previous version
    }
    DeleteResult r = store.delete(bucket, key, versionId);
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("bucket", bucket);
    n.put("key", r.key());
    if (r.versionId() != null) {
      n.put("versionId", r.versionId());
    }
    n.put("deleteMarker", r.deleteMarker());
    json(ctx, 200, n);
  }

  private void versions(Context ctx) {
    String bucket = ctx.pathParam("bucket");
    String key = requiredKey(ctx);
    SupportsVersioning v = versioning();
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("bucket", bucket);
    out.put("key", key);
    out.put("versioning", v.versioning(bucket).name());
    ArrayNode arr = out.putArray("versions");
    String keyMarker = null;
    String versionMarker = null;
    boolean more = true;
    while (more && arr.size() < MAX_VERSIONS) {
      VersionPage page =
          v.listVersions(
              bucket, new VersionListRequest(key, null, keyMarker, versionMarker, MAX_VERSIONS));
      for (VersionPage.ObjectVersion ov : page.versions()) {
        ObjectInfo i = ov.info();
        if (!i.key().equals(key)) {
          // keys that only start with this one follow it: the versions of this key are done
          more = false;
          break;
        }
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("versionId", i.versionId());
        n.put("latest", ov.latest());
        n.put("deleteMarker", i.deleteMarker());
        n.put("lastModified", i.lastModified().toString());
        if (!i.deleteMarker()) {
          n.put("size", i.size());
          n.put("etag", i.etag());
          if (i.storageClass() != null) {
            n.put("storageClass", i.storageClass());
          }
          if (i.metadata() != null) {
            n.put("contentType", i.metadata().contentType());
          }
        }
        arr.add(n);
      }
      more = more && page.truncated();
      keyMarker = page.nextKeyMarker();
      versionMarker = page.nextVersionIdMarker();
    }
    if (arr.isEmpty()) {
      throw new ObjectStoreException(
          Reason.NO_SUCH_KEY, "no object or version has key '" + key + "'");
    }
    json(ctx, 200, out);
  }

  // ---------------------------------------------------------------- lifecycle

  private void getLifecycle(Context ctx) {
    String bucket = existingBucket(ctx);
    Optional<LifecycleConfiguration> lc = lifecycle().lifecycle(bucket);
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("bucket", bucket);
    out.set(
        "rules",
        lc.map(c -> (JsonNode) OUT.valueToTree(c.rules()))
            .orElseGet(() -> Json.mapper().createArrayNode()));
    json(ctx, 200, out);
  }

  private void putLifecycle(Context ctx) {
    String bucket = existingBucket(ctx);
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    JsonNode rules = body.get("rules");
    if (rules == null || !rules.isArray()) {
      throw new LifecycleInvalid(
          "the body must be {\"rules\": [rule, …]}, e.g. {\"rules\": [{\"id\": \"expire-tmp\","
              + " \"enabled\": true, \"filter\": {\"prefix\": \"tmp/\"}, \"expirationDays\": 7}]};"
              + " to remove every rule, DELETE the lifecycle");
    }
    for (int i = 0; i < rules.size(); i++) {
      JsonNode r = rules.get(i);
      if (!r.isObject()) {
        throw new LifecycleInvalid("rules[" + i + "] must be a JSON object, was " + r);
      }
      if (!r.path("enabled").isBoolean()) {
        throw new LifecycleInvalid(
            "rules[" + i + "].enabled is required: true to apply the rule, false to keep it off");
      }
    }
    LifecycleConfiguration configuration;
    try {
      configuration = LIFECYCLE_READER.readValue(body);
    } catch (UnrecognizedPropertyException e) {
      throw new LifecycleInvalid(
          "unknown field '"
              + e.getPropertyName()
              + "' at "
              + path(e)
              + "; a rule has id, enabled, filter {prefix, tags, sizeGreaterThan, sizeLessThan},"
              + " transitionDays, transitionStorageClass, expirationDays,"
              + " expiredObjectDeleteMarker, noncurrentDays, newerNoncurrentVersions,"
              + " noncurrentTransitionDays, abortIncompleteMultipartDays");
    } catch (JsonMappingException e) {
      throw new LifecycleInvalid("invalid value at " + path(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new LifecycleInvalid("the lifecycle rules are not valid JSON: " + e.getMessage());
    }
    try {
      lifecycle().setLifecycle(bucket, configuration);
    } catch (ObjectStoreException e) {
      if (e.reason() == Reason.INVALID_ARGUMENT) {
        throw new LifecycleInvalid(e.getMessage());
      }
      throw e;
    }
    getLifecycle(ctx);
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      } else if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      }
    }
    return sb.length() == 0 ? "the top level" : sb.toString();
  }

  // ---------------------------------------------------------------- helpers

  private String existingBucket(Context ctx) {
    String bucket = ctx.pathParam("bucket");
    if (store.bucket(bucket).isEmpty()) {
      throw new ObjectStoreException(Reason.NO_SUCH_BUCKET, "bucket '" + bucket + "'");
    }
    return bucket;
  }

  private static String requiredKey(Context ctx) {
    String key = ctx.queryParam("key");
    if (key == null || key.isEmpty()) {
      throw new BadRequest(
          "the query parameter key is required: the object's full key, e.g. ?key=folder%2Ffile.csv");
    }
    return key;
  }

  private static String versionId(Context ctx) {
    String v = ctx.queryParam("versionId");
    return v == null || v.isBlank() ? null : v;
  }

  private SupportsVersioning versioning() {
    if (store instanceof SupportsVersioning v) {
      return v;
    }
    throw new Unsupported("the configured object store keeps no versions");
  }

  private SupportsLifecycle lifecycle() {
    if (store instanceof SupportsLifecycle l) {
      return l;
    }
    throw new Unsupported("the configured object store has no lifecycle rules");
  }

  static String tokenOf(String startAfter) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(startAfter.getBytes(StandardCharsets.UTF_8));
  }

  static String startAfterOf(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(
          "continuationToken '"
              + token
              + "' is not one this API returned; pass nextContinuationToken from the previous"
              + " page unchanged, or leave it out to start at the beginning");
    }
  }

  static String safeContentType(ObjectMetadata metadata) {
    if (metadata == null || metadata.contentType() == null) {
      return "application/octet-stream";
    }
    String type = metadata.contentType();
    int semi = type.indexOf(';');
    String base = (semi < 0 ? type : type.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    return SAFE_TYPES.contains(base) ? type : "application/octet-stream";
  }

  /** {@code attachment} with the key's last segment as the file name (RFC 6266). */
  static String attachment(String key) {
    String name = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    name = name.substring(name.lastIndexOf('/') + 1);
    if (name.isEmpty()) {
      name = "download";
    }
    StringBuilder ascii = new StringBuilder();
    for (char c : name.toCharArray()) {
      ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    }
    return "attachment; filename=\""
        + ascii
        + "\"; filename*=UTF-8''"
        + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void discard(InputStream in, long max) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while (total < max && (n = in.read(buf)) > 0) {
      total += n;
    }
  }

  /** A lifecycle document the API cannot accept (400 INVALID_LIFECYCLE). */
  private static final class LifecycleInvalid extends RuntimeException {
    LifecycleInvalid(String message) {
      super(message);
    }
  }

  /** The object store lacks an ability (501 UNSUPPORTED). */
  private static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message);
    }
  }

  /** Fails the read once more than {@code limit} bytes came through. */
  private static final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;
    private volatile boolean exceeded;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws IOException {
      count += n;
      if (count > limit) {
        exceeded = true;
        throw new IOException("upload larger than " + limit + " bytes");
      }
    }
  }

  private Handler route(ApiResponses.Action action) {
    return guarded(
        ctx -> {
          try {
            action.run(ctx);
          } catch (ObjectStoreException e) {
            storeError(ctx, e);
          } catch (LifecycleInvalid e) {
            error(ctx, 400, "INVALID_LIFECYCLE", e.getMessage());
          } catch (Unsupported e) {
            error(ctx, 501, "UNSUPPORTED", e.getMessage());
          } catch (RequestBodies.TooLargeException e) {
            error(
                ctx,
                413,
                "REQUEST_TOO_LARGE",
                e.getMessage() + "; send a smaller JSON body (http.max-request-bytes)");
          }
        });
  }

  private static void storeError(Context ctx, ObjectStoreException e) {
    String bucket = ctx.pathParamMap().get("bucket");
    String key = ctx.queryParam("key");
    switch (e.reason()) {
      case NO_SUCH_BUCKET ->
          error(
              ctx,
              404,
              "BUCKET_NOT_FOUND",
              "bucket '"
                  + bucket
                  + "' does not exist; pick one from GET /api/v1/buckets (the Buckets page) or"
                  + " create it with POST /api/v1/buckets {\"name\": \""
                  + bucket
                  + "\"}");
      case NO_SUCH_KEY ->
          error(
              ctx,
              404,
              "OBJECT_NOT_FOUND",
              "object '"
                  + key
                  + "' does not exist in bucket '"
                  + bucket
                  + "'"
                  + (e instanceof DeleteMarkerException
                      ? " (it was deleted; an older version may still be listed under its versions)"
                      : "")
                  + "; list the bucket's objects with GET /api/v1/buckets/"
                  + bucket
                  + "/objects?prefix=…");
      case NO_SUCH_VERSION ->
          error(
              ctx,
              404,
              "VERSION_NOT_FOUND",
              "object '"
                  + key
                  + "' has no version '"
                  + ctx.queryParam("versionId")
                  + "'; list its versions with GET /api/v1/buckets/"
                  + bucket
                  + "/objects/versions?key=…");
      case BUCKET_ALREADY_EXISTS -> error(ctx, 409, "BUCKET_EXISTS", e.getMessage());
      case BUCKET_NOT_EMPTY -> error(ctx, 409, "BUCKET_NOT_EMPTY", e.getMessage());
      case INVALID_BUCKET_NAME -> error(ctx, 400, "INVALID_BUCKET_NAME", e.getMessage());
      case INVALID_KEY, KEY_TOO_LONG -> error(ctx, 400, "INVALID_KEY", e.getMessage());
      case ENTITY_TOO_LARGE -> error(ctx, 413, "OBJECT_TOO_LARGE", e.getMessage());
      case INVALID_REQUEST ->
          error(
              ctx,
              400,
              "VERSION_IS_DELETE_MARKER",
              e.getMessage() + "; a delete marker has no bytes, pick another version");
      default -> error(ctx, ApiResponses.objectStoreStatus(e), e.reason().name(), e.getMessage());
    }
  }
}
