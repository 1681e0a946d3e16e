package dev.basin.server.pgwire;

import dev.basin.server.auth.Credentials;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlSession;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.SqlType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: start-up and authentication, then the simple and extended query protocols
 * until the client terminates. Runs on its own thread; only {@link #cancelStatement()} and {@link
 * #closeSocket()} may be called from other threads.
 */
final class PgConnection implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PgConnection.class);
  private static final int PROTOCOL_3_0 = 196_608;
  private static final int CANCEL_REQUEST = 80_877_102;
  private static final int SSL_REQUEST = 80_877_103;
  private static final int GSSENC_REQUEST = 80_877_104;
  private static final String KNOWN_TYPES = "QPBDECSHXFdcf";

  private final PgWireServer server;
  private final Socket socket;
  private final int pid;
  private final int secretKey;
  private final Map<String, Statement> statements = new HashMap<>();
  private final Map<String, Portal> portals = new LinkedHashMap<>();
  private PgReader in;
  private PgWriter out;
  private PgSession session;
  private volatile SqlSession engineSession;
  private boolean admitted;
  private boolean ignoreTillSync;

  /** A prepared statement: its text, the parameter types the client declared, and its plan. */
  private static final class Statement {
    final String sql;
    final int offset;
    final int[] declaredOids;
    final PgPlan plan;
    int portals;
    boolean closed;
    List<PgColumn> described;

    Statement(String sql, int offset, int[] declaredOids, PgPlan plan) {
      this.sql = sql;
      this.offset = offset;
      this.declaredOids = declaredOids;
      this.plan = plan;
    }

    int parameterCount() {
      return Math.max(declaredOids.length, plan.parameterTypes().size());
    }

    /** The result columns, or null while they depend on the parameters and nobody asked. */
    List<PgColumn> columns() {
      return plan.columnsUnknown() ? described : plan.columns();
    }

    int parameterOid(int i) {
      if (i < declaredOids.length && declaredOids[i] != 0) {
        return declaredOids[i];
      }
      List<SqlType> types = plan.parameterTypes();
      return i < types.size() ? PgTypes.parameterOid(types.get(i)) : PgType.TEXT.oid();
    }

    SqlType engineType(int i) {
      List<SqlType> types = plan.parameterTypes();
      return i < types.size() ? types.get(i) : null;
    }
  }

  /** A bound statement: parameters, result formats and, once executing, its rows. */
  private static final class Portal {
    final Statement statement;
    final List<Object> parameters;
    final short[] resultFormats;
    List<PgColumn> columns;
    PgRows rows;
    boolean done;

    Portal(Statement statement, List<Object> parameters, short[] resultFormats) {
      this.statement = statement;
      this.parameters = parameters;
      this.resultFormats = resultFormats;
      this.columns = statement.columns();
    }

    /** The format code of each column, from Bind's result formats (none: all text). */
    short[] formats() {
      short[] out = new short[columns.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] =
            resultFormats.length == 0
                ? 0
                : resultFormats.length == 1
                    ? resultFormats[0]
                    : i < resultFormats.length ? resultFormats[i] : 0;
      }
      return out;
    }
  }

  PgConnection(PgWireServer server, Socket socket, int pid, int secretKey) {
    this.server = server;
    this.socket = socket;
    this.pid = pid;
    this.secretKey = secretKey;
  }

  int pid() {
    return pid;
  }

  int secretKey() {
    return secretKey;
  }

  /** Cancels the running statement, if any. Thread-safe. */
  void cancelStatement() {
    SqlSession s = engineSession;
    if (s != null) {
      s.cancel();
    }
  }

  /** Closes the socket; the connection thread ends. Thread-safe. */
  void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void run() {
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) server.config().startupTimeout().toMillis());
      in =
          new PgReader(
              new BufferedInputStream(socket.getInputStream(), 16 * 1024),
              server.config().maxMessageBytes());
      out = new PgWriter(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
      if (startup()) {
        socket.setSoTimeout(0);
        serve();
      }
    } catch (PgProtocolException e) {
      LOG.atInfo()
          .addKeyValue("pid", pid)
          .addKeyValue("client", socket.getRemoteSocketAddress())
          .log("closing PostgreSQL connection: " + e.getMessage());
      fatal(PgException.PROTOCOL_VIOLATION, e.getMessage());
    } catch (PgException e) {
      fatal(e.sqlState(), e.getMessage());
    } catch (SocketTimeoutException e) {
      fatal(
          PgException.PROTOCOL_VIOLATION,
          "the client did not complete start-up and authentication within "
              + server.config().startupTimeout().toSeconds()
              + " s");
    } catch (IOException e) {
      if (!PgWireServer.isDisconnect(e)) {
        LOG.atDebug().setCause(e).addKeyValue("pid", pid).log("PostgreSQL connection failed");
      }
    } catch (RuntimeException | Error e) {
      LOG.atError().setCause(e).addKeyValue("pid", pid).log("PostgreSQL connection failed");
      fatal(PgException.INTERNAL_ERROR, "internal error: " + e + "; see the Basin server log");
    } finally {
      cleanup();
    }
  }

  // ------------------------------------------------------------------ start-up

  /** Runs start-up and authentication; false when the connection should just close. */
  private boolean startup() throws IOException {
    for (int attempt = 0; attempt < 4; attempt++) {
      PgBuffer packet = in.readStartupPacket();
      if (packet == null) {
        return false;
      }
      int code = packet.int32();
      if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
        packet.end();
        // Basin does not speak TLS/GSS encryption: 'N' tells the client to go on in clear.
        out.rawByte('N');
        out.flush();
        continue;
      }
      if (code == CANCEL_REQUEST) {
        int targetPid = packet.int32();
        int key = packet.int32();
        packet.end();
        server.cancel(targetPid, key);
        return false;
      }
      if ((code >>> 16) != 3) {
        throw PgException.fatal(
            PgException.FEATURE_NOT_SUPPORTED,
            "unsupported frontend protocol "
                + (code >>> 16)
                + "."
                + (code & 0xffff)
                + ": Basin speaks protocol 3.0");
      }
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        String key = packet.cstring();
        if (key.isEmpty()) {
          break;
        }
        params.put(key, packet.cstring());
      }
      packet.end();
      return login(code, params);
    }
    throw new PgProtocolException("too many encryption negotiation requests");
  }

  private boolean login(int protocol, Map<String, String> params) throws IOException {
    String user = params.get("user");
    if (user == null || user.isEmpty()) {
      throw PgException.fatal(
          PgException.INVALID_AUTHORIZATION,
          "no user name in the start-up packet; connect with your Basin access key id as the user");
    }
    List<String> unsupported = new ArrayList<>();
    for (String key : params.keySet()) {
      if (key.startsWith("_pq_.")) {
        unsupported.add(key);
      }
    }
    if (protocol != PROTOCOL_3_0 || !unsupported.isEmpty()) {
      out.negotiateProtocolVersion(0, unsupported);
    }
    if (!server.admit()) {
      throw PgException.fatal(
          PgException.TOO_MANY_CONNECTIONS,
          "sorry, too many clients already (pg.max-connections="
              + server.config().maxConnections()
              + "); close idle connections or raise pg.max-connections");
    }
    admitted = true;
    authenticate(user);

    String database = params.getOrDefault("database", "");
    String catalogDatabase = null;
    // libpq and most drivers default the database to the user name: that means "basin" here.
    if (!database.isEmpty()
        && !database.equalsIgnoreCase(PgCatalog.DATABASE)
        && !database.equals(user)) {
      catalogDatabase = database;
    }
    SqlSession engine;
    try {
      engine = server.engine().openSession(new SessionContext(user, catalogDatabase));
    } catch (SqlException e) {
      if (e.state() == SqlState.INVALID_SCHEMA_NAME) {
        throw PgException.fatal(
            PgException.INVALID_CATALOG_NAME,
            "database \""
                + database
                + "\" does not exist; connect to database \""
                + PgCatalog.DATABASE
                + "\" (Basin's catalog databases appear in it as schemas)");
      }
      throw PgException.fatal(e.state().code(), e.getMessage());
    }
    engineSession = engine;
    PgSettings settings =
        new PgSettings(server.config().serverVersion(), server.config().serverVersionNum(), user);
    session = new PgSession(engine, settings, user, pid, server.config().serverVersion());
    session.onDeallocate(this::deallocate);
    for (Map.Entry<String, String> p : params.entrySet()) {
      String key = p.getKey();
      if (key.equals("user")
          || key.equals("database")
          || key.startsWith("_pq_.")
          || key.equals("replication")) {
        continue;
      }
      if (key.equals("options")) {
        applyOptions(p.getValue());
      } else {
        applySetting(key, p.getValue());
      }
    }
    settings.drainChanged();
    for (Map.Entry<String, String> e : settings.reported().entrySet()) {
      out.parameterStatus(e.getKey(), e.getValue());
    }
    out.backendKeyData(pid, secretKey);
    out.readyForQuery(session.status());
    out.flush();
    LOG.atDebug()
        .addKeyValue("pid", pid)
        .addKeyValue("user", user)
        .addKeyValue("client", socket.getRemoteSocketAddress())
        .log("PostgreSQL session started");
    return true;
  }

  private void applySetting(String key, String value) {
    if (key.equals("search_path")) {
      session.searchPath(value);
    } else if (PgSettings.isKnown(key)) {
      session.settings().set(key, value);
    } else {
      LOG.atDebug().addKeyValue("parameter", key).log("ignoring unknown start-up parameter");
    }
  }

  /** Applies {@code options}: {@code -c name=value} and {@code --name=value}, space-separated. */
  private void applyOptions(String options) {
    List<String> words = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < options.length(); i++) {
      char c = options.charAt(i);
      if (c == '\\' && i + 1 < options.length()) {
        current.append(options.charAt(++i));
      } else if (Character.isWhitespace(c)) {
        if (current.length() > 0) {
          words.add(current.toString());
          current.setLength(0);
        }
      } else {
        current.append(c);
      }
    }
    if (current.length() > 0) {
      words.add(current.toString());
    }
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      String assignment = null;
      if (w.equals("-c") && i + 1 < words.size()) {
        assignment = words.get(++i);
      } else if (w.startsWith("-c")) {
        assignment = w.substring(2);
      } else if (w.startsWith("--")) {
        assignment = w.substring(2);
      }
      int eq = assignment == null ? -1 : assignment.indexOf('=');
      if (eq <= 0) {
        throw PgException.fatal(
            PgException.INVALID_PARAMETER_VALUE,
            "invalid options \"" + options + "\": use -c name=value (e.g. -c search_path=sales)");
      }
      applySetting(
          PgSettings.canonical(assignment.substring(0, eq).replace('-', '_')),
          assignment.substring(eq + 1));
    }
  }

  private void authenticate(String user) throws IOException {
    PgWireConfig config = server.config();
    if (!config.authEnabled()) {
      out.authentication(0, null);
      return;
    }
    Credentials credentials = server.credentials();
    boolean known = user.equals(credentials.accessKeyId());
    String secret = known ? credentials.secretAccessKey() : null;
    if (config.authMethod() == PgAuthMethod.PASSWORD) {
      out.authentication(3, null);
      out.flush();
      PgBuffer m = readPasswordMessage();
      String password = m.cstring();
      m.end();
      if (!known
          || !MessageDigest.isEqual(
              password.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
        throw authenticationFailed(user);
      }
    } else {
      byte[] mechanisms = (ScramSha256.MECHANISM + "\0\0").getBytes(StandardCharsets.US_ASCII);
      out.authentication(10, mechanisms);
      out.flush();
      PgBuffer initial = readPasswordMessage();
      String mechanism = initial.cstring();
      int length = initial.int32();
      byte[] data = length < 0 ? new byte[0] : initial.bytes(length);
      initial.end();
      if (!mechanism.equals(ScramSha256.MECHANISM)) {
        throw PgException.fatal(
            PgException.PROTOCOL_VIOLATION,
            "SASL mechanism \"" + mechanism + "\" is not offered; use " + ScramSha256.MECHANISM);
      }
      ScramSha256 scram = new ScramSha256(secret, server.random());
      String serverFirst = scram.serverFirst(new String(data, StandardCharsets.UTF_8));
      out.authentication(11, serverFirst.getBytes(StandardCharsets.UTF_8));
      out.flush();
      PgBuffer response = readPasswordMessage();
      byte[] clientFinal = response.bytes(response.remaining());
      String serverFinal;
      try {
        serverFinal = scram.serverFinal(new String(clientFinal, StandardCharsets.UTF_8));
      } catch (PgException e) {
        if (e.sqlState().equals(PgException.INVALID_PASSWORD)) {
          throw authenticationFailed(user);
        }
        throw e;
      }
      if (!known) {
        throw authenticationFailed(user);
      }
      out.authentication(12, serverFinal.getBytes(StandardCharsets.UTF_8));
    }
    out.authentication(0, null);
  }

  private PgBuffer readPasswordMessage() throws IOException {
    PgBuffer m = in.read();
    if (m == null) {
      // The client hung up, e.g. psql asking the user for the password: not an error.
      throw new java.io.EOFException("client closed the connection during authentication");
    }
    if (m.type() != 'p') {
      throw new PgProtocolException(
          "expected a password message ('p') during authentication, got '"
              + PgReader.printable(m.type())
              + "'");
    }
    return m;
  }

  private PgException authenticationFailed(String user) {
    LOG.atInfo()
        .addKeyValue("user", user)
        .addKeyValue("client", socket.getRemoteSocketAddress())
        .log("PostgreSQL authentication failed");
    return PgException.fatal(
        PgException.INVALID_PASSWORD, "password authentication failed for user \"" + user + "\"");
  }

  // ------------------------------------------------------------------ message loop

  private void serve() throws IOException {
    while (true) {
      PgBuffer m = in.read();
      if (m == null) {
        return;
      }
      char type = m.type();
      if (KNOWN_TYPES.indexOf(type) < 0) {
        throw new PgProtocolException(
            "invalid frontend message type '" + PgReader.printable(type) + "'");
      }
      if (type == 'X') {
        return;
      }
      if (ignoreTillSync && type != 'S') {
        continue;
      }
      try {
        switch (type) {
          case 'Q' -> simpleQuery(m);
          case 'P' -> parse(m);
          case 'B' -> bind(m);
          case 'D' -> describe(m);
          case 'E' -> execute(m);
          case 'C' -> close(m);
          case 'S' -> sync(m);
          case 'H' -> {
            m.end();
            out.flush();
          }
          case 'F' ->
              throw new PgException(
                  PgException.FEATURE_NOT_SUPPORTED,
                  "the function-call protocol is not supported; call the function in a SELECT");
          default -> {
            // CopyData, CopyDone, CopyFail outside COPY are ignored, as PostgreSQL does.
          }
        }
      } catch (PgException e) {
        if (e.fatal()) {
          throw e;
        }
        extendedError(e);
      } catch (SqlException e) {
        extendedError(PgException.from(e, 0));
      } catch (PgProtocolException e) {
        throw e;
      } catch (RuntimeException e) {
        extendedError(internal(e));
      }
    }
  }

  private void extendedError(PgException e) throws IOException {
    session.failed();
    sendError(e);
    ignoreTillSync = true;
  }

  private void sendError(PgException e) throws IOException {
    out.abandon();
    out.error('E', "ERROR", e.sqlState(), e.getMessage(), e.position());
  }

  private void ready() throws IOException {
    out.readyForQuery(session.status());
    out.flush();
  }

  // ------------------------------------------------------------------ simple query

  private void simpleQuery(PgBuffer m) throws IOException {
    String text = m.cstring();
    m.end();
    dropStatement("");
    dropPortal("");
    List<PgScripts.Piece> pieces = PgScripts.split(text);
    if (pieces.isEmpty()) {
      out.empty('I');
    }
    for (PgScripts.Piece piece : pieces) {
      try {
        runSimple(piece);
      } catch (PgException e) {
        if (e.fatal()) {
          throw e;
        }
        session.failed();
        sendError(e);
        break;
      } catch (SqlException e) {
        session.failed();
        sendError(PgException.from(e, piece.offset()));
        break;
      } catch (RuntimeException e) {
        session.failed();
        sendError(internal(e));
        break;
      }
    }
    endOfImplicitTransaction();
    ready();
  }

  private void runSimple(PgScripts.Piece piece) throws IOException {
    session.checkNotAborted(piece.sql());
    try (PgPlan plan = session.plan(piece.sql());
        PgRows rows = plan.execute(List.of())) {
      List<PgColumn> columns = rows.columns();
      if (!columns.isEmpty()) {
        out.rowDescription(columns, null);
      }
      long n = 0;
      while (rows.next()) {
        writeRow(rows, columns, null);
        n++;
      }
      out.commandComplete(rows.commandTag(n));
      reportChangedSettings();
    }
  }

  // ------------------------------------------------------------------ extended query

  private void parse(PgBuffer m) throws IOException {
    String name = m.cstring();
    String sql = m.cstring();
    int n = m.count("parameter type");
    int[] oids = new int[n];
    for (int i = 0; i < n; i++) {
      oids[i] = m.int32();
    }
    m.end();
    if (!name.isEmpty() && statements.containsKey(name)) {
      throw new PgException(
          PgException.DUPLICATE_PREPARED_STATEMENT,
          "prepared statement \"" + name + "\" already exists; close it first");
    }
    List<PgScripts.Piece> pieces = PgScripts.split(sql);
    if (pieces.size() > 1) {
      throw new PgException(
          PgException.SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement");
    }
    int offset = pieces.isEmpty() ? 0 : pieces.get(0).offset();
    session.checkNotAborted(sql);
    PgPlan plan;
    try {
      plan = pieces.isEmpty() ? PgPlan.EMPTY : session.plan(pieces.get(0).sql());
    } catch (SqlException e) {
      throw PgException.from(e, offset);
    }
    if (name.isEmpty()) {
      dropStatement("");
    }
    statements.put(name, new Statement(sql, offset, oids, plan));
    out.empty('1');
  }

  private void bind(PgBuffer m) throws IOException {
    String portalName = m.cstring();
    String statementName = m.cstring();
    int nFormats = m.count("parameter format");
    short[] paramFormats = new short[nFormats];
    for (int i = 0; i < nFormats; i++) {
      paramFormats[i] = m.int16();
    }
    int nParams = m.count("parameter");
    List<byte[]> raw = new ArrayList<>(nParams);
    for (int i = 0; i < nParams; i++) {
      int length = m.int32();
      if (length < -1) {
        throw m.malformed("invalid parameter length " + length);
      }
      raw.add(length == -1 ? null : m.bytes(length));
    }
    int nResult = m.count("result format");
    short[] resultFormats = new short[nResult];
    for (int i = 0; i < nResult; i++) {
      resultFormats[i] = m.int16();
    }
    m.end();
    Statement st = statements.get(statementName);
    if (st == null) {
      throw new PgException(
          PgException.INVALID_SQL_STATEMENT_NAME,
          "prepared statement \"" + statementName + "\" does not exist");
    }
    if (!portalName.isEmpty() && portals.containsKey(portalName)) {
      throw new PgException(
          PgException.DUPLICATE_CURSOR, "portal \"" + portalName + "\" already exists");
    }
    int required = st.parameterCount();
    if (nParams != required) {
      throw new PgException(
          PgException.PROTOCOL_VIOLATION,
          "bind message supplies "
              + nParams
              + " parameters, but prepared statement \""
              + statementName
              + "\" requires "
              + required);
    }
    if (nFormats != 0 && nFormats != 1 && nFormats != nParams) {
      throw new PgException(
          PgException.PROTOCOL_VIOLATION,
          "bind message has " + nFormats + " parameter formats but " + nParams + " parameters");
    }
    List<Object> values = new ArrayList<>(nParams);
    for (int i = 0; i < nParams; i++) {
      int format = nFormats == 0 ? 0 : nFormats == 1 ? paramFormats[0] : paramFormats[i];
      checkFormat(format);
      values.add(
          PgTypes.decodeParameter(
              raw.get(i),
              format == 1,
              i < st.declaredOids.length ? st.declaredOids[i] : 0,
              st.engineType(i),
              i + 1));
    }
    List<PgColumn> known = st.columns();
    if (known != null && nResult > 1 && nResult != known.size()) {
      throw new PgException(
          PgException.PROTOCOL_VIOLATION,
          "bind message has "
              + nResult
              + " result formats but query has "
              + known.size()
              + " columns");
    }
    for (short f : resultFormats) {
      checkFormat(f);
    }
    if (portalName.isEmpty()) {
      dropPortal("");
    }
    st.portals++;
    portals.put(portalName, new Portal(st, values, resultFormats));
    out.empty('2');
  }

  private static void checkFormat(int format) {
    if (format != 0 && format != 1) {
      throw new PgException(
          PgException.PROTOCOL_VIOLATION, "unsupported format code " + format + " (use 0 or 1)");
    }
  }

  private void describe(PgBuffer m) throws IOException {
    byte kind = m.int8();
    String name = m.cstring();
    m.end();
    if (kind == 'S') {
      Statement st = statements.get(name);
      if (st == null) {
        throw new PgException(
            PgException.INVALID_SQL_STATEMENT_NAME,
            "prepared statement \"" + name + "\" does not exist");
      }
      List<Integer> oids = new ArrayList<>();
      for (int i = 0; i < st.parameterCount(); i++) {
        oids.add(st.parameterOid(i));
      }
      out.parameterDescription(oids);
      if (st.columns() == null) {
        st.described = probeColumns(st);
      }
      describeRows(st.columns(), null);
    } else if (kind == 'P') {
      Portal p = portals.get(name);
      if (p == null) {
        throw new PgException(
            PgException.INVALID_CURSOR_NAME, "portal \"" + name + "\" does not exist");
      }
      if (p.columns == null) {
        // The columns depend on the parameters: run the statement now to learn them.
        startPortal(p);
      }
      describeRows(p.columns, p.formats());
    } else {
      throw new PgProtocolException("invalid Describe message subtype " + kind);
    }
  }

  /** Learns the columns of a statement whose result type depends on its parameters. */
  private List<PgColumn> probeColumns(Statement st) {
    List<Object> nulls = new ArrayList<>();
    for (int i = 0; i < st.parameterCount(); i++) {
      nulls.add(null);
    }
    try (PgRows rows = st.plan.execute(nulls)) {
      return rows.columns();
    } catch (SqlException e) {
      throw PgException.from(e, st.offset);
    }
  }

  private void startPortal(Portal p) {
    try {
      p.rows = p.statement.plan.execute(p.parameters);
    } catch (SqlException e) {
      finishPortal(p);
      throw PgException.from(e, p.statement.offset);
    } catch (PgException e) {
      finishPortal(p);
      throw e;
    } catch (RuntimeException e) {
      finishPortal(p);
      throw internal(e);
    }
    if (p.columns == null) {
      p.columns = p.rows.columns();
    }
  }

  private void describeRows(List<PgColumn> columns, short[] formats) throws IOException {
    if (columns.isEmpty()) {
      out.empty('n');
    } else {
      out.rowDescription(columns, formats);
    }
  }

  private void execute(PgBuffer m) throws IOException {
    String name = m.cstring();
    int maxRows = m.int32();
    m.end();
    Portal p = portals.get(name);
    if (p == null) {
      throw new PgException(
          PgException.INVALID_CURSOR_NAME, "portal \"" + name + "\" does not exist");
    }
    if (p.statement.plan.empty()) {
      out.empty('I');
      return;
    }
    session.checkNotAborted(p.statement.sql);
    if (p.done) {
      out.commandComplete(p.columns == null || p.columns.isEmpty() ? "OK" : "SELECT 0");
      return;
    }
    if (p.rows == null) {
      startPortal(p);
    }
    try {
      List<PgColumn> columns = p.columns;
      short[] formats = p.formats();
      long sent = 0;
      long limit = maxRows <= 0 ? Long.MAX_VALUE : maxRows;
      while (sent < limit && p.rows.next()) {
        writeRow(p.rows, columns, formats);
        sent++;
      }
      if (sent == limit && maxRows > 0 && !columns.isEmpty()) {
        out.empty('s');
        return;
      }
      String tag = p.rows.commandTag(sent);
      finishPortal(p);
      out.commandComplete(tag);
      reportChangedSettings();
      if (session.status() == 'I') {
        // COMMIT/ROLLBACK end the block: other portals go with it.
        closePortalsExcept(p);
      }
    } catch (SqlException e) {
      finishPortal(p);
      throw PgException.from(e, p.statement.offset);
    } catch (PgException e) {
      finishPortal(p);
      throw e;
    } catch (RuntimeException e) {
      finishPortal(p);
      throw internal(e);
    }
  }

  private void close(PgBuffer m) throws IOException {
    byte kind = m.int8();
    String name = m.cstring();
    m.end();
    if (kind == 'S') {
      dropStatement(name);
    } else if (kind == 'P') {
      dropPortal(name);
    } else {
      throw new PgProtocolException("invalid Close message subtype " + kind);
    }
    out.empty('3');
  }

  private void sync(PgBuffer m) throws IOException {
    m.end();
    ignoreTillSync = false;
    endOfImplicitTransaction();
    ready();
  }

  // ------------------------------------------------------------------ rows

  private void writeRow(PgRows rows, List<PgColumn> columns, short[] formats) throws IOException {
    out.begin('D');
    out.int16(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      Object v = rows.value(i);
      if (v == null) {
        out.int32(-1);
        continue;
      }
      PgType type = columns.get(i).type();
      try {
        if (formats != null && formats[i] == 1) {
          PgTypes.writeBinary(out, v, type);
        } else {
          PgTypes.writeText(out, v, type);
        }
      } catch (RuntimeException e) {
        out.abandon();
        throw new PgException(
            PgException.INVALID_BINARY_REPRESENTATION,
            "cannot send the value of column \""
                + columns.get(i).name()
                + "\" ("
                + v.getClass().getSimpleName()
                + ") as "
                + type.display()
                + ": "
                + e.getMessage());
      }
    }
    out.end();
  }

  private void reportChangedSettings() throws IOException {
    for (Map.Entry<String, String> e : session.settings().drainChanged().entrySet()) {
      out.parameterStatus(e.getKey(), e.getValue());
    }
  }

  // ------------------------------------------------------------------ bookkeeping

  /** Outside a transaction block, Sync and the end of a query close every portal. */
  private void endOfImplicitTransaction() {
    if (session.status() == 'I') {
      closePortalsExcept(null);
    }
  }

  private void closePortalsExcept(Portal keep) {
    Iterator<Map.Entry<String, Portal>> it = portals.entrySet().iterator();
    while (it.hasNext()) {
      Portal p = it.next().getValue();
      if (p != keep) {
        it.remove();
        release(p);
      }
    }
  }

  private void finishPortal(Portal p) {
    p.done = true;
    if (p.rows != null) {
      try {
        p.rows.close();
      } catch (RuntimeException e) {
        LOG.atDebug().setCause(e).log("closing a cursor failed");
      }
      p.rows = null;
    }
  }

  private void dropPortal(String name) {
    Portal p = portals.remove(name);
    if (p != null) {
      release(p);
    }
  }

  private void release(Portal p) {
    finishPortal(p);
    Statement st = p.statement;
    st.portals--;
    if (st.closed && st.portals == 0) {
      closePlan(st);
    }
  }

  private void dropStatement(String name) {
    Statement st = statements.remove(name);
    if (st != null) {
      st.closed = true;
      if (st.portals == 0) {
        closePlan(st);
      }
    }
  }

  /** DEALLOCATE: drops a named statement, or all of them (null). */
  private void deallocate(String name) {
    if (name == null) {
      for (String n : List.copyOf(statements.keySet())) {
        dropStatement(n);
      }
      return;
    }
    if (!statements.containsKey(name)) {
      throw new PgException(
          PgException.INVALID_SQL_STATEMENT_NAME,
          "prepared statement \"" + name + "\" does not exist");
    }
    dropStatement(name);
  }

  private static void closePlan(Statement st) {
    try {
      st.plan.close();
    } catch (RuntimeException e) {
      LOG.atDebug().setCause(e).log("closing a statement failed");
    }
  }

  private static PgException internal(RuntimeException e) {
    LOG.atWarn().setCause(e).log("statement failed with an unexpected error");
    return new PgException(
        PgException.INTERNAL_ERROR, "internal error: " + e + "; see the Basin server log");
  }

  private void fatal(String sqlState, String message) {
    if (out == null || socket.isClosed()) {
      return;
    }
    try {
      out.abandon();
      out.error('E', "FATAL", sqlState, message, 0);
      out.flush();
    } catch (IOException e) {
      // the client is gone
    }
  }

  private void cleanup() {
    for (String name : List.copyOf(portals.keySet())) {
      dropPortal(name);
    }
    for (String name : List.copyOf(statements.keySet())) {
      dropStatement(name);
    }
    engineSession = null;
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException e) {
        LOG.atDebug().setCause(e).log("closing the SQL session failed");
      }
    }
    closeSocket();
    if (admitted) {
      server.release();
    }
    server.finished(this);
  }
}
