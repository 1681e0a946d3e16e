package dev.basin.stream.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file opened lazily through a {@link FileChannel} that survives the channel being closed under
 * it.
 *
 * <p>A {@code FileChannel} is closed for every thread when one thread using it is interrupted.
 * Every operation here is positional and therefore idempotent, so when the channel turns out closed
 * the handle reopens it and repeats the operation, with the caller's interrupt status cleared
 * during the retry and restored afterwards. {@link #release()} (used by a cache to bound open
 * files) closes the channel once the operations running on it finish, and the next operation
 * reopens it. Only {@link #close()} closes the handle for good.
 *
 * <p>Thread-safe.
 */
final class FileHandle {
  private static final int MAX_ATTEMPTS = 16;
  private static final OpenOption[] READ = {StandardOpenOption.READ};
  private static final OpenOption[] READ_WRITE = {
    StandardOpenOption.READ, StandardOpenOption.WRITE
  };

  @FunctionalInterface
  interface Listener {
    void opened(FileHandle handle);
  }

  @FunctionalInterface
  private interface Op<T> {
    T apply(FileChannel channel) throws IOException;
  }

  /** An open channel and the operations using it; guarded by the handle's monitor. */
  private static final class Lease {
    final FileChannel channel;
    int users;
    boolean retired;

    Lease(FileChannel channel) {
      this.channel = channel;
    }
  }

  private final Path path;
  private final OpenOption[] options;
  private final Listener listener;
  private Lease current;
  private boolean closed;

  /**
   * @param writable open for writing as well as reading
   * @param listener told (outside any lock of this handle) each time the channel is (re)opened
   */
  FileHandle(Path path, boolean writable, Listener listener) {
    this.path = path;
    this.options = writable ? READ_WRITE : READ;
    this.listener = listener;
  }

  synchronized boolean isOpen() {
    return current != null;
  }

  /** Reads until {@code dst} is full or the end of file; returns the number of bytes read. */
  int read(ByteBuffer dst, long position) throws IOException {
    int start = dst.position();
    return run(
        ch -> {
          dst.position(start);
          long pos = position;
          while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
              break;
            }
            pos += n;
          }
          return dst.position() - start;
        });
  }

  /** Fills {@code dst} completely or throws {@link EOFException}. */
  void readFully(ByteBuffer dst, long position) throws IOException {
    int want = dst.remaining();
    if (read(dst, position) < want) {
      throw new EOFException(
          "unexpected end of " + path + " reading " + want + " bytes at " + position);
    }
  }

  /** Writes all of {@code src} at {@code position}. */
  void writeFully(ByteBuffer src, long position) throws IOException {
    int start = src.position();
    run(
        ch -> {
          src.position(start);
          long pos = position;
          while (src.hasRemaining()) {
            pos += ch.write(src, pos);
          }
          return null;
        });
  }

  /** Makes written data durable ({@code fdatasync}). */
  void force() throws IOException {
    run(
        ch -> {
          ch.force(false);
          return null;
        });
  }

  void truncate(long size) throws IOException {
    run(
        ch -> {
          ch.truncate(size);
          return null;
        });
  }

  long size() throws IOException {
    return run(FileChannel::size);
  }

  /** Closes the channel as soon as no operation uses it; the next operation reopens it. */
  void release() {
    Lease lease;
    synchronized (this) {
      lease = current;
      current = null;
      if (lease == null || !retire(lease)) {
        return;
      }
    }
    closeQuietly(lease.channel);
  }

  /** Closes the handle for good; later operations throw {@link ClosedChannelException}. */
  void close() {
    synchronized (this) {
      closed = true;
    }
    release();
  }

  private <T> T run(Op<T> op) throws IOException {
    boolean interrupted = false;
    try {
      for (int attempt = 1; ; attempt++) {
        Lease lease = acquire();
        try {
          return op.apply(lease.channel);
        } catch (ClosedChannelException e) {
          if (e instanceof ClosedByInterruptException) {
            interrupted = true;
          }
          interrupted |= Thread.interrupted();
          discard(lease);
          if (isClosed() || attempt >= MAX_ATTEMPTS) {
            throw e;
          }
        } finally {
          unlease(lease);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private Lease acquire() throws IOException {
    Lease lease;
    boolean opened = false;
    synchronized (this) {
      if (closed) {
        throw new ClosedChannelException();
      }
      if (current == null) {
        current = new Lease(FileChannel.open(path, options));
        opened = true;
      }
      lease = current;
      lease.users++;
    }
    if (opened) {
      listener.opened(this);
    }
    return lease;
  }

  private void unlease(Lease lease) {
    synchronized (this) {
      lease.users--;
      if (!lease.retired || lease.users > 0) {
        return;
      }
    }
    closeQuietly(lease.channel);
  }

  /** Stops handing out a channel found closed; its last user closes it for good. */
  private synchronized void discard(Lease lease) {
    if (current == lease) {
      current = null;
    }
    lease.retired = true;
  }

  /** Marks {@code lease} retired; true if nobody uses it and the caller must close it. */
  private static boolean retire(Lease lease) {
    lease.retired = true;
    return lease.users == 0;
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // Closing a channel only releases the descriptor; there is nothing left to flush.
    }
  }
}
