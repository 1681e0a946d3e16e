package dev.basin.it;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.SigV4Signer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hand-made requests to the AWS-protocol endpoint ({@code POST /}), signed with Basin's {@link
 * SigV4Signer} or deliberately not, in JSON 1.1 or CBOR 1.1, for the cases an SDK never sends.
 */
public final class RawAws {
  /** The two encodings of the AWS JSON protocol family. */
  public enum Format {
    JSON("application/x-amz-json-1.1", new ObjectMapper(new JsonFactory())),
    CBOR("application/x-amz-cbor-1.1", new ObjectMapper(new CBORFactory()));

    public final String contentType;
    public final ObjectMapper mapper;

    Format(String contentType, ObjectMapper mapper) {
      this.contentType = contentType;
      this.mapper = mapper;
    }

    /** Encodes a request object (binary nodes become base64 in JSON, byte strings in CBOR). */
    public byte[] encode(JsonNode node) {
      try {
        return mapper.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static final String TARGET_PREFIX = "Kinesis_20131202.";

  private final URI endpoint;
  private final Credentials credentials;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  public RawAws(URI endpoint, Credentials credentials) {
    this.endpoint = endpoint.resolve("/");
    this.credentials = credentials;
  }

  /** A new empty request object. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** An answer: status, content type, raw body, and the body decoded by its content type. */
  public record Response(int status, Map<String, String> headers, byte[] body, JsonNode json) {
    public String type() {
      return json == null ? null : json.path("__type").asText(null);
    }

    public String message() {
      return json == null ? null : json.path("message").asText(null);
    }

    public String contentType() {
      return headers.get("content-type");
    }

    @Override
    public String toString() {
      return "HTTP "
          + status
          + " "
          + headers.get("content-type")
          + " "
          + (json != null ? json : new String(body));
    }
  }

  /** Calls operation {@code op} with {@code body} encoded in {@code format}, properly signed. */
  public Response call(Format format, String op, JsonNode body) {
    return send(format.contentType, TARGET_PREFIX + op, format.encode(body), credentials, Map.of());
  }

  /**
   * Sends raw bytes, signed with the server's key pair. {@code target} null leaves the header out.
   */
  public Response send(String contentType, String target, byte[] body) {
    return send(contentType, target, body, credentials, Map.of());
  }

  /**
   * Sends raw bytes signed with {@code signWith} (null: unsigned), then adds {@code extra} headers
   * after signing (use to tamper with a signed request).
   */
  public Response send(
      String contentType,
      String target,
      byte[] body,
      Credentials signWith,
      Map<String, String> extra) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    if (target != null) {
      headers.put("X-Amz-Target", target);
    }
    if (signWith != null) {
      headers.putAll(
          new SigV4Signer(signWith, "us-east-1", "kinesis")
              .sign("POST", endpoint, headers, body, Instant.now()));
    }
    headers.putAll(extra);
    return post(headers, body);
  }

  /** POSTs exactly these headers and body to {@code /}. */
  public Response post(Map<String, String> headers, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(
        (k, v) -> {
          if (v != null) {
            b.header(k, v);
          }
        });
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      Map<String, String> h = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(), String.join(",", v)));
      return new Response(r.statusCode(), h, r.body(), decode(h.get("content-type"), r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + endpoint + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * POSTs with {@code Expect: 100-continue} over a plain socket (java.net.http in Java 17 hangs
   * when the answer to an expect-continue request is not 100): sends the body only if the server
   * says 100 Continue, and returns the final answer.
   */
  public Response postExpectingContinue(Map<String, String> headers, byte[] body) {
    try (java.net.Socket socket = new java.net.Socket(endpoint.getHost(), endpoint.getPort())) {
      socket.setSoTimeout(60_000);
      StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
      head.append("Host: ")
          .append(endpoint.getHost())
          .append(':')
          .append(endpoint.getPort())
          .append("\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Content-Length: ").append(body.length).append("\r\n");
      head.append("Expect: 100-continue\r\n");
      head.append("Connection: close\r\n\r\n");
      var out = socket.getOutputStream();
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      Response r = readResponse(in);
      if (r.status() == 100) {
        out.write(body);
        out.flush();
        r = readResponse(in);
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + endpoint + " (Expect: 100-continue) failed", e);
    }
  }

  /**
   * POSTs the body with {@code Transfer-Encoding: chunked} (no Content-Length) over a plain socket,
   * writing on one thread while reading the answer on this one, so an early answer is seen even if
   * the server stops reading.
   */
  public Response postChunked(Map<String, String> headers, byte[] body) {
    try (java.net.Socket socket = new java.net.Socket(endpoint.getHost(), endpoint.getPort())) {
      socket.setSoTimeout(60_000);
      StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
      head.append("Host: ")
          .append(endpoint.getHost())
          .append(':')
          .append(endpoint.getPort())
          .append("\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Transfer-Encoding: chunked\r\n");
      head.append("Connection: close\r\n\r\n");
      var out = socket.getOutputStream();
      Thread writer =
          new Thread(
              () -> {
                try {
                  out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                  for (int off = 0; off < body.length; off += 65536) {
                    int n = Math.min(65536, body.length - off);
                    out.write(
                        (Integer.toHexString(n) + "\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    out.write(body, off, n);
                    out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                  }
                  out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException e) {
                  // the server stopped reading; its answer is what counts
                }
              },
              "chunked-writer");
      writer.setDaemon(true);
      writer.start();
      Response r = readResponse(new java.io.BufferedInputStream(socket.getInputStream()));
      socket.close();
      writer.join(30_000);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("chunked POST " + endpoint + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Response readResponse(java.io.InputStream in) throws IOException {
    String status = readLine(in);
    if (status == null) {
      throw new IOException("connection closed before a status line");
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    Map<String, String> h = new LinkedHashMap<>();
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      h.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
    }
    byte[] body = new byte[0];
    if (h.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(h.get("content-length")));
    }
    return new Response(code, h, body, decode(h.get("content-type"), body));
  }

  private static String readLine(java.io.InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  private static JsonNode decode(String contentType, byte[] body) {
    if (contentType == null || body.length == 0) {
      return null;
    }
    Format f =
        contentType.contains("cbor")
            ? Format.CBOR
            : contentType.contains("json") ? Format.JSON : null;
    if (f == null) {
      return null;
    }
    try {
      return f.mapper.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }
}
