package dev.basin.server.s3;

import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.SigV4Exception;
import dev.basin.server.auth.SigV4Verifier;
import dev.basin.server.auth.SignedRequest;
import dev.basin.server.auth.VerifiedSignature;
import dev.basin.server.http.Authenticator;
import dev.basin.spi.storage.BucketInfo;
import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.CopyRequest;
import dev.basin.spi.storage.DeleteMarkerException;
import dev.basin.spi.storage.DeleteOutcome;
import dev.basin.spi.storage.DeleteResult;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectRef;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.PartInfo;
import dev.basin.spi.storage.PartsPage;
import dev.basin.spi.storage.PutOptions;
import dev.basin.spi.storage.SupportsLifecycle;
import dev.basin.spi.storage.SupportsObjectTagging;
import dev.basin.spi.storage.SupportsVersioning;
import dev.basin.spi.storage.UploadsPage;
import dev.basin.spi.storage.UploadsRequest;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersionPage;
import io.javalin.config.JettyConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 REST API, path-style ({@code /{bucket}/{key}}), over an {@link ObjectStore}: buckets,
 * objects (streamed both ways, ranges, conditional requests), copies, multipart uploads,
 * versioning, lifecycle configuration and object tagging. Every request is authenticated with SigV4
 * (header or presigned URL); {@code aws-chunked} bodies are decoded with their chunk signatures,
 * and {@code x-amz-checksum-*} values, signed payload digests and {@code Content-MD5} are verified
 * before an object is committed. Errors are S3's {@code <Error>} documents; a subresource Basin
 * does not implement is answered {@code NotImplemented}.
 *
 * <p>Thread-safe.
 */
public final class S3Api {
  private static final Logger LOG = LoggerFactory.getLogger(S3Api.class);

  /** S3's largest single PUT: 5 GiB. */
  public static final long MAX_PUT_BYTES = 5L * 1024 * 1024 * 1024;

  /** The largest XML request document accepted (DeleteObjects of 1000 long keys fits). */
  static final int MAX_XML_BYTES = 2 * 1024 * 1024;

  /** Parses HTTP dates in every form RFC 1123 allows. */
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  /** Writes HTTP's IMF-fixdate (two-digit day), which strict clients (Go's net/http) require. */
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

  private static final String XML = "application/xml";

  /** Subresources of S3 that Basin does not implement; they are answered NotImplemented. */
  private static final Set<String> UNSUPPORTED =
      Set.of(
          "acl",
          "policy",
          "policyStatus",
          "cors",
          "website",
          "logging",
          "notification",
          "replication",
          "encryption",
          "ownershipControls",
          "publicAccessBlock",
          "accelerate",
          "requestPayment",
          "object-lock",
          "analytics",
          "metrics",
          "inventory",
          "intelligent-tiering",
          "retention",
          "legal-hold",
          "torrent",
          "restore",
          "select",
          "attributes",
          "session",
          "metadataTable",
          "renameObject");

  private final ObjectStore store;
  private final SigV4Verifier verifier;
  private final boolean authEnabled;
  private final MeterRegistry metrics;
  private final S3Responses.Owner owner;

  /**
   * @param store the object store (versioning and lifecycle are offered when it supports them)
   * @param credentials the key pair requests must be signed with
   * @param authEnabled false only for local experiments: requests are then not authenticated
   * @param clock the clock signatures are checked against
   * @param accountId the owner id shown in listings
   */
  public S3Api(
      ObjectStore store,
      Credentials credentials,
      boolean authEnabled,
      Clock clock,
      MeterRegistry metrics,
      String accountId) {
    this.store = store;
    this.verifier = SigV4Verifier.forCredentials(credentials, clock);
    this.authEnabled = authEnabled;
    this.metrics = metrics;
    this.owner =
        new S3Responses.Owner(
            HexFormat.of()
                .formatHex(
                    AwsChunkedInputStream.sha256(
                        ("basin:" + accountId).getBytes(StandardCharsets.UTF_8))),
            "basin");
  }

  /**
   * Lets paths through that S3 keys need and Jetty refuses by default as ambiguous ({@code //},
   * {@code %2F}, {@code ..} segments): the S3 handler reads the raw path itself and the store
   * rejects keys it cannot hold. Keeps header values exactly as sent (SigV4 signs them).
   */
  public static void configureJetty(JettyConfig jetty) {
    jetty.modifyHttpConfiguration(
        http -> {
          http.setUriCompliance(UriCompliance.LEGACY);
          // Jetty's header cache otherwise hands out e.g. "charset=utf-8" for "charset=UTF-8",
          // and a signature over the header as sent would no longer verify.
          http.setHeaderCacheCaseSensitive(true);
        });
    jetty.modifyServletContextHandler(
        handler -> handler.getServletHandler().setDecodeAmbiguousURIs(true));
  }

  /**
   * Registers {@code GET /} (ListBuckets) and every method on {@code /{bucket}} and {@code
   * /{bucket}/<key>}. Register it after every other route: Javalin matches routes in the order they
   * were added, so {@code /health}, {@code /api/v1/*} and the rest keep winning.
   */
  public void register(JavalinDefaultRoutingApi routes) {
    Handler h = this::handle;
    routes.get("/", h);
    routes.head("/", h);
    for (String path : List.of("/{bucket}", "/{bucket}/<key>")) {
      routes.get(path, h);
      routes.head(path, h);
      routes.put(path, h);
      routes.delete(path, h);
      routes.post(path, h);
    }
  }

  // ---------------------------------------------------------------- dispatch

  /** One request's state. */
  private final class Call {
    final Context ctx;
    final S3Request req;
    final String method;
    final String requestId;
    VerifiedSignature signature;
    String operation = "Unknown";
    boolean bodyRead;

    Call(Context ctx, S3Request req, String requestId) {
      this.ctx = ctx;
      this.req = req;
      this.method = ctx.method().name();
      this.requestId = requestId;
    }

    String header(String name) {
      return ctx.header(name);
    }

    String bucket() {
      return req.bucket();
    }

    String key() {
      return req.key();
    }
  }

  /** Handles one S3 request. Never throws: every failure becomes an S3 error answer. */
  public void handle(Context ctx) {
    long start = System.nanoTime();
    String requestId =
        UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
    ctx.res().setHeader("x-amz-request-id", requestId);
    ctx.res().setHeader("x-amz-id-2", requestId);
    Call call = null;
    String outcome = "ok";
    try {
      S3Request req = S3Request.parse(ctx.req().getRequestURI(), ctx.req().getQueryString());
      call = new Call(ctx, req, requestId);
      dispatch(call);
    } catch (S3Exception e) {
      outcome = e.code();
      writeError(ctx, call, e, requestId);
    } catch (ObjectStoreException e) {
      S3Exception s3 =
          e instanceof DeleteMarkerException marker && call != null && isTargetOf(call, marker)
              ? deleteMarkerAnswer(call, marker)
              : S3Exception.of(
                  e, call == null ? null : call.bucket(), call == null ? null : call.key());
      outcome = s3.code();
      writeError(ctx, call, s3, requestId);
    } catch (RuntimeException | IOException e) {
      if (isClientGone(e)) {
        outcome = "ClientDisconnected";
        LOG.atDebug().setCause(e).log("S3 client went away");
      } else {
        outcome = "InternalError";
        LOG.atError()
            .addKeyValue("method", ctx.method().name())
            .addKeyValue("path", ctx.req().getRequestURI())
            .addKeyValue("requestId", requestId)
            .setCause(e)
            .log("unexpected failure handling S3 request");
        writeError(
            ctx,
            call,
            new S3Exception(
                "InternalError",
                500,
                "We encountered an internal error. Please try again. ("
                    + e.getClass().getSimpleName()
                    + ")"),
            requestId);
      }
    } finally {
      Timer.builder("basin.s3.requests")
          .description("S3 requests by operation and outcome")
          .tag("operation", call == null ? "Unknown" : call.operation)
          .tag("outcome", outcome)
          .register(metrics)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private static boolean isClientGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.eclipse.jetty.io.EofException) {
        return true;
      }
    }
    return false;
  }

  private void dispatch(Call c) throws IOException {
    S3Request r = c.req;
    String m = c.method;
    if (r.bucket() == null) {
      if (m.equals("GET") || m.equals("HEAD")) {
        c.operation = "ListBuckets";
        authenticate(c, null);
        listBuckets(c);
        return;
      }
      throw S3Exception.methodNotAllowed(
          "The specified method is not allowed against this resource.");
    }
    for (String p : r.query().keySet()) {
      if (UNSUPPORTED.contains(p)) {
        c.operation = "Unsupported";
        authenticate(c, null);
        throw S3Exception.notImplemented("the '" + p + "' subresource");
      }
    }
    if (r.key() == null) {
      bucketOperation(c, r, m);
    } else {
      objectOperation(c, r, m);
    }
  }

  private void bucketOperation(Call c, S3Request r, String m) throws IOException {
    switch (m) {
      case "GET" -> {
        if (r.has("location")) {
          c.operation = "GetBucketLocation";
          authenticate(c, null);
          requireBucket(c.bucket());
          sendXml(c, 200, S3Responses.location());
        } else if (r.has("versioning")) {
          c.operation = "GetBucketVersioning";
          authenticate(c, null);
          sendXml(c, 200, S3Xml.versioning(versioning().versioning(c.bucket())));
        } else if (r.has("lifecycle")) {
          c.operation = "GetBucketLifecycleConfiguration";
          authenticate(c, null);
          LifecycleConfiguration lc =
              lifecycle()
                  .lifecycle(c.bucket())
                  .orElseThrow(
                      () ->
                          new S3Exception(
                              "NoSuchLifecycleConfiguration",
                              404,
                              "The lifecycle configuration does not exist",
                              Map.of("BucketName", c.bucket())));
          sendXml(c, 200, S3Xml.lifecycle(lc));
        } else if (r.has("versions")) {
          c.operation = "ListObjectVersions";
          authenticate(c, null);
          listVersions(c);
        } else if (r.has("uploads")) {
          c.operation = "ListMultipartUploads";
          authenticate(c, null);
          listUploads(c);
        } else if (r.has("tagging")) {
          c.operation = "GetBucketTagging";
          authenticate(c, null);
          throw S3Exception.notImplemented("bucket tagging");
        } else if ("2".equals(r.param("list-type"))) {
          c.operation = "ListObjectsV2";
          authenticate(c, null);
          listObjects(c, true);
        } else {
          c.operation = "ListObjects";
          authenticate(c, null);
          listObjects(c, false);
        }
      }
      case "HEAD" -> {
        c.operation = "HeadBucket";
        authenticate(c, null);
        requireBucket(c.bucket());
        c.ctx.res().setHeader("x-amz-bucket-region", "us-east-1");
        sendEmpty(c, 200);
      }
      case "PUT" -> {
        if (r.has("versioning")) {
          c.operation = "PutBucketVersioning";
          byte[] body = readXmlBody(c);
          versioning().setVersioning(c.bucket(), S3Xml.parseVersioning(body));
          sendEmpty(c, 200);
        } else if (r.has("lifecycle")) {
          c.operation = "PutBucketLifecycleConfiguration";
          byte[] body = readXmlBody(c);
          lifecycle().setLifecycle(c.bucket(), S3Xml.parseLifecycle(body));
          sendEmpty(c, 200);
        } else if (r.has("tagging")) {
          c.operation = "PutBucketTagging";
          authenticate(c, null);
          throw S3Exception.notImplemented("bucket tagging");
        } else if (r.query().isEmpty()) {
          c.operation = "CreateBucket";
          byte[] body = readXmlBody(c);
          S3Xml.parseCreateBucket(body);
          String acl = c.header("x-amz-acl");
          if (acl != null && !acl.equals("private")) {
            throw S3Exception.notImplemented("x-amz-acl '" + acl + "' (Basin buckets are private)");
          }
          if ("true".equalsIgnoreCase(c.header("x-amz-bucket-object-lock-enabled"))) {
            throw S3Exception.notImplemented("object lock");
          }
          store.createBucket(c.bucket());
          c.ctx.res().setHeader("Location", "/" + c.bucket());
          sendEmpty(c, 200);
        } else {
          c.operation = "Unsupported";
          authenticate(c, null);
          throw S3Exception.notImplemented("PUT on bucket with ?" + r.query().keySet());
        }
      }
      case "DELETE" -> {
        if (r.has("lifecycle")) {
          c.operation = "DeleteBucketLifecycle";
          authenticate(c, null);
          lifecycle().deleteLifecycle(c.bucket());
          sendEmpty(c, 204);
        } else if (r.has("tagging")) {
          c.operation = "DeleteBucketTagging";
          authenticate(c, null);
          throw S3Exception.notImplemented("bucket tagging");
        } else if (r.query().isEmpty()) {
          c.operation = "DeleteBucket";
          authenticate(c, null);
          store.deleteBucket(c.bucket());
          sendEmpty(c, 204);
        } else {
          c.operation = "Unsupported";
          authenticate(c, null);
          throw S3Exception.notImplemented("DELETE on bucket with ?" + r.query().keySet());
        }
      }
      case "POST" -> {
        if (r.has("delete")) {
          c.operation = "DeleteObjects";
          deleteObjects(c);
        } else {
          c.operation = "Unsupported";
          authenticate(c, null);
          throw S3Exception.notImplemented("POST on a bucket without ?delete (browser uploads)");
        }
      }
      default ->
          throw S3Exception.methodNotAllowed(
              "The specified method is not allowed against this resource.");
    }
  }

  private void objectOperation(Call c, S3Request r, String m) throws IOException {
    switch (m) {
      case "GET" -> {
        if (r.has("tagging")) {
          c.operation = "GetObjectTagging";
          authenticate(c, null);
          ObjectInfo info = store.head(c.bucket(), c.key(), r.nonEmpty("versionId"));
          versionHeader(c, info);
          sendXml(c, 200, S3Xml.tagging(info.metadata().tags()));
        } else if (r.has("uploadId")) {
          c.operation = "ListParts";
          authenticate(c, null);
          listParts(c);
        } else {
          c.operation = "GetObject";
          authenticate(c, null);
          getObject(c, false);
        }
      }
      case "HEAD" -> {
        c.operation = "HeadObject";
        authenticate(c, null);
        getObject(c, true);
      }
      case "PUT" -> {
        if (r.has("tagging")) {
          c.operation = "PutObjectTagging";
          byte[] body = readXmlBody(c);
          putTagging(c, S3Xml.parseTagging(body));
        } else if (r.has("partNumber") && r.has("uploadId")) {
          if (c.header("x-amz-copy-source") != null) {
            c.operation = "UploadPartCopy";
            authenticate(c, null);
            uploadPartCopy(c);
          } else {
            c.operation = "UploadPart";
            uploadPart(c);
          }
        } else if (!r.query().isEmpty() && !onlyParams(r, "versionId", "x-id")) {
          c.operation = "Unsupported";
          authenticate(c, null);
          throw S3Exception.notImplemented("PUT on object with ?" + r.query().keySet());
        } else if (c.header("x-amz-copy-source") != null) {
          c.operation = "CopyObject";
          authenticate(c, null);
          copyObject(c);
        } else {
          c.operation = "PutObject";
          putObject(c);
        }
      }
      case "DELETE" -> {
        if (r.has("tagging")) {
          c.operation = "DeleteObjectTagging";
          authenticate(c, null);
          putTagging(c, Map.of());
        } else if (r.has("uploadId")) {
          c.operation = "AbortMultipartUpload";
          authenticate(c, null);
          store.abortMultipartUpload(c.bucket(), c.key(), r.param("uploadId"));
          sendEmpty(c, 204);
        } else {
          c.operation = "DeleteObject";
          authenticate(c, null);
          DeleteResult d = store.delete(c.bucket(), c.key(), r.nonEmpty("versionId"));
          if (d.deleteMarker()) {
            c.ctx.res().setHeader("x-amz-delete-marker", "true");
          }
          if (d.versionId() != null && !d.versionId().equals(ObjectInfo.NULL_VERSION)) {
            c.ctx.res().setHeader("x-amz-version-id", d.versionId());
          }
          sendEmpty(c, 204);
        }
      }
      case "POST" -> {
        if (r.has("uploads")) {
          c.operation = "CreateMultipartUpload";
          authenticate(c, null);
          MultipartUpload u =
              store.createMultipartUpload(c.bucket(), c.key(), putOptions(c, false));
          sendXml(c, 200, S3Responses.initiateMultipartUpload(u));
        } else if (r.has("uploadId")) {
          c.operation = "CompleteMultipartUpload";
          byte[] body = readXmlBody(c);
          List<CompletedPart> parts = S3Xml.parseCompleteMultipartUpload(body);
          ObjectInfo info =
              store.completeMultipartUpload(c.bucket(), c.key(), r.param("uploadId"), parts);
          versionHeader(c, info);
          String location =
              "http://"
                  + c.header("Host")
                  + "/"
                  + c.bucket()
                  + "/"
                  + S3Responses.encode(c.key(), true);
          sendXml(c, 200, S3Responses.completeMultipartUpload(location, info));
        } else {
          c.operation = "Unsupported";
          authenticate(c, null);
          throw S3Exception.notImplemented("POST on an object without ?uploads or ?uploadId");
        }
      }
      default ->
          throw S3Exception.methodNotAllowed(
              "The specified method is not allowed against this resource.");
    }
  }

  private static boolean onlyParams(S3Request r, String... allowed) {
    for (String k : r.query().keySet()) {
      if (!List.of(allowed).contains(k)) {
        return false;
      }
    }
    return true;
  }

  private SupportsVersioning versioning() {
    if (store instanceof SupportsVersioning v) {
      return v;
    }
    throw S3Exception.notImplemented(
        "versioning (the configured object store does not keep versions)");
  }

  private SupportsObjectTagging tagging() {
    if (store instanceof SupportsObjectTagging t) {
      return t;
    }
    throw S3Exception.notImplemented(
        "object tagging (the configured object store cannot change tags in place)");
  }

  private SupportsLifecycle lifecycle() {
    if (store instanceof SupportsLifecycle l) {
      return l;
    }
    throw S3Exception.notImplemented("lifecycle rules (the configured object store has none)");
  }

  private void requireBucket(String bucket) {
    if (store.bucket(bucket).isEmpty()) {
      throw new S3Exception(
          "NoSuchBucket", 404, "The specified bucket does not exist", Map.of("BucketName", bucket));
    }
  }

  // ---------------------------------------------------------------- authentication and bodies

  /**
   * Verifies the request's signature. {@code body} is the raw body when it was buffered (its signed
   * digest is then checked here), null otherwise.
   */
  private void authenticate(Call c, byte[] body) {
    if (!authEnabled) {
      return;
    }
    byte[] forVerifier = body;
    if (forVerifier == null && !hasBody(c)) {
      forVerifier = new byte[0];
    }
    SignedRequest sr = signedRequest(c.ctx, forVerifier);
    try {
      c.signature = verifier.verifyDetailed(sr);
    } catch (SigV4Exception e) {
      throw S3Exception.of(e);
    }
  }

  /**
   * The request as the verifier sees it, with header values exactly as received: the servlet view
   * normalizes some (Jetty lower-cases the charset of {@code Content-Type}), which would break
   * signatures that cover them.
   */
  static SignedRequest signedRequest(Context ctx, byte[] body) {
    org.eclipse.jetty.ee10.servlet.ServletContextRequest core =
        org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req());
    if (core == null) {
      return Authenticator.signedRequest(ctx, body);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (org.eclipse.jetty.http.HttpField f : core.getHeaders()) {
      headers.computeIfAbsent(f.getName(), n -> new ArrayList<>()).add(f.getValue());
    }
    return new SignedRequest(
        ctx.method().name(), ctx.req().getRequestURI(), ctx.req().getQueryString(), headers, body);
  }

  private static boolean hasBody(Call c) {
    long len = c.ctx.req().getContentLengthLong();
    return len > 0 || c.header("Transfer-Encoding") != null;
  }

  private static boolean isStreaming(Call c) {
    String sha = c.header("x-amz-content-sha256");
    if (sha != null && sha.strip().startsWith("STREAMING-")) {
      return true;
    }
    if (sha != null && !sha.strip().equals("UNSIGNED-PAYLOAD")) {
      // A signed digest covers the raw body: decoding it as aws-chunked would let a replayed
      // request swap the body while the digest check never runs.
      return false;
    }
    String enc = c.header("Content-Encoding");
    return enc != null && enc.toLowerCase(Locale.ROOT).contains("aws-chunked");
  }

  /**
   * Reads, authenticates and verifies a small XML request body: decodes {@code aws-chunked}, checks
   * {@code Content-MD5} and {@code x-amz-checksum-*}.
   */
  private byte[] readXmlBody(Call c) throws IOException {
    long declared = c.ctx.req().getContentLengthLong();
    if (declared > MAX_XML_BYTES) {
      authenticate(c, null);
      throw new S3Exception(
          "MaxMessageLengthExceeded",
          400,
          "Your request was too big: "
              + declared
              + " bytes; at most "
              + MAX_XML_BYTES
              + " are accepted");
    }
    byte[] raw;
    try (InputStream in = c.ctx.req().getInputStream()) {
      raw = in.readNBytes(MAX_XML_BYTES + 1);
      c.bodyRead = true;
    }
    if (raw.length > MAX_XML_BYTES) {
      authenticate(c, null);
      throw new S3Exception(
          "MaxMessageLengthExceeded",
          400,
          "Your request was too big; at most " + MAX_XML_BYTES + " bytes are accepted");
    }
    boolean streaming = isStreaming(c);
    authenticate(c, streaming ? null : raw);
    InputStream in = new java.io.ByteArrayInputStream(raw);
    BodyStream body = bodyStream(c, in, streaming ? decodedLength(c) : raw.length, MAX_XML_BYTES);
    byte[] decoded;
    try {
      decoded = body.stream().readAllBytes();
      body.stream().verify();
    } catch (AwsChunkedInputStream.ChunkException e) {
      throw e.error();
    }
    String md5 = c.header("Content-MD5");
    if (md5 != null) {
      String computed = Base64.getEncoder().encodeToString(md5(decoded));
      if (!computed.equals(md5.strip())) {
        throw S3Exception.badDigest(
            "The Content-MD5 you specified did not match what we received (computed "
                + computed
                + ")");
      }
    }
    return decoded;
  }

  private static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long decodedLength(Call c) {
    String v = c.header("x-amz-decoded-content-length");
    if (v == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(v.strip());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw S3Exception.invalidArgument(
          "x-amz-decoded-content-length must be a non-negative integer",
          "x-amz-decoded-content-length",
          v);
    }
  }

  /** A body stream and, for an aws-chunked body, its decoder. */
  private record BodyStream(
      VerifyingInputStream stream, AwsChunkedInputStream decoder, long length) {
    S3Exception failure() {
      if (stream.failure() != null) {
        return stream.failure();
      }
      return decoder == null ? null : decoder.failure();
    }
  }

  /**
   * The decoded, verified body of an authenticated request.
   *
   * @param length the decoded length, or -1 if unknown
   */
  private BodyStream bodyStream(Call c, InputStream raw, long length, long maxBytes) {
    String sha = c.header("x-amz-content-sha256");
    sha = sha == null ? null : sha.strip();
    boolean streaming = isStreaming(c);
    AwsChunkedInputStream decoder = null;
    InputStream in = raw;
    if (streaming) {
      AwsChunkedInputStream.ChunkSigner signer = null;
      if (c.signature != null && c.signature.chunkSignaturesRequired()) {
        VerifiedSignature s = c.signature;
        signer =
            new AwsChunkedInputStream.ChunkSigner(
                s.signingKey(), s.amzDate(), s.credentialScope(), s.seedSignature());
      } else if (authEnabled
          && sha != null
          && sha.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
          && c.signature == null) {
        throw new IllegalStateException("signed chunks without a verified signature");
      }
      boolean trailer =
          (sha != null && sha.endsWith("-TRAILER")) || c.header("x-amz-trailer") != null;
      decoder = new AwsChunkedInputStream(raw, signer, trailer, length);
      in = decoder;
    }
    List<VerifyingInputStream.Check> checks = new ArrayList<>();
    if (!streaming && sha != null && sha.length() == 64 && authEnabled) {
      String expected = sha.toLowerCase(Locale.ROOT);
      checks.add(
          new VerifyingInputStream.Check(
              new HexSha256(),
              () -> expected,
              (exp, got) ->
                  new S3Exception(
                      "XAmzContentSHA256Mismatch",
                      400,
                      "The provided 'x-amz-content-sha256' header does not match what was computed.",
                      Map.of("ClientComputedContentSHA256", exp, "S3ComputedContentSHA256", got))));
    }
    for (Checksums.Algorithm a : Checksums.Algorithm.values()) {
      String headerValue = c.header(a.header());
      if (headerValue != null) {
        checks.add(checksumCheck(a, headerValue.strip(), null));
      }
    }
    String trailerNames = c.header("x-amz-trailer");
    if (trailerNames != null) {
      for (String name : trailerNames.split(",")) {
        Checksums.Algorithm a = Checksums.Algorithm.ofHeader(name.strip());
        if (a != null && c.header(a.header()) == null) {
          if (decoder == null) {
            throw S3Exception.invalidRequest(
                "x-amz-trailer needs an aws-chunked body (x-amz-content-sha256: STREAMING-…-TRAILER)");
          }
          checks.add(checksumCheck(a, null, decoder));
        }
      }
    }
    AwsChunkedInputStream d = decoder;
    Runnable finish =
        d == null
            ? null
            : () -> {
              try {
                d.finish();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            };
    return new BodyStream(
        new VerifyingInputStream(in, length, maxBytes, checks, finish), decoder, length);
  }

  private static VerifyingInputStream.Check checksumCheck(
      Checksums.Algorithm a, String headerValue, AwsChunkedInputStream decoder) {
    return new VerifyingInputStream.Check(
        a.newDigest(),
        () -> {
          if (headerValue != null) {
            return headerValue;
          }
          String v = decoder.trailers().get(a.header());
          if (v == null) {
            throw new S3Exception(
                "InvalidRequest",
                400,
                "The trailer " + a.header() + " named in x-amz-trailer was not sent");
          }
          return v;
        },
        (exp, got) ->
            new S3Exception(
                "BadDigest",
                400,
                "The "
                    + a.name()
                    + " you specified did not match the calculated checksum (expected "
                    + exp
                    + ", computed "
                    + got
                    + ")"));
  }

  /** SHA-256 as lower-case hex, to compare with {@code x-amz-content-sha256}. */
  private static final class HexSha256 implements Checksums.Digest {
    private final MessageDigest md = AwsChunkedInputStream.newSha256();

    @Override
    public void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    public String base64() {
      return HexFormat.of().formatHex(md.digest());
    }
  }

  /** Runs a store write that reads {@code body}; a body failure wins over the store's error. */
  private <T> T withBody(BodyStream body, java.util.function.Supplier<T> write) {
    try {
      if (body.length() == 0) {
        // The store reads nothing of an empty body, so the final chunk, trailer and checksums
        // would go unchecked: check them before anything is stored.
        try {
          body.stream().readAllBytes();
          body.stream().verify();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return write.get();
    } catch (RuntimeException e) {
      S3Exception f = body.failure();
      if (f != null) {
        throw f;
      }
      if (e instanceof UncheckedIOException u
          && u.getCause() instanceof AwsChunkedInputStream.ChunkException ce) {
        throw ce.error();
      }
      throw e;
    }
  }

  private long streamLength(Call c) {
    if (isStreaming(c)) {
      long decoded = decodedLength(c);
      if (decoded < 0) {
        throw new S3Exception(
            "MissingContentLength",
            411,
            "You must provide x-amz-decoded-content-length with an aws-chunked body");
      }
      return decoded;
    }
    return c.ctx.req().getContentLengthLong();
  }

  // ---------------------------------------------------------------- objects

  private void putObject(Call c) throws IOException {
    authenticate(c, null);
    long length = streamLength(c);
    if (length > MAX_PUT_BYTES) {
      throw new S3Exception(
          "EntityTooLarge",
          400,
          "Your proposed upload of "
              + length
              + " bytes exceeds the maximum allowed object size of "
              + MAX_PUT_BYTES
              + " bytes; use a multipart upload",
          Map.of(
              "ProposedSize",
              Long.toString(length),
              "MaxSizeAllowed",
              Long.toString(MAX_PUT_BYTES)));
    }
    PutOptions options = putOptions(c, true);
    BodyStream body = bodyStream(c, c.ctx.req().getInputStream(), length, MAX_PUT_BYTES);
    c.bodyRead = true;
    ObjectInfo info =
        withBody(body, () -> store.put(c.bucket(), c.key(), body.stream(), length, options));
    c.ctx.res().setHeader("ETag", S3Responses.etag(info.etag()));
    versionHeader(c, info);
    echoChecksums(c);
    sendEmpty(c, 200);
  }

  private static void echoChecksums(Call c) {
    for (Checksums.Algorithm a : Checksums.Algorithm.values()) {
      String v = c.header(a.header());
      if (v != null) {
        c.ctx.res().setHeader(a.header(), v.strip());
      }
    }
  }

  private void uploadPart(Call c) throws IOException {
    authenticate(c, null);
    int partNumber = partNumber(c.req.param("partNumber"));
    long length = streamLength(c);
    if (length > MAX_PUT_BYTES) {
      throw new S3Exception(
          "EntityTooLarge",
          400,
          "A part may be at most " + MAX_PUT_BYTES + " bytes, not " + length);
    }
    String md5 = c.header("Content-MD5");
    BodyStream body = bodyStream(c, c.ctx.req().getInputStream(), length, MAX_PUT_BYTES);
    c.bodyRead = true;
    PartInfo part =
        withBody(
            body,
            () ->
                store.uploadPart(
                    c.bucket(),
                    c.key(),
                    c.req.param("uploadId"),
                    partNumber,
                    body.stream(),
                    length,
                    md5));
    c.ctx.res().setHeader("ETag", S3Responses.etag(part.etag()));
    echoChecksums(c);
    sendEmpty(c, 200);
  }

  private static int partNumber(String v) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= 10_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw S3Exception.invalidArgument(
        "Part number must be an integer between 1 and 10000, inclusive", "partNumber", v);
  }

  private void uploadPartCopy(Call c) throws IOException {
    int partNumber = partNumber(c.req.param("partNumber"));
    CopySource src = copySource(c.header("x-amz-copy-source"));
    checkCopyConditions(c, src);
    String rangeHeader = c.header("x-amz-copy-source-range");
    ByteRange range = rangeHeader == null ? null : S3Ranges.parseCopySourceRange(rangeHeader);
    PartInfo part =
        store.uploadPartCopy(
            c.bucket(),
            c.key(),
            c.req.param("uploadId"),
            partNumber,
            src.bucket(),
            src.ref(),
            range);
    sendXml(c, 200, S3Responses.copyPartResult(part));
  }

  /** A parsed {@code x-amz-copy-source}. */
  record CopySource(String bucket, ObjectRef ref) {}

  static CopySource copySource(String header) {
    String v = header.strip();
    String versionId = null;
    int q = v.indexOf('?');
    if (q >= 0) {
      Map<String, String> params = S3Request.parseQuery(v.substring(q + 1));
      versionId = params.get("versionId");
      v = v.substring(0, q);
    }
    String decoded = S3Request.decode(v);
    if (decoded.startsWith("/")) {
      decoded = decoded.substring(1);
    }
    int slash = decoded.indexOf('/');
    if (slash <= 0 || slash == decoded.length() - 1) {
      throw S3Exception.invalidArgument(
          "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
          "x-amz-copy-source",
          header);
    }
    return new CopySource(
        decoded.substring(0, slash),
        new ObjectRef(
            decoded.substring(slash + 1),
            versionId == null || versionId.isEmpty() ? null : versionId));
  }

  private void checkCopyConditions(Call c, CopySource src) {
    String ifMatch = c.header("x-amz-copy-source-if-match");
    String ifNoneMatch = c.header("x-amz-copy-source-if-none-match");
    Instant ifModified = httpDate(c.header("x-amz-copy-source-if-modified-since"));
    Instant ifUnmodified = httpDate(c.header("x-amz-copy-source-if-unmodified-since"));
    if (ifMatch == null && ifNoneMatch == null && ifModified == null && ifUnmodified == null) {
      return;
    }
    ObjectInfo info = store.head(src.bucket(), src.ref().key(), src.ref().versionId());
    Instant modified = S3Responses.seconds(info.lastModified());
    boolean ok = true;
    if (ifMatch != null) {
      ok = etagMatches(ifMatch, info.etag());
    } else if (ifUnmodified != null && modified.isAfter(ifUnmodified)) {
      ok = false;
    }
    if (ifNoneMatch != null) {
      ok &= !etagMatches(ifNoneMatch, info.etag());
    } else if (ifModified != null && !modified.isAfter(ifModified)) {
      ok = false;
    }
    if (!ok) {
      throw new S3Exception(
          "PreconditionFailed",
          412,
          "At least one of the pre-conditions you specified did not hold",
          Map.of("Condition", "x-amz-copy-source-If-*"));
    }
  }

  private void copyObject(Call c) throws IOException {
    CopySource src = copySource(c.header("x-amz-copy-source"));
    checkCopyConditions(c, src);
    String directive = upper(c.header("x-amz-metadata-directive"), "COPY");
    String taggingDirective = upper(c.header("x-amz-tagging-directive"), "COPY");
    if (!directive.equals("COPY") && !directive.equals("REPLACE")) {
      throw S3Exception.invalidArgument(
          "Unknown metadata directive.", "x-amz-metadata-directive", directive);
    }
    if (!taggingDirective.equals("COPY") && !taggingDirective.equals("REPLACE")) {
      throw S3Exception.invalidArgument(
          "Unknown tagging directive.", "x-amz-tagging-directive", taggingDirective);
    }
    ObjectMetadata metadata = null;
    if (directive.equals("REPLACE") || taggingDirective.equals("REPLACE")) {
      ObjectMetadata fromRequest = metadataFromHeaders(c);
      ObjectMetadata base =
          directive.equals("REPLACE")
              ? fromRequest
              : store.head(src.bucket(), src.ref().key(), src.ref().versionId()).metadata();
      Map<String, String> tags;
      if (taggingDirective.equals("REPLACE")) {
        tags = fromRequest.tags();
      } else {
        tags = store.head(src.bucket(), src.ref().key(), src.ref().versionId()).metadata().tags();
      }
      metadata =
          new ObjectMetadata(
              base.contentType(),
              base.contentEncoding(),
              base.contentDisposition(),
              base.cacheControl(),
              base.contentLanguage(),
              base.user(),
              tags);
    }
    rejectUnsupportedPutHeaders(c);
    ObjectInfo info =
        store.copy(
            new CopyRequest(
                src.bucket(),
                src.ref(),
                c.bucket(),
                c.key(),
                metadata,
                c.header("x-amz-storage-class")));
    if (src.ref().versionId() != null) {
      c.ctx.res().setHeader("x-amz-copy-source-version-id", src.ref().versionId());
    }
    versionHeader(c, info);
    sendXml(c, 200, S3Responses.copyObjectResult(info));
  }

  private static String upper(String v, String dflt) {
    return v == null || v.isBlank() ? dflt : v.strip().toUpperCase(Locale.ROOT);
  }

  /**
   * PutObjectTagging and DeleteObjectTagging: replaces the tags of the version in place (the
   * current one without {@code ?versionId}); its ETag, last-modified time and version id stay.
   */
  private void putTagging(Call c, Map<String, String> tags) {
    ObjectInfo updated = tagging().setTags(c.bucket(), c.key(), c.req.nonEmpty("versionId"), tags);
    versionHeader(c, updated);
    sendEmpty(c, c.method.equals("DELETE") ? 204 : 200);
  }

  private void getObject(Call c, boolean head) throws IOException {
    if (c.req.has("partNumber")) {
      throw S3Exception.notImplemented("reading one part of an object (?partNumber)");
    }
    String versionId = c.req.nonEmpty("versionId");
    ByteRange range = S3Ranges.parse(c.header("Range"));
    if (head) {
      ObjectInfo info = store.head(c.bucket(), c.key(), versionId);
      if (!conditionsHold(c, info)) {
        return;
      }
      ByteRange.Resolved resolved = null;
      if (range != null) {
        resolved = resolveOrFail(c, range, info);
      }
      objectHeaders(c, info, resolved);
      c.ctx.status(resolved == null ? 200 : 206);
      c.ctx.res().setStatus(resolved == null ? 200 : 206);
      c.ctx.res().setContentLengthLong(resolved == null ? info.size() : resolved.length());
      return;
    }
    ObjectContent content;
    try {
      content = store.get(c.bucket(), c.key(), new GetOptions(versionId, range));
    } catch (ObjectStoreException e) {
      if (e.reason() == ObjectStoreException.Reason.INVALID_RANGE) {
        ObjectInfo info = store.head(c.bucket(), c.key(), versionId);
        c.ctx.res().setHeader("Content-Range", "bytes */" + info.size());
        throw new S3Exception(
            "InvalidRange",
            416,
            "The requested range is not satisfiable",
            Map.of(
                "RangeRequested",
                range.toString(),
                "ActualObjectSize",
                Long.toString(info.size())));
      }
      throw e;
    }
    try (content) {
      ObjectInfo info = content.info();
      if (!conditionsHold(c, info)) {
        return;
      }
      objectHeaders(c, info, content.range());
      int status = content.range() == null ? 200 : 206;
      c.ctx.status(status);
      c.ctx.res().setStatus(status);
      c.ctx.res().setContentLengthLong(content.length());
      OutputStream out = c.ctx.res().getOutputStream();
      // Large writes: Jetty sends each write as it comes, and 8 KiB writes cost a syscall each.
      byte[] buffer = new byte[(int) Math.min(256 * 1024, Math.max(1, content.length()))];
      InputStream in = content.stream();
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
      }
      out.flush();
    }
  }

  /**
   * Whether the delete marker is the object the request is about (GetObject, HeadObject, object
   * tagging), not the source of a copy, which S3 answers with a plain InvalidRequest.
   */
  private static boolean isTargetOf(Call c, DeleteMarkerException e) {
    return !c.operation.equals("CopyObject")
        && !c.operation.equals("UploadPartCopy")
        && e.marker().bucket().equals(c.bucket())
        && e.marker().key().equals(c.key());
  }

  /**
   * S3's answer to a request about an object that hit a delete marker, with {@code
   * x-amz-delete-marker} and the marker's {@code x-amz-version-id} (which {@link #writeError}
   * keeps): 404 NoSuchKey when the marker is the current version, 405 MethodNotAllowed (with {@code
   * Last-Modified}) when it was asked for by {@code ?versionId}. HEAD answers carry no body.
   */
  private static S3Exception deleteMarkerAnswer(Call c, DeleteMarkerException e) {
    ObjectInfo marker = e.marker();
    c.ctx.res().setHeader("x-amz-delete-marker", "true");
    c.ctx.res().setHeader("x-amz-version-id", marker.versionId());
    if (e.current()) {
      return S3Exception.of(e, c.bucket(), c.key());
    }
    c.ctx
        .res()
        .setHeader(
            "Last-Modified", IMF_FIXDATE.format(marker.lastModified().atZone(ZoneOffset.UTC)));
    Map<String, String> details = new LinkedHashMap<>();
    details.put("Method", c.method);
    details.put("ResourceType", "DeleteMarker");
    return new S3Exception(
        "MethodNotAllowed",
        405,
        "The specified method is not allowed against this resource.",
        details);
  }

  private static ByteRange.Resolved resolveOrFail(Call c, ByteRange range, ObjectInfo info) {
    try {
      return range.resolve(info.size());
    } catch (ObjectStoreException e) {
      c.ctx.res().setHeader("Content-Range", "bytes */" + info.size());
      throw new S3Exception("InvalidRange", 416, "The requested range is not satisfiable");
    }
  }

  /**
   * Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since as S3 does;
   * answers 304 itself (no body) and throws 412.
   *
   * @return true if the object should be sent
   */
  private boolean conditionsHold(Call c, ObjectInfo info) {
    String ifMatch = c.header("If-Match");
    String ifNoneMatch = c.header("If-None-Match");
    Instant ifModified = httpDate(c.header("If-Modified-Since"));
    Instant ifUnmodified = httpDate(c.header("If-Unmodified-Since"));
    Instant modified = S3Responses.seconds(info.lastModified());
    if (ifMatch != null) {
      if (!etagMatches(ifMatch, info.etag())) {
        throw new S3Exception(
            "PreconditionFailed",
            412,
            "At least one of the pre-conditions you specified did not hold",
            Map.of("Condition", "If-Match"));
      }
    } else if (ifUnmodified != null && modified.isAfter(ifUnmodified)) {
      throw new S3Exception(
          "PreconditionFailed",
          412,
          "At least one of the pre-conditions you specified did not hold",
          Map.of("Condition", "If-Unmodified-Since"));
    }
    boolean notModified;
    if (ifNoneMatch != null) {
      notModified = etagMatches(ifNoneMatch, info.etag());
    } else {
      notModified = ifModified != null && !modified.isAfter(ifModified);
    }
    if (notModified) {
      c.ctx.res().setHeader("ETag", S3Responses.etag(info.etag()));
      c.ctx
          .res()
          .setHeader(
              "Last-Modified", IMF_FIXDATE.format(info.lastModified().atZone(ZoneOffset.UTC)));
      versionHeader(c, info);
      sendEmpty(c, 304);
      return false;
    }
    return true;
  }

  static boolean etagMatches(String header, String etag) {
    for (String candidate : header.split(",")) {
      String t = candidate.strip();
      if (t.equals("*") || S3Xml.unquote(t).equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** An HTTP date, or null if absent or unparseable (S3 ignores such conditions). */
  static Instant httpDate(String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Instant.from(HTTP_DATE.parse(v.strip()));
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(v.strip());
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private void objectHeaders(Call c, ObjectInfo info, ByteRange.Resolved range) {
    var res = c.ctx.res();
    ObjectMetadata m = info.metadata();
    res.setHeader("ETag", S3Responses.etag(info.etag()));
    res.setHeader("Last-Modified", IMF_FIXDATE.format(info.lastModified().atZone(ZoneOffset.UTC)));
    res.setHeader("Accept-Ranges", "bytes");
    // Objects share the console's origin: an uploaded HTML or SVG file must never run script with
    // the console's session cookie, nor be sniffed into something executable.
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Security-Policy", "sandbox");
    res.setHeader("Content-Type", override(c, "response-content-type", m.contentType()));
    setIf(c, "Content-Encoding", override(c, "response-content-encoding", m.contentEncoding()));
    setIf(
        c,
        "Content-Disposition",
        override(c, "response-content-disposition", m.contentDisposition()));
    setIf(c, "Cache-Control", override(c, "response-cache-control", m.cacheControl()));
    setIf(c, "Content-Language", override(c, "response-content-language", m.contentLanguage()));
    setIf(c, "Expires", c.req.param("response-expires"));
    for (Map.Entry<String, String> e : new TreeMap<>(m.user()).entrySet()) {
      res.setHeader("x-amz-meta-" + e.getKey(), e.getValue());
    }
    if (!m.tags().isEmpty()) {
      res.setHeader("x-amz-tagging-count", Integer.toString(m.tags().size()));
    }
    if (info.storageClass() != null && !info.storageClass().equals(ObjectInfo.STANDARD)) {
      res.setHeader("x-amz-storage-class", info.storageClass());
    }
    if (info.parts() > 0 && c.req.has("partNumber")) {
      res.setHeader("x-amz-mp-parts-count", Integer.toString(info.parts()));
    }
    versionHeader(c, info);
    if (range != null) {
      res.setHeader("Content-Range", S3Ranges.contentRange(range));
    }
  }

  private static String override(Call c, String param, String value) {
    String o = c.req.param(param);
    return o != null ? o : value;
  }

  private static void setIf(Call c, String name, String value) {
    if (value != null) {
      c.ctx.res().setHeader(name, value);
    }
  }

  private static void versionHeader(Call c, ObjectInfo info) {
    if (info.versionId() != null && !info.versionId().equals(ObjectInfo.NULL_VERSION)) {
      c.ctx.res().setHeader("x-amz-version-id", info.versionId());
    }
  }

  private PutOptions putOptions(Call c, boolean conditional) {
    rejectUnsupportedPutHeaders(c);
    boolean ifNoneMatchAny = false;
    String ifNoneMatch = c.header("If-None-Match");
    if (ifNoneMatch != null) {
      if (!conditional || !ifNoneMatch.strip().equals("*")) {
        throw S3Exception.notImplemented("If-None-Match other than '*' on a write");
      }
      ifNoneMatchAny = true;
    }
    if (c.header("If-Match") != null) {
      throw S3Exception.notImplemented("If-Match on a write");
    }
    String md5 = c.header("Content-MD5");
    return new PutOptions(
        metadataFromHeaders(c),
        md5 == null ? null : md5.strip(),
        ifNoneMatchAny,
        c.header("x-amz-storage-class"));
  }

  private static void rejectUnsupportedPutHeaders(Call c) {
    for (String h :
        List.of(
            "x-amz-server-side-encryption",
            "x-amz-server-side-encryption-customer-algorithm",
            "x-amz-object-lock-mode",
            "x-amz-website-redirect-location")) {
      if (c.header(h) != null) {
        throw S3Exception.notImplemented("the " + h + " header");
      }
    }
    String acl = c.header("x-amz-acl");
    if (acl != null && !acl.equals("private") && !acl.equals("bucket-owner-full-control")) {
      throw S3Exception.notImplemented("x-amz-acl '" + acl + "' (Basin objects are private)");
    }
  }

  /** Content headers, {@code x-amz-meta-*} and {@code x-amz-tagging} of a write. */
  static ObjectMetadata metadataFromHeaders(Context ctx) {
    Map<String, String> user = new LinkedHashMap<>();
    var names = ctx.req().getHeaderNames();
    while (names.hasMoreElements()) {
      String n = names.nextElement();
      String lower = n.toLowerCase(Locale.ROOT);
      if (lower.startsWith("x-amz-meta-") && lower.length() > "x-amz-meta-".length()) {
        user.put(lower.substring("x-amz-meta-".length()), ctx.req().getHeader(n));
      }
    }
    Map<String, String> tags = new LinkedHashMap<>();
    String tagging = ctx.header("x-amz-tagging");
    if (tagging != null && !tagging.isBlank()) {
      for (String pair : tagging.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = formDecode(eq < 0 ? pair : pair.substring(0, eq));
        String v = eq < 0 ? "" : formDecode(pair.substring(eq + 1));
        if (tags.put(k, v) != null) {
          throw S3Exception.invalidArgument(
              "Cannot provide multiple Tags with the same key", "x-amz-tagging", tagging);
        }
      }
      S3Xml.checkTags(tags);
    }
    return new ObjectMetadata(
        ctx.header("Content-Type"),
        contentEncoding(ctx.header("Content-Encoding")),
        ctx.header("Content-Disposition"),
        ctx.header("Cache-Control"),
        ctx.header("Content-Language"),
        user,
        tags);
  }

  private ObjectMetadata metadataFromHeaders(Call c) {
    return metadataFromHeaders(c.ctx);
  }

  private static String formDecode(String s) {
    try {
      return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw S3Exception.invalidArgument(
          "The x-amz-tagging header is not URL-encoded", "x-amz-tagging", s);
    }
  }

  /** The stored Content-Encoding: the request's without the {@code aws-chunked} transfer coding. */
  static String contentEncoding(String header) {
    if (header == null) {
      return null;
    }
    List<String> kept = new ArrayList<>();
    for (String coding : header.split(",")) {
      String t = coding.strip();
      if (!t.isEmpty() && !t.equalsIgnoreCase("aws-chunked")) {
        kept.add(t);
      }
    }
    return kept.isEmpty() ? null : String.join(", ", kept);
  }

  // ---------------------------------------------------------------- listings

  private void listBuckets(Call c) {
    List<BucketInfo> buckets = store.listBuckets();
    sendXml(c, 200, S3Responses.listBuckets(buckets, owner));
  }

  private static int maxKeys(S3Request r, String name) {
    String v = r.nonEmpty(name);
    if (v == null) {
      return 1000;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Math.min(n, 1000);
    } catch (NumberFormatException e) {
      throw S3Exception.invalidArgument(
          "Provided " + name + " not an integer or within integer range", name, v);
    }
  }

  private static boolean urlEncoding(S3Request r) {
    String enc = r.param("encoding-type");
    if (enc == null || enc.isEmpty()) {
      return false;
    }
    if (enc.equals("url")) {
      return true;
    }
    throw S3Exception.invalidArgument(
        "Invalid Encoding Method specified in Request", "encoding-type", enc);
  }

  private void listObjects(Call c, boolean v2) {
    S3Request r = c.req;
    int maxKeys = maxKeys(r, "max-keys");
    boolean url = urlEncoding(r);
    String prefix = r.param("prefix") == null ? "" : r.param("prefix");
    String delimiter = r.nonEmpty("delimiter");
    String token = v2 ? r.nonEmpty("continuation-token") : null;
    String startAfterParam = v2 ? r.nonEmpty("start-after") : null;
    String marker = v2 ? null : r.nonEmpty("marker");
    String startAfter =
        v2 ? (token != null ? S3Responses.startAfterOf(token) : startAfterParam) : marker;
    ListPage page;
    if (maxKeys == 0) {
      requireBucket(c.bucket());
      page = new ListPage(List.of(), List.of(), false, null);
    } else {
      page = store.list(c.bucket(), new ListRequest(prefix, delimiter, startAfter, maxKeys));
    }
    S3Responses.ListParams p =
        new S3Responses.ListParams(
            c.bucket(),
            prefix,
            delimiter,
            maxKeys,
            url,
            "true".equalsIgnoreCase(r.param("fetch-owner")),
            marker,
            token,
            startAfterParam);
    sendXml(
        c,
        200,
        v2 ? S3Responses.listObjectsV2(p, page, owner) : S3Responses.listObjectsV1(p, page, owner));
  }

  private void listVersions(Call c) {
    S3Request r = c.req;
    int maxKeys = maxKeys(r, "max-keys");
    boolean url = urlEncoding(r);
    String prefix = r.param("prefix") == null ? "" : r.param("prefix");
    String keyMarker = r.nonEmpty("key-marker");
    String versionIdMarker = r.nonEmpty("version-id-marker");
    if (versionIdMarker != null && keyMarker == null) {
      throw S3Exception.invalidArgument(
          "A version-id marker cannot be specified without a key marker.",
          "version-id-marker",
          versionIdMarker);
    }
    VersionPage page;
    if (maxKeys == 0) {
      requireBucket(c.bucket());
      page = new VersionPage(List.of(), List.of(), false, null, null);
    } else {
      page =
          versioning()
              .listVersions(
                  c.bucket(),
                  new VersionListRequest(
                      prefix, r.nonEmpty("delimiter"), keyMarker, versionIdMarker, maxKeys));
    }
    S3Responses.VersionParams p =
        new S3Responses.VersionParams(
            c.bucket(), prefix, r.nonEmpty("delimiter"), maxKeys, url, keyMarker, versionIdMarker);
    sendXml(c, 200, S3Responses.listVersions(p, page, owner));
  }

  private void listUploads(Call c) {
    S3Request r = c.req;
    if (r.nonEmpty("delimiter") != null) {
      throw S3Exception.notImplemented("ListMultipartUploads with a delimiter");
    }
    int max = maxKeys(r, "max-uploads");
    boolean url = urlEncoding(r);
    String prefix = r.param("prefix") == null ? "" : r.param("prefix");
    String keyMarker = r.nonEmpty("key-marker");
    String uploadIdMarker = r.nonEmpty("upload-id-marker");
    UploadsPage page;
    if (max == 0) {
      requireBucket(c.bucket());
      page = new UploadsPage(List.of(), false, null, null);
    } else {
      page =
          store.listMultipartUploads(
              c.bucket(), new UploadsRequest(prefix, keyMarker, uploadIdMarker, max));
    }
    sendXml(
        c,
        200,
        S3Responses.listMultipartUploads(
            c.bucket(), prefix, keyMarker, uploadIdMarker, max, url, page, owner));
  }

  private void listParts(Call c) {
    S3Request r = c.req;
    int max = maxKeys(r, "max-parts");
    String markerText = r.nonEmpty("part-number-marker");
    int marker = 0;
    if (markerText != null) {
      try {
        marker = Integer.parseInt(markerText);
        if (marker < 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw S3Exception.invalidArgument(
            "Provided part-number-marker not an integer or within integer range",
            "part-number-marker",
            markerText);
      }
    }
    PartsPage page =
        store.listParts(c.bucket(), c.key(), r.param("uploadId"), marker, Math.max(max, 1));
    sendXml(c, 200, S3Responses.listParts(page, marker, max, owner));
  }

  private void deleteObjects(Call c) throws IOException {
    byte[] body = readXmlBody(c);
    if (c.header("Content-MD5") == null && !hasChecksumHeader(c)) {
      throw S3Exception.invalidRequest(
          "Missing required header for this request: Content-MD5 (or an x-amz-checksum-* header)");
    }
    S3Xml.DeleteRequest req = S3Xml.parseDelete(body);
    List<DeleteOutcome> outcomes = store.deleteAll(c.bucket(), req.objects());
    sendXml(c, 200, S3Responses.deleteResult(outcomes, req.quiet()));
  }

  private static boolean hasChecksumHeader(Call c) {
    for (Checksums.Algorithm a : Checksums.Algorithm.values()) {
      if (c.header(a.header()) != null) {
        return true;
      }
    }
    String trailer = c.header("x-amz-trailer");
    return trailer != null && trailer.contains("x-amz-checksum-");
  }

  // ---------------------------------------------------------------- answers

  private static void sendXml(Call c, int status, byte[] xml) {
    c.ctx.status(status);
    var res = c.ctx.res();
    res.setStatus(status);
    res.setContentType(XML);
    res.setContentLength(xml.length);
    if (c.method.equals("HEAD")) {
      return;
    }
    try {
      OutputStream out = res.getOutputStream();
      out.write(xml);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sendEmpty(Call c, int status) {
    c.ctx.status(status);
    c.ctx.res().setStatus(status);
    if (status != 304 && status != 204) {
      c.ctx.res().setContentLength(0);
    }
  }

  private static void writeError(Context ctx, Call call, S3Exception e, String requestId) {
    var res = ctx.res();
    if (res.isCommitted()) {
      LOG.atWarn()
          .addKeyValue("code", e.code())
          .log("S3 error after the answer started; closing the connection: " + e.getMessage());
      return;
    }
    String range = res.getHeader("Content-Range");
    String deleteMarker = res.getHeader("x-amz-delete-marker");
    String versionId = res.getHeader("x-amz-version-id");
    String lastModified = res.getHeader("Last-Modified");
    res.reset();
    res.setHeader("x-amz-request-id", requestId);
    res.setHeader("x-amz-id-2", requestId);
    if (e.status() == 416 && range != null) {
      res.setHeader("Content-Range", range);
    }
    if (deleteMarker != null) {
      res.setHeader("x-amz-delete-marker", deleteMarker);
      if (versionId != null) {
        res.setHeader("x-amz-version-id", versionId);
      }
      if (lastModified != null) {
        res.setHeader("Last-Modified", lastModified);
      }
    }
    if (e.status() == 405) {
      res.setHeader("Allow", "DELETE");
    }
    if (call != null && !call.bodyRead) {
      drainSmallBody(ctx);
    }
    ctx.status(e.status());
    res.setStatus(e.status());
    String resource = ctx.req().getRequestURI();
    if (ctx.method().name().equals("HEAD")) {
      res.setContentLength(0);
      return;
    }
    byte[] body = S3Responses.error(e, resource, requestId);
    res.setContentType(XML);
    res.setContentLength(body.length);
    try {
      OutputStream out = res.getOutputStream();
      out.write(body);
      out.flush();
    } catch (IOException io) {
      LOG.atDebug().setCause(io).log("cannot send S3 error answer");
    }
  }

  /**
   * Reads and discards a request body of up to a few MiB that was not read, so that a client that
   * sends its whole body before reading the answer sees the error rather than a reset connection.
   * Larger bodies are left to Jetty, which closes the connection.
   */
  private static void drainSmallBody(Context ctx) {
    long len = ctx.req().getContentLengthLong();
    if (len <= 0 || len > 8L * 1024 * 1024 || ctx.header("Expect") != null) {
      return;
    }
    try {
      ctx.req().getInputStream().skipNBytes(len);
    } catch (IOException | RuntimeException e) {
      // the client went away or sent less; the answer still goes out if it can
    }
  }
}
