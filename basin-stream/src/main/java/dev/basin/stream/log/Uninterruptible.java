package dev.basin.stream.log;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Runs idempotent file operations that open their own channels (atomic index writes, directory
 * fsyncs) so that the caller's interrupt status cannot make them fail: an interrupted {@code
 * FileChannel} closes itself, which would turn a routine segment roll on an interrupted request
 * thread into an I/O error. The interrupt status is cleared while the operation runs (and retried
 * if it arrives during it) and restored afterwards.
 */
final class Uninterruptible {
  private static final int MAX_ATTEMPTS = 16;

  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }

  private Uninterruptible() {}

  static void run(IoAction action) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          action.run();
          return;
        } catch (ClosedByInterruptException e) {
          Thread.interrupted();
          interrupted = true;
          if (attempt >= MAX_ATTEMPTS) {
            throw e;
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
