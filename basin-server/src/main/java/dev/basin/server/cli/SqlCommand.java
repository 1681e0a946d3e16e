package dev.basin.server.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Credentials;
import dev.basin.server.client.BasinApiClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code basin sql}: runs SQL through the server's query service ({@code /api/v1/queries}) and
 * prints the rows as an aligned table, Athena's CSV or JSON. With no SQL and a terminal it opens an
 * interactive shell (history in {@code ~/.basin_sql_history}, statements end with {@code ;}, {@code
 * \q} quits, Ctrl-C cancels the running query); with no SQL and piped input it runs the statements
 * read from standard input.
 */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run SQL on the lake (Athena-style query service): tables are DATABASE.TABLE.",
      "Without SQL: an interactive shell (end statements with ';', \\q quits, Ctrl-C cancels the"
          + " running query), or the statements piped to standard input.",
      "Statement summaries (rows, time, bytes scanned) go to standard error."
    })
final class SqlCommand implements Callable<Integer> {
  private static final String BASE = "/api/v1/queries";
  private static final int WAIT_SECONDS = 20;

  @Mixin ClientOptions client = new ClientOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "SQL",
      description = "Statement(s) to run, separated by ';'")
  String sql;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table (default), csv (Athena's result CSV) or json")
  String format;

  @Option(
      names = {"-d", "--database"},
      paramLabel = "DB",
      description = "Database unqualified table names resolve in")
  String database;

  @Option(
      names = {"-w", "--workgroup"},
      paramLabel = "NAME",
      description = "Workgroup (default: primary)")
  String workgroup;

  @Option(
      names = "--dry-run",
      description = "Plan only: print the files and bytes each table would scan")
  boolean dryRun;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Run the statements in FILE ('-' for standard input)")
  Path file;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "VALUE",
      description =
          "A value for the next positional ? parameter (numbers and true/false as such, otherwise"
              + " text); repeat for more")
  List<String> params = new ArrayList<>();

  @Option(names = "--no-reuse", description = "Run even when an earlier result could answer it")
  boolean noReuse;

  @Option(
      names = "--history-file",
      paramLabel = "FILE",
      hidden = true,
      description = "Shell history (default ~/.basin_sql_history)")
  Path historyFile;

  Map<String, String> env = Map.of();

  /** The query running now, cancelled on Ctrl-C. */
  private volatile String running;

  private BasinApiClient api;

  SqlCommand(Map<String, String> env) {
    this.env = env;
    client.env = env;
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public Integer call() throws IOException {
    format = format.toLowerCase(Locale.ROOT);
    if (!List.of("table", "csv", "json").contains(format)) {
      throw new IllegalArgumentException(
          "--format must be table, csv or json, got '" + format + "'");
    }
    if (sql != null && file != null) {
      throw new IllegalArgumentException("pass SQL or --file, not both");
    }
    api = client.api();
    if (sql != null) {
      return runScript(sql);
    }
    if (file != null) {
      String text =
          file.toString().equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(file, StandardCharsets.UTF_8);
      return runScript(text);
    }
    if (System.console() == null) {
      return runScript(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
    }
    return shell();
  }

  /** Runs the statements of a script in order; stops at the first that does not succeed. */
  private int runScript(String text) {
    List<String> statements = split(text);
    if (statements.isEmpty()) {
      throw new IllegalArgumentException("no SQL statement given");
    }
    Thread hook = new Thread(this::cancelRunning, "basin-sql-cancel");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (String s : statements) {
        if (!runOne(s)) {
          return 1;
        }
      }
      return 0;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down (Ctrl-C): the hook runs
      }
    }
  }

  private void cancelRunning() {
    String id = running;
    if (id != null) {
      try {
        api.delete(BASE + "/" + BasinApiClient.encode(id));
      } catch (RuntimeException e) {
        // best effort: the server's timeout still applies
      }
    }
  }

  /** Runs one statement and prints its result; returns whether it succeeded. */
  private boolean runOne(String statement) {
    if (dryRun) {
      return dryRun(statement);
    }
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("sql", statement);
    if (database != null) {
      body.put("database", database);
    }
    if (workgroup != null) {
      body.put("workgroup", workgroup);
    }
    if (!params.isEmpty()) {
      ArrayNode p = body.putArray("parameters");
      for (String v : params) {
        addParameter(p, v);
      }
    }
    if (noReuse) {
      body.put("reuseResults", false);
    }
    // submit without waiting, so that Ctrl-C can cancel the query by its id from the start
    JsonNode e = api.post(BASE, body.toString(), "application/json");
    String id = e.path("id").asText();
    running = id;
    try {
      while (!isFinal(e.path("state").asText())) {
        e = api.get(BASE + "/" + BasinApiClient.encode(id) + "?waitSeconds=" + WAIT_SECONDS);
      }
    } finally {
      running = null;
    }
    String state = e.path("state").asText();
    if (!state.equals("SUCCEEDED")) {
      err()
          .println(
              (state.equals("CANCELLED") ? "cancelled: " : "error: ")
                  + e.path("stateChangeReason").asText(state));
      return false;
    }
    long rows = printResults(id);
    err().println(summary(e, rows));
    return true;
  }

  private static void addParameter(ArrayNode p, String v) {
    if (v.equals("true") || v.equals("false")) {
      p.add(Boolean.parseBoolean(v));
    } else if (v.matches("-?\\d{1,18}")) {
      p.add(Long.parseLong(v));
    } else if (v.matches("-?\\d+\\.\\d+")) {
      p.add(new java.math.BigDecimal(v));
    } else {
      p.add(v);
    }
  }

  private static boolean isFinal(String state) {
    return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
  }

  /** Prints the result in the chosen format; returns the rows printed, or -1 for none. */
  private long printResults(String id) {
    String path = BASE + "/" + BasinApiClient.encode(id) + "/results";
    JsonNode page = api.get(path + "?maxResults=1000");
    ArrayNode columns = (ArrayNode) page.path("columns");
    if (columns.isEmpty()) {
      if (page.has("updateCount")) {
        out().println(page.get("updateCount").asLong() + " rows written");
      } else {
        out().println("OK");
      }
      return -1;
    }
    if (format.equals("csv")) {
      return downloadCsv(id);
    }
    List<String> names = new ArrayList<>();
    columns.forEach(c -> names.add(c.path("name").asText()));
    long count = 0;
    JsonGenerator json = null;
    List<String[]> table = new ArrayList<>();
    try {
      if (format.equals("json")) {
        json = Json.mapper().getFactory().createGenerator(out());
        json.writeStartArray();
      }
      while (true) {
        for (JsonNode row : page.path("rows")) {
          count++;
          if (json != null) {
            json.writeRaw('\n');
            json.writeStartObject();
            for (int i = 0; i < names.size(); i++) {
              json.writeFieldName(names.get(i));
              json.writeTree(row.get(i));
            }
            json.writeEndObject();
          } else {
            String[] cells = new String[names.size()];
            for (int i = 0; i < cells.length; i++) {
              JsonNode v = row.get(i);
              cells[i] =
                  v == null || v.isNull() ? "NULL" : v.isTextual() ? v.asText() : v.toString();
            }
            table.add(cells);
          }
        }
        String next = page.path("nextToken").asText(null);
        if (next == null) {
          break;
        }
        page = api.get(path + "?maxResults=1000&nextToken=" + BasinApiClient.encode(next));
      }
      if (json != null) {
        json.writeRaw('\n');
        json.writeEndArray();
        json.writeRaw('\n');
        json.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (json == null) {
      printTable(names, table);
    }
    return count;
  }

  private void printTable(List<String> names, List<String[]> rows) {
    int[] widths = new int[names.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = display(names.get(i)).length();
    }
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], display(r[i]).length());
      }
    }
    PrintWriter out = out();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      pad(sb, display(names.get(i)), widths[i], i == widths.length - 1);
    }
    out.println(sb);
    sb.setLength(0);
    for (int i = 0; i < widths.length; i++) {
      pad(sb, "-".repeat(widths[i]), widths[i], i == widths.length - 1);
    }
    out.println(sb);
    for (String[] r : rows) {
      sb.setLength(0);
      for (int i = 0; i < r.length; i++) {
        pad(sb, display(r[i]), widths[i], i == r.length - 1);
      }
      out.println(sb);
    }
  }

  /** A value on one line: line breaks and tabs shown as escapes. */
  private static String display(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
  }

  private static void pad(StringBuilder sb, String s, int width, boolean last) {
    sb.append(s);
    if (!last) {
      sb.append(" ".repeat(width - s.length() + 2));
    }
  }

  /** Streams the result CSV exactly as stored; returns the data rows it holds (lines - 1). */
  private long downloadCsv(String id) {
    Credentials c = client.credentials();
    URI uri = client.endpoint().resolve(BASE + "/" + BasinApiClient.encode(id) + "/results.csv");
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + c.accessKeyId() + ":" + c.secretAccessKey())
            .GET()
            .build();
    try {
      HttpResponse<InputStream> resp =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .build()
              .send(req, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body();
          Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        if (resp.statusCode() != 200) {
          String msg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          throw new IllegalArgumentException("cannot download the result: " + msg);
        }
        PrintWriter out = out();
        char[] buf = new char[64 * 1024];
        long lines = 0;
        int n;
        while ((n = r.read(buf)) > 0) {
          out.write(buf, 0, n);
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              lines++;
            }
          }
        }
        out.flush();
        return Math.max(0, lines - 1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download the result of " + id, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String summary(JsonNode e, long rows) {
    JsonNode s = e.path("statistics");
    StringBuilder sb = new StringBuilder();
    if (rows >= 0) {
      sb.append('(').append(rows).append(rows == 1 ? " row" : " rows").append(", ");
    } else {
      sb.append('(');
    }
    sb.append(String.format(Locale.ROOT, "%.3f s", s.path("totalMillis").asLong() / 1000.0));
    sb.append(", ").append(bytes(s.path("bytesScanned").asLong())).append(" scanned");
    if (e.path("reusedPreviousResult").asBoolean()) {
      sb.append(", reused the result of ").append(e.path("reusedFrom").asText());
    }
    sb.append(", query ").append(e.path("id").asText()).append(')');
    return sb.toString();
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private boolean dryRun(String statement) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("sql", statement);
    if (database != null) {
      body.put("database", database);
    }
    if (workgroup != null) {
      body.put("workgroup", workgroup);
    }
    JsonNode d = api.post(BASE + "/dry-run", body.toString(), "application/json");
    if (format.equals("json")) {
      out().println(d.toString());
      return true;
    }
    List<String> names =
        List.of("table", "version", "files", "files_total", "bytes", "bytes_total");
    List<String[]> rows = new ArrayList<>();
    for (JsonNode t : d.path("tables")) {
      rows.add(
          new String[] {
            t.path("table").asText(),
            t.path("version").asText(),
            t.path("filesPlanned").asText(),
            t.path("filesTotal").asText(),
            t.path("bytesPlanned").asText(),
            t.path("bytesTotal").asText()
          });
    }
    if (format.equals("csv")) {
      PrintWriter out = out();
      out.println(String.join(",", names));
      for (String[] r : rows) {
        out.println(String.join(",", r));
      }
    } else {
      printTable(names, rows);
    }
    String total =
        "would scan "
            + d.path("filesPlanned").asLong()
            + " files, "
            + bytes(d.path("bytesPlanned").asLong())
            + " ("
            + d.path("statementType").asText()
            + ")";
    if (d.has("bytesScannedCutoffPerQuery")) {
      total +=
          d.path("exceedsCutoff").asBoolean()
              ? "; over the workgroup's limit of "
                  + bytes(d.path("bytesScannedCutoffPerQuery").asLong())
                  + ": running it would be cancelled"
              : "; within the workgroup's limit of "
                  + bytes(d.path("bytesScannedCutoffPerQuery").asLong());
    }
    err().println(total);
    return true;
  }

  // ------------------------------------------------------------------ the shell

  private int shell() throws IOException {
    Path history =
        historyFile != null
            ? historyFile
            : Path.of(System.getProperty("user.home"), ".basin_sql_history");
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      LineReader reader =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .appName("basin")
              .variable(LineReader.HISTORY_FILE, history)
              .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
              .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)
              .build();
      PrintWriter tw = terminal.writer();
      tw.println(
          "basin sql: end statements with ';', \\q quits, Ctrl-C cancels the running query"
              + (database == null ? "" : "; database " + database));
      tw.flush();
      StringBuilder buffer = new StringBuilder();
      try {
        while (true) {
          String line;
          try {
            line = reader.readLine(buffer.length() == 0 ? "basin> " : "    -> ");
          } catch (UserInterruptException e) {
            buffer.setLength(0);
            continue;
          } catch (EndOfFileException e) {
            break;
          }
          String trimmed = line.strip();
          if (buffer.length() == 0 && (trimmed.equals("\\q") || trimmed.equals("quit"))) {
            break;
          }
          if (buffer.length() == 0 && trimmed.isEmpty()) {
            continue;
          }
          buffer.append(line).append('\n');
          if (!complete(buffer)) {
            continue;
          }
          List<String> statements = split(buffer.toString());
          buffer.setLength(0);
          for (String s : statements) {
            Terminal.SignalHandler previous =
                terminal.handle(Terminal.Signal.INT, sig -> cancelRunning());
            try {
              runOne(s);
            } catch (BasinApiClient.ApiException | IllegalArgumentException e) {
              err().println("error: " + e.getMessage());
            } finally {
              terminal.handle(Terminal.Signal.INT, previous);
            }
            out().flush();
            err().flush();
          }
        }
      } finally {
        reader.getHistory().save();
      }
    }
    return 0;
  }

  /** Whether the buffer ends a statement: a ';' outside strings, identifiers and comments. */
  static boolean complete(CharSequence text) {
    Scan s = scan(text.toString());
    return s.endsWithTerminator;
  }

  /** Splits a script into statements at ';' outside strings, quoted identifiers and comments. */
  static List<String> split(String text) {
    return scan(text).statements;
  }

  private record Scan(List<String> statements, boolean endsWithTerminator) {}

  private static Scan scan(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean lastWasTerminator = false;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        int j = i + 1;
        while (j < n) {
          if (text.charAt(j) == c) {
            if (j + 1 < n && text.charAt(j + 1) == c) {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        cur.append(text, i, Math.min(n, j + 1));
        i = j + 1;
        lastWasTerminator = false;
      } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        int eol = text.indexOf('\n', i);
        int end = eol < 0 ? n : eol;
        cur.append(text, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int close = text.indexOf("*/", i + 2);
        int end = close < 0 ? n : close + 2;
        cur.append(text, i, end);
        i = end;
        if (close < 0) {
          lastWasTerminator = false;
        }
      } else if (c == ';') {
        String s = cur.toString().strip();
        if (!s.isEmpty()) {
          out.add(s);
        }
        cur.setLength(0);
        i++;
        lastWasTerminator = true;
      } else {
        cur.append(c);
        if (!Character.isWhitespace(c)) {
          lastWasTerminator = false;
        }
        i++;
      }
    }
    String rest = cur.toString().strip();
    if (!rest.isEmpty() && !onlyComments(rest)) {
      out.add(rest);
    }
    return new Scan(out, lastWasTerminator);
  }

  private static boolean onlyComments(String s) {
    try (BufferedReader r = new BufferedReader(new java.io.StringReader(s))) {
      String line;
      while ((line = r.readLine()) != null) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("--")) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
