package dev.basin.it.s3;

import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.SigV4Signer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends S3 requests over a plain socket exactly as given (no path normalization, any header),
 * signed with SigV4 by Basin's signer unless told otherwise. For inputs an SDK would refuse or
 * rewrite.
 */
final class S3Raw {
  private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
  private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

  private final URI endpoint;
  private final Credentials credentials;

  S3Raw(URI endpoint, Credentials credentials) {
    this.endpoint = endpoint;
    this.credentials = credentials;
  }

  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String code() {
      Matcher m = CODE.matcher(text());
      return m.find() ? m.group(1) : null;
    }

    String message() {
      Matcher m = MESSAGE.matcher(text());
      return m.find() ? m.group(1) : null;
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return status + " " + headers + "\n" + text();
    }
  }

  /** Signs with the server's key pair at the current time. */
  Response signed(String method, String rawPathAndQuery, Map<String, String> headers, byte[] body) {
    return signed(method, rawPathAndQuery, headers, body, credentials, Instant.now());
  }

  Response signed(
      String method,
      String rawPathAndQuery,
      Map<String, String> headers,
      byte[] body,
      Credentials keys,
      Instant now) {
    URI uri = URI.create(endpoint + rawPathAndQuery);
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putAll(new SigV4Signer(keys, "us-east-1", "s3").sign(method, uri, headers, body, now));
    return send(method, rawPathAndQuery, all, body);
  }

  /** Sends as given, without signing. */
  Response send(String method, String rawPathAndQuery, Map<String, String> headers, byte[] body) {
    try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
      socket.setSoTimeout(60_000);
      StringBuilder head = new StringBuilder(method + " " + rawPathAndQuery + " HTTP/1.1\r\n");
      head.append("Host: ")
          .append(endpoint.getHost())
          .append(':')
          .append(endpoint.getPort())
          .append("\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()), method.equals("HEAD"));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + rawPathAndQuery + " failed", e);
    }
  }

  private static Response read(InputStream in, boolean head) throws IOException {
    String status = line(in);
    if (status == null) {
      throw new IOException("connection closed before a status line");
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    Map<String, String> h = new LinkedHashMap<>();
    String line;
    while ((line = line(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      h.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    byte[] body = new byte[0];
    if (head || code == 204 || code == 304) {
      return new Response(code, h, body);
    }
    if (h.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(h.get("content-length")));
    } else if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          line(in);
          break;
        }
        out.write(in.readNBytes(n));
        line(in);
      }
      body = out.toByteArray();
    } else {
      body = in.readAllBytes();
    }
    return new Response(code, h, body);
  }

  private static String line(InputStream in) throws IOException {
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
}
