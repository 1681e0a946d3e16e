package dev.basin.server.s3;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.SigV4Signer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small S3 client for Basin's CLI: path-style requests signed with SigV4 (region {@code
 * us-east-1}, service {@code s3}) over {@link HttpClient}. Bodies are streamed with {@code
 * UNSIGNED-PAYLOAD}; XML answers are read with {@link XmlIn}. S3 errors become {@link
 * BasinException}s that carry S3's code and message. Thread-safe.
 */
public final class S3RestClient {
  private static final Set<String> RESTRICTED =
      Set.of("host", "content-length", "connection", "expect");

  private final URI endpoint;
  private final SigV4Signer signer;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  public S3RestClient(URI endpoint, Credentials credentials) {
    String e = endpoint.toString();
    this.endpoint = URI.create(e.endsWith("/") ? e.substring(0, e.length() - 1) : e);
    this.signer = new SigV4Signer(credentials, "us-east-1", "s3");
  }

  /** An object in a listing. */
  public record Entry(String key, long size, Instant lastModified) {}

  /** A page of a listing. */
  public record Page(List<Entry> objects, List<String> prefixes, String nextToken) {}

  /** The buckets as name and creation time. */
  public List<Entry> listBuckets() {
    XmlIn.Element root = xml(send("GET", "/", null, Map.of(), null), "ListAllMyBucketsResult");
    List<Entry> out = new ArrayList<>();
    XmlIn.Element buckets = root.child("Buckets");
    if (buckets != null) {
      for (XmlIn.Element b : buckets.all("Bucket")) {
        out.add(new Entry(b.text("Name"), 0, Instant.parse(b.text("CreationDate"))));
      }
    }
    return out;
  }

  /** One page of ListObjectsV2. */
  public Page list(String bucket, String prefix, String delimiter, String token) {
    StringBuilder q = new StringBuilder("list-type=2");
    if (prefix != null && !prefix.isEmpty()) {
      q.append("&prefix=").append(encode(prefix));
    }
    if (delimiter != null) {
      q.append("&delimiter=").append(encode(delimiter));
    }
    if (token != null) {
      q.append("&continuation-token=").append(encode(token));
    }
    XmlIn.Element root =
        xml(send("GET", "/" + encode(bucket), q.toString(), Map.of(), null), "ListBucketResult");
    List<Entry> objects = new ArrayList<>();
    for (XmlIn.Element c : root.all("Contents")) {
      objects.add(
          new Entry(
              c.text("Key"),
              Long.parseLong(c.text("Size")),
              Instant.parse(c.text("LastModified"))));
    }
    List<String> prefixes = new ArrayList<>();
    for (XmlIn.Element p : root.all("CommonPrefixes")) {
      prefixes.add(p.text("Prefix"));
    }
    String next =
        "true".equals(root.text("IsTruncated")) ? root.text("NextContinuationToken") : null;
    return new Page(objects, prefixes, next);
  }

  public void createBucket(String bucket) {
    send("PUT", "/" + encode(bucket), null, Map.of(), null);
  }

  public void deleteBucket(String bucket) {
    send("DELETE", "/" + encode(bucket), null, Map.of(), null);
  }

  /** Uploads a file in one PUT; returns the ETag. */
  public String put(String bucket, String key, Path file) {
    try {
      return send(
              "PUT",
              objectPath(bucket, key),
              null,
              Map.of(),
              HttpRequest.BodyPublishers.ofFile(file))
          .headers()
          .firstValue("ETag")
          .orElse("");
    } catch (java.io.FileNotFoundException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Uploads bytes in one PUT; returns the ETag. */
  public String put(String bucket, String key, byte[] data, int length) {
    return send(
            "PUT",
            objectPath(bucket, key),
            null,
            Map.of("Content-MD5", base64Md5(data, length)),
            HttpRequest.BodyPublishers.ofByteArray(data, 0, length))
        .headers()
        .firstValue("ETag")
        .orElse("");
  }

  public String createMultipartUpload(String bucket, String key) {
    XmlIn.Element root =
        xml(
            send("POST", objectPath(bucket, key), "uploads", Map.of(), null),
            "InitiateMultipartUploadResult");
    return root.text("UploadId");
  }

  /** Uploads one part from a file region; returns the part's ETag. */
  public String uploadPart(
      String bucket, String key, String uploadId, int part, Path file, long offset, long length) {
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> slice(file, offset, length)), length);
    return uploadPart(bucket, key, uploadId, part, body);
  }

  /** Uploads one part from memory; returns the part's ETag. */
  public String uploadPart(
      String bucket, String key, String uploadId, int part, byte[] data, int length) {
    return uploadPart(
        bucket, key, uploadId, part, HttpRequest.BodyPublishers.ofByteArray(data, 0, length));
  }

  private String uploadPart(
      String bucket, String key, String uploadId, int part, HttpRequest.BodyPublisher body) {
    return send(
            "PUT",
            objectPath(bucket, key),
            "partNumber=" + part + "&uploadId=" + encode(uploadId),
            Map.of(),
            body)
        .headers()
        .firstValue("ETag")
        .orElseThrow(
            () ->
                new BasinException(
                    CommonErrorCode.INTERNAL, "UploadPart answered without an ETag"));
  }

  /** Completes an upload from the parts' ETags (in part order); returns the object's ETag. */
  public String completeMultipartUpload(
      String bucket, String key, String uploadId, List<String> etags) {
    XmlOut x = XmlOut.document("CompleteMultipartUpload");
    for (int i = 0; i < etags.size(); i++) {
      x.start("Part").element("PartNumber", i + 1).element("ETag", etags.get(i)).end();
    }
    XmlIn.Element root =
        xml(
            send(
                "POST",
                objectPath(bucket, key),
                "uploadId=" + encode(uploadId),
                Map.of("Content-Type", "application/xml"),
                HttpRequest.BodyPublishers.ofByteArray(x.toBytes())),
            "CompleteMultipartUploadResult");
    return root.text("ETag");
  }

  public void abortMultipartUpload(String bucket, String key, String uploadId) {
    send("DELETE", objectPath(bucket, key), "uploadId=" + encode(uploadId), Map.of(), null);
  }

  /** Opens an object for reading; the caller closes the stream. */
  public InputStream get(String bucket, String key) {
    HttpResponse<InputStream> r = sendStreaming("GET", objectPath(bucket, key));
    return r.body();
  }

  /** Server-side copy (CopyObject); returns the new ETag. */
  public String copy(String srcBucket, String srcKey, String bucket, String key) {
    XmlIn.Element root =
        xml(
            send(
                "PUT",
                objectPath(bucket, key),
                null,
                Map.of("x-amz-copy-source", "/" + encode(srcBucket) + "/" + encodePath(srcKey)),
                null),
            "CopyObjectResult");
    return root.text("ETag");
  }

  public void delete(String bucket, String key) {
    send("DELETE", objectPath(bucket, key), null, Map.of(), null);
  }

  /**
   * Deletes up to 1000 keys in one DeleteObjects request.
   *
   * @return the keys that could not be deleted, with S3's error code and message
   */
  public Map<String, String> deleteAll(String bucket, List<String> keys) {
    XmlOut x = XmlOut.document("Delete").element("Quiet", true);
    for (String k : keys) {
      x.start("Object").element("Key", k).end();
    }
    byte[] body = x.toBytes();
    XmlIn.Element root =
        xml(
            send(
                "POST",
                "/" + encode(bucket),
                "delete",
                Map.of(
                    "Content-MD5", base64Md5(body, body.length), "Content-Type", "application/xml"),
                HttpRequest.BodyPublishers.ofByteArray(body)),
            "DeleteResult");
    Map<String, String> failed = new LinkedHashMap<>();
    for (XmlIn.Element e : root.all("Error")) {
      failed.put(e.text("Key"), e.text("Code") + ": " + e.text("Message"));
    }
    return failed;
  }

  // ---------------------------------------------------------------- plumbing

  private static InputStream slice(Path file, long offset, long length) {
    try {
      InputStream in = java.nio.file.Files.newInputStream(file);
      in.skipNBytes(offset);
      return new InputStream() {
        long left = length;

        @Override
        public int read() throws IOException {
          if (left <= 0) {
            return -1;
          }
          int b = in.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int n = in.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static String base64Md5(byte[] data, int length) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      md.update(data, 0, length);
      return Base64.getEncoder().encodeToString(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String objectPath(String bucket, String key) {
    return "/" + encode(bucket) + "/" + encodePath(key);
  }

  /** Percent-encodes a query value or path segment the SigV4 way. */
  static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Encodes a key keeping {@code /}. */
  static String encodePath(String key) {
    StringBuilder out = new StringBuilder();
    String[] parts = key.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(encode(parts[i]));
    }
    return out.toString();
  }

  private HttpRequest.Builder request(
      String method,
      String path,
      String query,
      Map<String, String> headers,
      HttpRequest.BodyPublisher body) {
    URI uri = URI.create(endpoint + path + (query == null ? "" : "?" + query));
    Map<String, String> toSign = new LinkedHashMap<>(headers);
    toSign.put("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    Map<String, String> auth = signer.sign(method, uri, toSign, null, Instant.now());
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30));
    toSign.forEach(
        (k, v) -> {
          if (!RESTRICTED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
            b.header(k, v);
          }
        });
    auth.forEach(b::header);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
    return b;
  }

  private HttpResponse<byte[]> send(
      String method,
      String path,
      String query,
      Map<String, String> headers,
      HttpRequest.BodyPublisher body) {
    HttpResponse<byte[]> r;
    try {
      r =
          http.send(
              request(method, path, query, headers, body).build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot reach Basin at " + endpoint + " (is `./basin server` running?): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (r.statusCode() / 100 != 2) {
      throw error(r.statusCode(), r.body(), method, path);
    }
    return r;
  }

  private HttpResponse<InputStream> sendStreaming(String method, String path) {
    HttpResponse<InputStream> r;
    try {
      r =
          http.send(
              request(method, path, null, Map.of(), null).build(),
              HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot reach Basin at " + endpoint + " (is `./basin server` running?): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (r.statusCode() / 100 != 2) {
      byte[] body;
      try (InputStream in = r.body()) {
        body = in.readNBytes(64 * 1024);
      } catch (IOException e) {
        body = new byte[0];
      }
      throw error(r.statusCode(), body, method, path);
    }
    return r;
  }

  private static BasinException error(int status, byte[] body, String method, String path) {
    String code = "HTTP" + status;
    String message = "HTTP " + status;
    if (body != null && body.length > 0) {
      try {
        XmlIn.Element e = XmlIn.parse(body, "Error");
        code = e.text("Code");
        message = e.text("Message");
      } catch (S3Exception ignored) {
        // not an S3 error document
      }
    }
    CommonErrorCode kind =
        status == 404
            ? CommonErrorCode.NOT_FOUND
            : status == 403 || status == 401
                ? CommonErrorCode.UNAUTHENTICATED
                : status >= 500 ? CommonErrorCode.UNAVAILABLE : CommonErrorCode.INVALID_ARGUMENT;
    return new BasinException(
        kind, code + ": " + message + " (" + method + " " + S3Request.decode(path) + ")");
  }

  private static XmlIn.Element xml(HttpResponse<byte[]> r, String root) {
    try {
      return XmlIn.parse(r.body(), root);
    } catch (S3Exception e) {
      throw new BasinException(
          CommonErrorCode.INTERNAL, "unexpected answer from the server: " + e.getMessage());
    }
  }
}
