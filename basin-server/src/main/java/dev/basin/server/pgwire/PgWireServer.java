package dev.basin.server.pgwire;

import dev.basin.server.auth.Credentials;
import dev.basin.spi.sql.SqlEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL wire protocol (v3) endpoint: psql, pgjdbc, BI tools and every other PostgreSQL
 * client query Basin's SQL engine through it. Clients log in with Basin's access key id as the user
 * name, the secret access key as the password, and the database {@code basin}; Basin's catalog
 * databases appear as schemas.
 *
 * <p>One thread per connection. At most {@link PgWireConfig#maxConnections()} sessions run at once;
 * more are refused with SQLSTATE 53300. A client that breaks the protocol loses its own connection
 * only.
 *
 * <p>Thread-safe. {@link #start()} binds the port; {@link #close()} stops accepting, closes every
 * connection and waits briefly for their threads.
 */
public final class PgWireServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgWireServer.class);

  /**
   * Connections beyond the limit still get a thread to be told why they are refused, up to this.
   */
  private static final int EXTRA_THREADS = 16;

  private final SqlEngine engine;
  private final Credentials credentials;
  private final PgWireConfig config;
  private final SecureRandom random = new SecureRandom();
  private final Map<Integer, PgConnection> connections = new ConcurrentHashMap<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger threads = new AtomicInteger();
  private final AtomicInteger nextPid;
  private volatile ServerSocket socket;
  private volatile boolean closed;
  private Thread acceptor;

  public PgWireServer(SqlEngine engine, Credentials credentials, PgWireConfig config) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.config = Objects.requireNonNull(config, "config");
    this.nextPid = new AtomicInteger(1000 + random.nextInt(30_000));
  }

  /**
   * Binds the port and starts accepting connections.
   *
   * @throws UncheckedIOException if the address cannot be bound (port taken, bad address)
   */
  public synchronized PgWireServer start() {
    if (socket != null) {
      throw new IllegalStateException("already started");
    }
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(config.bind()), config.port()), 128);
      socket = s;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for PostgreSQL clients on "
              + config.bind()
              + ":"
              + config.port()
              + " ("
              + e.getMessage()
              + "); choose another port with --pg-port N (0 picks a free one)",
          e);
    }
    acceptor = new Thread(this::acceptLoop, "basin-pg-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    LOG.atInfo()
        .addKeyValue("port", port())
        .addKeyValue("bind", config.bind())
        .addKeyValue("auth", config.authEnabled() ? config.authMethod() : "none")
        .log("PostgreSQL wire protocol listening");
    return this;
  }

  /** The bound port (the chosen one when configured with 0). */
  public int port() {
    ServerSocket s = socket;
    if (s == null) {
      throw new IllegalStateException("not started");
    }
    return s.getLocalPort();
  }

  /** Sessions currently open (authenticated connections). */
  public int sessionCount() {
    return sessions.get();
  }

  private void acceptLoop() {
    ServerSocket s = socket;
    while (!closed) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.atWarn().setCause(e).log("accepting a PostgreSQL connection failed");
        }
        continue;
      }
      if (threads.incrementAndGet() > config.maxConnections() + EXTRA_THREADS) {
        threads.decrementAndGet();
        closeQuietly(client);
        continue;
      }
      int pid = nextPid.getAndUpdate(p -> p >= Integer.MAX_VALUE - 1 ? 1000 : p + 1);
      PgConnection connection = new PgConnection(this, client, pid, random.nextInt());
      connections.put(pid, connection);
      Thread t = new Thread(connection, "basin-pg-" + pid);
      t.setDaemon(true);
      try {
        t.start();
      } catch (OutOfMemoryError | RuntimeException e) {
        connections.remove(pid);
        threads.decrementAndGet();
        closeQuietly(client);
        LOG.atWarn().setCause(e).log("cannot start a thread for a PostgreSQL connection");
      }
    }
  }

  // ------------------------------------------------------------------ called by connections

  SqlEngine engine() {
    return engine;
  }

  Credentials credentials() {
    return credentials;
  }

  PgWireConfig config() {
    return config;
  }

  SecureRandom random() {
    return random;
  }

  /** Takes a session slot; false when the limit is reached. */
  boolean admit() {
    while (true) {
      int n = sessions.get();
      if (n >= config.maxConnections()) {
        return false;
      }
      if (sessions.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void release() {
    sessions.decrementAndGet();
  }

  void finished(PgConnection connection) {
    connections.remove(connection.pid(), connection);
    threads.decrementAndGet();
  }

  /** Handles a CancelRequest: cancels the statement of the connection with that pid and key. */
  void cancel(int pid, int secretKey) {
    PgConnection target = connections.get(pid);
    if (target != null && target.secretKey() == secretKey) {
      target.cancelStatement();
    } else {
      LOG.atDebug().addKeyValue("pid", pid).log("cancel request for an unknown connection ignored");
    }
  }

  /** Stops accepting, closes every connection (their running statements are cancelled). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ServerSocket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.atDebug().setCause(e).log("closing the PostgreSQL listener failed");
      }
    }
    List<PgConnection> open = List.copyOf(connections.values());
    for (PgConnection c : open) {
      c.cancelStatement();
      c.closeSocket();
    }
    if (acceptor != null) {
      try {
        acceptor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do: the client is gone
    }
  }

  static boolean isDisconnect(IOException e) {
    return e instanceof java.io.EOFException
        || e instanceof SocketException
        || e instanceof java.net.SocketTimeoutException;
  }
}
