package dev.basin.bench.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by the orchestrator. Its stderr goes to a log file; its stdout lines go to the same
 * file and to a listener. Every child is destroyed when the orchestrator's JVM exits.
 */
public final class ChildProcess {
  private final String name;
  private final Process process;
  private final Path log;
  private final Thread reader;
  private volatile long stdinGraceSeconds;

  private ChildProcess(String name, Process process, Path log, Consumer<String> onLine) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  Writer w =
                      Files.newBufferedWriter(
                          log,
                          StandardCharsets.UTF_8,
                          StandardOpenOption.CREATE,
                          StandardOpenOption.APPEND);
                  PrintWriter out = new PrintWriter(w, true)) {
                String line;
                while ((line = in.readLine()) != null) {
                  out.println(line);
                  onLine.accept(line);
                }
              } catch (IOException e) {
                // The process went away; its exit status tells the rest.
              }
            },
            name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
  }

  public static ChildProcess start(
      String name, List<String> command, Path log, Consumer<String> onLine) throws IOException {
    Files.createDirectories(log.getParent());
    Files.writeString(
        log,
        "$ " + String.join(" ", command) + System.lineSeparator(),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new ChildProcess(name, pb.start(), log, onLine);
  }

  /**
   * Starts a server and waits for the stdout line matching {@code ready}.
   *
   * @return the match, for its groups (ports)
   * @throws IllegalStateException if the server exits or stays silent for {@code timeoutSeconds}
   */
  public static Started startServer(
      String name, List<String> command, Path log, Pattern ready, long timeoutSeconds)
      throws IOException, InterruptedException {
    CompletableFuture<Matcher> readyLine = new CompletableFuture<>();
    ChildProcess child =
        start(
            name,
            command,
            log,
            line -> {
              Matcher m = ready.matcher(line);
              if (m.find()) {
                readyLine.complete(m);
              }
            });
    child
        .process
        .onExit()
        .thenRun(
            () ->
                readyLine.completeExceptionally(
                    new IllegalStateException(
                        name
                            + " exited with status "
                            + child.process.exitValue()
                            + " before it was ready; see "
                            + log)));
    try {
      return new Started(child, readyLine.get(timeoutSeconds, TimeUnit.SECONDS));
    } catch (TimeoutException e) {
      child.stop();
      throw new IllegalStateException(
          name + " was not ready after " + timeoutSeconds + " s; see " + log, e);
    } catch (java.util.concurrent.ExecutionException e) {
      child.stop();
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  public record Started(ChildProcess process, Matcher ready) {}

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /**
   * Waits for the process to exit by itself, killing it after {@code timeoutSeconds}.
   *
   * @return its exit status, or -1 if it had to be killed
   */
  public int awaitExit(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      reader.join(5_000);
      return -1;
    }
    reader.join(5_000);
    return process.exitValue();
  }

  /** Closes stdin, which asks processes that watch it (the Kafka broker) to stop. */
  public void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  /** Lets {@link #close()} wait this long for an exit after closing stdin before SIGTERM. */
  public void stopsWhenStdinCloses(long graceSeconds) {
    this.stdinGraceSeconds = graceSeconds;
  }

  /** Closes stdin, then asks the process to stop (SIGTERM), then kills it after 30 s. */
  public void stop() throws InterruptedException {
    closeStdin();
    if (!process.waitFor(stdinGraceSeconds, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
