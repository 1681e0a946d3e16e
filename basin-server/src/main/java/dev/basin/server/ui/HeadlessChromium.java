package dev.basin.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Renders a console page to PNG or PDF with a headless Chromium child process, driven over the
 * DevTools protocol on a private pipe ({@code --remote-debugging-pipe}: file descriptors 3 and 4,
 * connected to two named pipes in a directory only this process can open). Unlike {@code
 * --remote-debugging-port}, no other local process can reach the browser while it holds the user's
 * console session.
 *
 * <p>Why the protocol and not {@code --screenshot} with {@code --virtual-time-budget}: virtual time
 * does pause while fetches are in flight, but the budget is a guess (a slow query and an ECharts
 * layout pass are not network fetches), with a budget shorter than a pending page timer Chromium
 * 156 did not exit at all, and the command line cannot tell a rendered dashboard from a sign-in
 * form or an error page. Over the protocol the renderer waits for the page's own readiness marker
 * (a CSS selector), fails with a clear message when the page refuses the session, and sizes the
 * capture to the page's full height.
 *
 * <p>Each {@link #render} starts a fresh browser with its own temporary profile (deleted
 * afterwards; needs {@code /bin/sh} and {@code mkfifo}, as on any Linux or macOS host) and kills
 * the whole process tree when it returns or its deadline passes. Instances are thread-safe; callers
 * bound the number of concurrent renders.
 */
public final class HeadlessChromium {
  /** The output format. */
  public enum Format {
    PNG,
    PDF
  }

  /** Why a render failed; the message says what to do and ends with Chromium's stderr tail. */
  public static final class RenderException extends RuntimeException {
    RenderException(String message) {
      super(message);
    }
  }

  private static final List<String> CANDIDATES =
      List.of("chromium", "chromium-browser", "google-chrome");
  private static final int MAX_HEIGHT = 16_384;

  /**
   * The most pixels (width × height) one capture may have, about 32 megapixels (a 3840-pixel-wide
   * capture is at most 8,738 pixels tall): a taller page is clipped at the bottom. Bounds the
   * memory that the browser and the server use for one capture.
   */
  public static final long MAX_PIXELS = 32L * 1024 * 1024;

  /**
   * The page's height in CSS pixels: down to the bottom of the dashboard (plus the page's padding)
   * when there is one, so that a short dashboard is not padded to the initial window height.
   */
  private static final String CONTENT_HEIGHT =
      "(() => { const d = document.getElementById('dashboard');"
          + " const h = d ? d.getBoundingClientRect().bottom + window.scrollY + 12"
          + " : document.documentElement.scrollHeight; return Math.ceil(h); })()";

  private static final int STDERR_TAIL = 2_000;
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] PDF_MAGIC = {'%', 'P', 'D', 'F', '-'};

  private final Path binary;
  private final Duration timeout;
  private final boolean noSandbox;

  /**
   * @param binary the Chromium executable
   * @param timeout the longest one render may take, start to finish; the browser is killed then
   * @param noSandbox start Chromium with {@code --no-sandbox} (it cannot sandbox itself as root)
   */
  public HeadlessChromium(Path binary, Duration timeout, boolean noSandbox) {
    this.binary = binary;
    this.timeout = timeout;
    this.noSandbox = noSandbox;
  }

  /**
   * Finds Chromium: the configured path when one is given (it must be an executable file), else
   * {@code /usr/bin/chromium}, else {@code chromium}, {@code chromium-browser} or {@code
   * google-chrome} on the {@code PATH}.
   *
   * @param configured the path from {@code -Dbasin.chromium} or {@code BASIN_CHROMIUM}, or null
   * @param path the {@code PATH} to search, or null
   * @return empty when no usable binary is found
   */
  public static Optional<Path> locate(String configured, String path) {
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured.strip());
      return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    Path usual = Path.of("/usr/bin/chromium");
    if (Files.isExecutable(usual)) {
      return Optional.of(usual);
    }
    if (path != null) {
      for (String name : CANDIDATES) {
        for (String dir : path.split(java.io.File.pathSeparator)) {
          if (dir.isEmpty()) {
            continue;
          }
          Path p = Path.of(dir, name);
          if (Files.isRegularFile(p) && Files.isExecutable(p)) {
            return Optional.of(p);
          }
        }
      }
    }
    return Optional.empty();
  }

  public Path binary() {
    return binary;
  }

  /**
   * Opens {@code url} at {@code width} CSS pixels, waits until {@code readySelector} matches an
   * element, and captures the whole page (up to {@link #MAX_PIXELS}).
   *
   * @return the PNG or PDF file
   * @throws RenderException if Chromium cannot start, the page refuses the session, does not become
   *     ready before the deadline, or the output is not a PNG/PDF
   */
  public byte[] render(URI url, Format format, int width, String readySelector) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Path work;
    try {
      // Created owner-only (rwx------): the profile and the pipes are this process's alone.
      work = Files.createTempDirectory("basin-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary Chromium profile", e);
    }
    StderrTail stderr = new StderrTail();
    Process process = null;
    try {
      Path toChrome = work.resolve("devtools-in");
      Path fromChrome = work.resolve("devtools-out");
      mkfifo(toChrome, fromChrome);
      process = start(work, width, stderr, toChrome, fromChrome);
      try (Cdp cdp = Cdp.open(toChrome, fromChrome, process, deadline, stderr)) {
        try {
          byte[] bytes = drive(cdp, url, format, width, readySelector, deadline, stderr);
          checkMagic(bytes, format, stderr);
          return bytes;
        } catch (RenderException e) {
          throw exitedOr(process, stderr, e);
        } finally {
          try {
            cdp.call(null, "Browser.close", null, 2_000);
          } catch (RenderException e) {
            // The process tree is killed below anyway.
          }
        }
      }
    } finally {
      if (process != null) {
        stop(process);
      }
      deleteTree(work);
    }
  }

  private static void mkfifo(Path... pipes) {
    List<String> cmd = new ArrayList<>(List.of("mkfifo", "-m", "600"));
    for (Path p : pipes) {
      cmd.add(p.toString());
    }
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor() != 0) {
        throw new RenderException("cannot create the DevTools pipes with mkfifo: " + out);
      }
    } catch (IOException e) {
      throw new RenderException(
          "cannot run mkfifo to create the DevTools pipes (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RenderException("the export was interrupted");
    }
  }

  /**
   * When the browser has exited, a failure is explained by its exit status and error output rather
   * than by the broken pipe that revealed it.
   */
  private static RenderException exitedOr(Process process, StderrTail stderr, RenderException e) {
    try {
      process.waitFor(1, TimeUnit.SECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    if (process.isAlive()) {
      return e;
    }
    stderr.awaitEnd();
    return new RenderException(
        "Chromium exited with status " + process.exitValue() + stderr.suffix());
  }

  private Process start(Path work, int width, StderrTail stderr, Path toChrome, Path fromChrome) {
    List<String> cmd = new ArrayList<>();
    // The shell connects the pipes to the descriptors --remote-debugging-pipe uses (3: commands
    // in, 4: answers out), then becomes the browser.
    cmd.addAll(
        List.of(
            "/bin/sh",
            "-c",
            "exec \"$0\" \"$@\" 3<\"$BASIN_DEVTOOLS_IN\" 4>\"$BASIN_DEVTOOLS_OUT\""));
    cmd.add(binary.toString());
    cmd.add("--headless");
    if (noSandbox) {
      // Chromium refuses to start its sandbox as root; only export.chromium-no-sandbox turns it
      // off.
      cmd.add("--no-sandbox");
    }
    cmd.addAll(
        List.of(
            "--disable-gpu",
            "--hide-scrollbars",
            "--mute-audio",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-dev-shm-usage",
            "--user-data-dir=" + work.resolve("profile"),
            "--remote-debugging-pipe",
            "--window-size=" + width + ",900",
            "about:blank"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("BASIN_DEVTOOLS_IN", toChrome.toString());
    pb.environment().put("BASIN_DEVTOOLS_OUT", fromChrome.toString());
    try {
      Process p = pb.start();
      stderr.follow(p.getErrorStream());
      return p;
    } catch (IOException e) {
      throw new RenderException(
          "cannot start Chromium at " + binary + ": " + e.getMessage() + "; check the binary");
    }
  }

  private static byte[] drive(
      Cdp cdp,
      URI url,
      Format format,
      int width,
      String readySelector,
      long deadline,
      StderrTail stderr) {
    ObjectNode target = Json.mapper().createObjectNode().put("url", "about:blank");
    String targetId =
        cdp.call(null, "Target.createTarget", target, remaining(deadline, stderr))
            .path("targetId")
            .asText();
    String session =
        cdp.call(
                null,
                "Target.attachToTarget",
                Json.mapper().createObjectNode().put("targetId", targetId).put("flatten", true),
                remaining(deadline, stderr))
            .path("sessionId")
            .asText();
    metrics(cdp, session, width, 900, deadline, stderr);
    cdp.call(
        session,
        "Emulation.setEmulatedMedia",
        Json.mapper().createObjectNode().put("media", "screen"),
        remaining(deadline, stderr));
    JsonNode nav =
        cdp.call(
            session,
            "Page.navigate",
            Json.mapper().createObjectNode().put("url", url.toString()),
            remaining(deadline, stderr));
    if (nav.hasNonNull("errorText")) {
      throw new RenderException(
          "Chromium could not open "
              + url.getPath()
              + ": "
              + nav.get("errorText").asText()
              + stderr.suffix());
    }
    waitUntilReady(cdp, session, readySelector, deadline, stderr);
    int tallest = (int) Math.min(MAX_HEIGHT, MAX_PIXELS / width);
    int height =
        Math.max(
            100,
            Math.min(
                tallest,
                evaluate(cdp, session, CONTENT_HEIGHT, false, deadline, stderr).asInt(900)));
    metrics(cdp, session, width, height, deadline, stderr);
    // Charts listen for resizes; let them lay out again, then make sure nothing went back to
    // loading.
    waitUntilReady(cdp, session, readySelector, deadline, stderr);
    String data;
    if (format == Format.PNG) {
      data =
          cdp.call(
                  session,
                  "Page.captureScreenshot",
                  Json.mapper()
                      .createObjectNode()
                      .put("format", "png")
                      .put("fromSurface", true)
                      .put("captureBeyondViewport", false),
                  remaining(deadline, stderr))
              .path("data")
              .asText("");
    } else {
      ObjectNode pdf =
          Json.mapper()
              .createObjectNode()
              .put("printBackground", true)
              .put("displayHeaderFooter", false)
              // One page the size of the dashboard, in inches at 96 CSS pixels per inch.
              .put("paperWidth", width / 96.0)
              .put("paperHeight", (height + 1) / 96.0)
              .put("marginTop", 0)
              .put("marginBottom", 0)
              .put("marginLeft", 0)
              .put("marginRight", 0);
      data =
          cdp.call(session, "Page.printToPDF", pdf, remaining(deadline, stderr))
              .path("data")
              .asText("");
    }
    return decode(data);
  }

  /**
   * Decodes base64 straight from the string into an array of the exact size: no byte copy of the
   * (tens of megabytes) text is made on the way.
   */
  private static byte[] decode(String base64) {
    int n = base64.length();
    int padding =
        n > 0 && base64.charAt(n - 1) == '=' ? (n > 1 && base64.charAt(n - 2) == '=' ? 2 : 1) : 0;
    byte[] out = new byte[Math.max(0, n / 4 * 3 - padding)];
    InputStream chars =
        new InputStream() {
          private int i;

          @Override
          public int read() {
            return i < n ? base64.charAt(i++) : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (i >= n) {
              return -1;
            }
            int k = Math.min(len, n - i);
            for (int j = 0; j < k; j++) {
              b[off + j] = (byte) base64.charAt(i++);
            }
            return k;
          }
        };
    try (InputStream in = Base64.getDecoder().wrap(chars)) {
      int read = in.readNBytes(out, 0, out.length);
      if (read != out.length || in.read() >= 0) {
        throw new RenderException("Chromium answered a capture that is not valid base64");
      }
      return out;
    } catch (IOException | IllegalArgumentException e) {
      throw new RenderException("Chromium answered a capture that is not valid base64");
    }
  }

  private static void metrics(
      Cdp cdp, String session, int width, int height, long deadline, StderrTail stderr) {
    cdp.call(
        session,
        "Emulation.setDeviceMetricsOverride",
        Json.mapper()
            .createObjectNode()
            .put("width", width)
            .put("height", height)
            .put("deviceScaleFactor", 1)
            .put("mobile", false),
        remaining(deadline, stderr));
  }

  /**
   * Polls the page until {@code selector} matches, then waits two animation frames so that the
   * charts' last paint is on screen.
   */
  private static void waitUntilReady(
      Cdp cdp, String session, String selector, long deadline, StderrTail stderr) {
    String probe =
        "(() => {"
            + " if (location.pathname === '/ui/print') return 'refused:' +"
            + " (document.body ? document.body.innerText : '').slice(0, 500);"
            + " if (document.querySelector("
            + Json.mapper().valueToTree(selector)
            + ")) return 'ready';"
            + " const s = document.getElementById('signin');"
            + " if (s && !s.hidden) return 'signin';"
            + " return 'wait'; })()";
    String last = "wait";
    while (true) {
      try {
        last = evaluate(cdp, session, probe, false, deadline, stderr).asText("wait");
      } catch (PageException e) {
        // The document was replaced (the print route's redirect): ask again.
        last = "wait";
      }
      if (last.equals("ready")) {
        break;
      }
      if (last.startsWith("refused:")) {
        throw new RenderException(
            "the console refused the print ticket: " + last.substring(8) + stderr.suffix());
      }
      if (last.equals("signin")) {
        throw new RenderException(
            "the console showed its sign-in form instead of the dashboard; the print session was"
                + " not accepted"
                + stderr.suffix());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new RenderException(
            "the dashboard did not finish rendering in time (no element matched "
                + selector
                + "); check that its visuals load in the console"
                + stderr.suffix());
      }
      sleep(100);
    }
    evaluate(
        cdp,
        session,
        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))",
        true,
        deadline,
        stderr);
  }

  private static JsonNode evaluate(
      Cdp cdp, String session, String expression, boolean await, long deadline, StderrTail s) {
    JsonNode r =
        cdp.call(
            session,
            "Runtime.evaluate",
            Json.mapper()
                .createObjectNode()
                .put("expression", expression)
                .put("returnByValue", true)
                .put("awaitPromise", await),
            remaining(deadline, s));
    if (r.has("exceptionDetails")) {
      throw new PageException(r.path("exceptionDetails").path("text").asText("script error"));
    }
    return r.path("result").path("value");
  }

  private static void checkMagic(byte[] bytes, Format format, StderrTail stderr) {
    byte[] magic = format == Format.PNG ? PNG_MAGIC : PDF_MAGIC;
    boolean ok = bytes.length > magic.length;
    for (int i = 0; ok && i < magic.length; i++) {
      ok = bytes[i] == magic[i];
    }
    if (!ok) {
      throw new RenderException(
          "Chromium answered "
              + bytes.length
              + " bytes that are not a "
              + format
              + " file"
              + stderr.suffix());
    }
  }

  /**
   * Whether this process runs as root (the owner of a file it creates), where Chromium cannot
   * sandbox itself.
   */
  public static boolean runningAsRoot() {
    try {
      Path probe = Files.createTempFile("basin-owner-", ".probe");
      try {
        return Files.getOwner(probe).getName().equals("root");
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** Ends the browser and every process it started; waits briefly so the profile can be removed. */
  private static void stop(Process process) {
    List<ProcessHandle> tree = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
    }
  }

  private static void deleteTree(Path dir) {
    // Chromium's helpers may still be writing for a moment after the browser exits: try twice.
    for (int attempt = 0; attempt < 2 && Files.exists(dir); attempt++) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException | UncheckedIOException e) {
        sleep(200);
      }
    }
  }

  private static long remaining(long deadline, StderrTail stderr) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (ms <= 0) {
      throw new RenderException(
          "Chromium did not finish the export in time; the dashboard may be too slow or large"
              + stderr.suffix());
    }
    return ms;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RenderException("the export was interrupted");
    }
  }

  /** A JavaScript error while probing the page. */
  private static final class PageException extends RuntimeException {
    PageException(String message) {
      super(message);
    }
  }

  /**
   * The last {@value #STDERR_TAIL} characters Chromium wrote to stderr, read by a daemon thread.
   */
  private static final class StderrTail {
    private final StringBuilder tail = new StringBuilder();
    private Thread reader;

    /** After the process exited: waits (briefly) until its last output has been read. */
    void awaitEnd() {
      try {
        if (reader != null) {
          reader.join(2_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void follow(InputStream in) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[4096];
                try (in) {
                  int n;
                  while ((n = in.read(buf)) > 0) {
                    synchronized (tail) {
                      tail.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                      if (tail.length() > STDERR_TAIL) {
                        tail.delete(0, tail.length() - STDERR_TAIL);
                      }
                    }
                  }
                } catch (IOException e) {
                  // The process ended.
                }
              },
              "basin-chromium-stderr");
      t.setDaemon(true);
      t.start();
      reader = t;
    }

    String suffix() {
      String s;
      synchronized (tail) {
        s = tail.toString().strip();
      }
      return s.isEmpty() ? "" : "; Chromium's stderr ends with: " + s;
    }
  }

  /**
   * A DevTools protocol connection over the browser's pipes: JSON messages ended by a NUL byte;
   * numbered calls, answered in any order; events are ignored.
   */
  private static final class Cdp implements AutoCloseable {
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final OutputStream out;
    private final InputStream in;
    private volatile String closedBecause;

    private Cdp(OutputStream out, InputStream in) {
      this.out = out;
      this.in = in;
      Thread reader = new Thread(this::read, "basin-chromium-devtools");
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * Opens our ends of the pipes. Opening a named pipe waits for the other side, so it happens on
     * a helper thread while this one watches the process and the deadline.
     */
    static Cdp open(
        Path toChrome, Path fromChrome, Process process, long deadline, StderrTail stderr) {
      CompletableFuture<Cdp> opened = new CompletableFuture<>();
      Thread opener =
          new Thread(
              () -> {
                try {
                  OutputStream w = new FileOutputStream(toChrome.toFile());
                  try {
                    opened.complete(new Cdp(w, new FileInputStream(fromChrome.toFile())));
                  } catch (IOException e) {
                    w.close();
                    throw e;
                  }
                } catch (IOException e) {
                  opened.completeExceptionally(e);
                }
              },
              "basin-chromium-open");
      opener.setDaemon(true);
      opener.start();
      while (true) {
        try {
          return opened.get(50, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          boolean late = System.nanoTime() - deadline > 0;
          if (!process.isAlive() || late) {
            release(toChrome, fromChrome);
            opened.thenAccept(Cdp::close);
            if (late) {
              remaining(deadline, stderr);
            }
            stderr.awaitEnd();
            throw new RenderException(
                "Chromium exited with status "
                    + process.exitValue()
                    + " on start"
                    + stderr.suffix());
          }
        } catch (ExecutionException e) {
          throw new RenderException(
              "cannot open Chromium's DevTools pipes: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          release(toChrome, fromChrome);
          throw new RenderException("the export was interrupted");
        }
      }
    }

    /** Opens and closes the browser's ends, so that a helper thread waiting on ours returns. */
    private static void release(Path toChrome, Path fromChrome) {
      Thread a = new Thread(() -> touch(toChrome, false), "basin-chromium-release");
      Thread b = new Thread(() -> touch(fromChrome, true), "basin-chromium-release");
      a.setDaemon(true);
      b.setDaemon(true);
      a.start();
      b.start();
    }

    private static void touch(Path pipe, boolean write) {
      try {
        if (write) {
          new FileOutputStream(pipe.toFile()).close();
        } else {
          new FileInputStream(pipe.toFile()).close();
        }
      } catch (IOException e) {
        // Nothing waits on it any more.
      }
    }

    JsonNode call(String session, String method, ObjectNode params, long timeoutMs) {
      int id = ids.incrementAndGet();
      ObjectNode msg = Json.mapper().createObjectNode().put("id", id).put("method", method);
      if (params != null) {
        msg.set("params", params);
      }
      if (session != null) {
        msg.put("sessionId", session);
      }
      CompletableFuture<JsonNode> answer = new CompletableFuture<>();
      pending.put(id, answer);
      try {
        if (closedBecause != null) {
          throw new RenderException("Chromium closed the DevTools pipe: " + closedBecause);
        }
        synchronized (out) {
          out.write(msg.toString().getBytes(StandardCharsets.UTF_8));
          out.write(0);
          out.flush();
        }
        JsonNode r = answer.get(timeoutMs, TimeUnit.MILLISECONDS);
        if (r.has("error")) {
          throw new RenderException(
              method + " failed in Chromium: " + r.path("error").path("message").asText());
        }
        return r.path("result");
      } catch (IOException e) {
        throw new RenderException("Chromium closed the DevTools pipe: " + e.getMessage());
      } catch (TimeoutException e) {
        throw new RenderException(
            "Chromium did not answer " + method + " in time; the dashboard may be too slow");
      } catch (ExecutionException e) {
        throw new RenderException(
            "Chromium closed the DevTools pipe: " + e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RenderException("the export was interrupted");
      } finally {
        pending.remove(id);
      }
    }

    private void read() {
      Message message = new Message();
      try (InputStream buffered = new BufferedInputStream(in, 64 * 1024)) {
        int b;
        while ((b = buffered.read()) >= 0) {
          if (b != 0) {
            message.write(b);
            continue;
          }
          JsonNode msg = message.parse();
          if (message.capacity() > 1024 * 1024) {
            // A capture: let its bytes go now rather than keep the buffer for the next message.
            message = new Message();
          } else {
            message.reset();
          }
          CompletableFuture<JsonNode> f =
              msg != null && msg.has("id") ? pending.get(msg.get("id").asInt()) : null;
          if (f != null) {
            f.complete(msg);
          }
        }
        fail("end of stream");
      } catch (IOException e) {
        fail(e.getMessage());
      }
    }

    /** One message's bytes, parsed in place. */
    private static final class Message extends ByteArrayOutputStream {
      JsonNode parse() throws IOException {
        return Json.mapper().readTree(buf, 0, count);
      }

      int capacity() {
        return buf.length;
      }
    }

    private void fail(String why) {
      closedBecause = why;
      pending.values().forEach(f -> f.completeExceptionally(new IOException(why)));
    }

    @Override
    public void close() {
      try {
        out.close();
      } catch (IOException e) {
        // The browser is stopped next.
      }
    }
  }
}
