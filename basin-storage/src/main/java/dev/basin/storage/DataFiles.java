package dev.basin.storage;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.basin.common.io.DurableFiles;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.ObjectStoreException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object bytes on disk. Every object version is one immutable data file {@code
 * <root>/<bucket>/<xy>/<32 hex id>} ({@code .zst} appended when stored zstd-compressed for a cold
 * storage class), sharded by the id's first two digits. Files are written under {@code
 * <root>/.tmp/}, fsynced, and renamed into place before the metadata row that names them commits; a
 * file no row names is garbage from a crash and is removed by {@link #sweepBucket}. Multipart parts
 * live in {@code <root>/.uploads/<uploadId>/<part>-<id>.part}.
 *
 * <p>Bucket names cannot start with a dot, so {@code .tmp} and {@code .uploads} never collide with
 * a bucket. Thread-safe.
 */
final class DataFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DataFiles.class);
  private static final Pattern DATA_FILE = Pattern.compile("[0-9a-f]{32}(\\.zst)?");
  private static final Pattern SHARD = Pattern.compile("[0-9a-f]{2}");
  private static final int BUFFER = 64 * 1024;
  private static final StandardOpenOption WRITE = StandardOpenOption.WRITE;
  static final String COMPRESSED_SUFFIX = ".zst";

  private final Path root;
  private final Path tmp;
  private final Path uploads;

  /** A fsynced file under {@code .tmp}, its raw size and the MD5 of its raw bytes. */
  record Written(Path file, long size, byte[] md5) {}

  DataFiles(Path root) throws IOException {
    this.root = root.toAbsolutePath();
    this.tmp = this.root.resolve(".tmp");
    this.uploads = this.root.resolve(".uploads");
    DurableFiles.createDirectories(tmp);
    DurableFiles.createDirectories(uploads);
  }

  Path root() {
    return root;
  }

  static boolean isCompressed(String dataFile) {
    return dataFile.endsWith(COMPRESSED_SUFFIX);
  }

  Path dataPath(String bucket, String dataFile) {
    return root.resolve(bucket).resolve(dataFile);
  }

  Path uploadDir(String uploadId) {
    return uploads.resolve(uploadId);
  }

  void createBucketDir(String bucket) throws IOException {
    DurableFiles.createDirectories(root.resolve(bucket));
  }

  /**
   * Renames a bucket's directory into {@code .tmp} (removed by the caller or the next sweep).
   *
   * @return where it went, or empty if the bucket had no directory
   */
  Optional<Path> moveBucketDirToTrash(String bucket) {
    Path dir = root.resolve(bucket);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Path trash = tmp.resolve(bucket + "." + Ids.random() + ".deleted");
    try {
      move(dir, trash);
      DurableFiles.fsyncDirectory(root);
      return Optional.of(trash);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the directory of bucket '" + bucket + "'", e);
    }
  }

  void createUploadDir(String uploadId) throws IOException {
    DurableFiles.createDirectories(uploadDir(uploadId));
  }

  void deleteUploadDir(String uploadId) throws IOException {
    DurableFiles.deleteRecursively(uploadDir(uploadId));
  }

  /**
   * Streams {@code data} into a new temporary file, hashing the raw bytes, and fsyncs it.
   *
   * @param length the exact byte count to read, or -1 to read to the end
   * @param maxBytes the most bytes a body of unknown length may have
   * @param compress whether to store the bytes zstd-compressed
   * @throws ObjectStoreException {@code INCOMPLETE_BODY} if the stream ends early or fails, {@code
   *     ENTITY_TOO_LARGE} if a body of unknown length exceeds {@code maxBytes}
   */
  Written write(InputStream data, long length, long maxBytes, boolean compress) {
    return write(data, length, maxBytes, compress, true);
  }

  /**
   * As {@link #write}, for bytes read from the store's own files (their failure is an I/O error).
   */
  Written copyOf(InputStream data, long length, boolean compress) {
    return write(data, length, Long.MAX_VALUE, compress, false);
  }

  private Written write(
      InputStream data, long length, long maxBytes, boolean compress, boolean fromCaller) {
    Path file = newTempFile();
    boolean ok = false;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, WRITE)) {
      MessageDigest md5 = md5();
      long count = 0;
      try (OutputStream out = sink(ch, compress)) {
        byte[] buf = new byte[BUFFER];
        while (length < 0 || count < length) {
          int want = length < 0 ? buf.length : (int) Math.min(buf.length, length - count);
          int n = fromCaller ? readBody(data, buf, want, count) : data.read(buf, 0, want);
          if (n < 0) {
            break;
          }
          md5.update(buf, 0, n);
          out.write(buf, 0, n);
          count += n;
          if (count > maxBytes) {
            throw new ObjectStoreException(
                Reason.ENTITY_TOO_LARGE,
                "the body is larger than the "
                    + maxBytes
                    + " bytes allowed; use a multipart upload with smaller parts");
          }
        }
      }
      if (length >= 0 && count < length) {
        throw new ObjectStoreException(
            Reason.INCOMPLETE_BODY,
            "the request body ended after "
                + count
                + " of the "
                + length
                + " bytes announced; send the whole body");
      }
      ch.force(true);
      ok = true;
      return new Written(file, count, md5.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } finally {
      if (!ok) {
        deleteQuietly(file);
      }
    }
  }

  /** Reads from a caller's stream; its failure (a client gone mid-body) is not the store's. */
  private static int readBody(InputStream data, byte[] buf, int want, long count) {
    try {
      return data.read(buf, 0, want);
    } catch (IOException e) {
      throw new ObjectStoreException(
          Reason.INCOMPLETE_BODY,
          "reading the request body failed after "
              + count
              + " bytes ("
              + e.getMessage()
              + "); send the whole body again",
          e);
    }
  }

  /**
   * Concatenates whole open files (uncompressed parts) into a new temporary file, with {@code
   * transferTo} when stored raw, and fsyncs it.
   */
  Written concat(List<FileChannel> sources, boolean compress) {
    Path file = newTempFile();
    boolean ok = false;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, WRITE)) {
      long count = 0;
      if (compress) {
        try (OutputStream out = sink(ch, true)) {
          for (FileChannel source : sources) {
            source.position(0);
            count += Channels.newInputStream(source).transferTo(out);
          }
        }
      } else {
        for (FileChannel source : sources) {
          count += transfer(source, 0, source.size(), ch);
        }
      }
      ch.force(true);
      ok = true;
      return new Written(file, count, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot assemble " + file, e);
    } finally {
      if (!ok) {
        deleteQuietly(file);
      }
    }
  }

  /** Copies an open data file's bytes as they are (no hashing) into a new temporary file. */
  Written clone(FileChannel source, long rawSize) {
    Path file = newTempFile();
    boolean ok = false;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, WRITE)) {
      transfer(source, 0, source.size(), ch);
      ch.force(true);
      ok = true;
      return new Written(file, rawSize, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy into " + file, e);
    } finally {
      if (!ok) {
        deleteQuietly(file);
      }
    }
  }

  private static long transfer(FileChannel in, long position, long count, FileChannel out)
      throws IOException {
    long done = 0;
    while (done < count) {
      long n = in.transferTo(position + done, count - done, out);
      if (n <= 0) {
        throw new IOException("file shrank while copying: " + done + " of " + count + " bytes");
      }
      done += n;
    }
    return done;
  }

  /**
   * Renames a written temporary file to a new data file of {@code bucket} and fsyncs its directory.
   *
   * @return the data file's name relative to the bucket directory
   */
  String install(Written written, String bucket, boolean compressed) {
    String id = Ids.random();
    String name = id.substring(0, 2) + "/" + id + (compressed ? COMPRESSED_SUFFIX : "");
    Path target = dataPath(bucket, name);
    try {
      Path dir = target.getParent();
      DurableFiles.createDirectories(dir);
      move(written.file(), target);
      DurableFiles.fsyncDirectory(dir);
      return name;
    } catch (IOException e) {
      deleteQuietly(written.file());
      throw new UncheckedIOException("cannot install data file " + target, e);
    }
  }

  /** Renames a written temporary file into an upload's directory as a part file. */
  String installPart(Written written, String uploadId, int partNumber) {
    String name = partNumber + "-" + Ids.random() + ".part";
    Path dir = uploadDir(uploadId);
    try {
      DurableFiles.createDirectories(dir);
      move(written.file(), dir.resolve(name));
      DurableFiles.fsyncDirectory(dir);
      return name;
    } catch (IOException e) {
      deleteQuietly(written.file());
      throw new UncheckedIOException("cannot install part file in " + dir, e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  /**
   * Opens a data file's raw bytes from {@code start} for {@code length} bytes, decompressing a
   * compressed file (skipping to {@code start} through the decompressed stream).
   */
  static InputStream openRange(FileChannel ch, boolean compressed, long start, long length)
      throws IOException {
    if (!compressed) {
      ch.position(start);
      return new BoundedInputStream(Channels.newInputStream(ch), length);
    }
    InputStream in = new ZstdInputStream(Channels.newInputStream(ch));
    long skipped = 0;
    byte[] scratch = null;
    while (skipped < start) {
      long n = in.skip(start - skipped);
      if (n <= 0) {
        if (scratch == null) {
          scratch = new byte[BUFFER];
        }
        int r = in.read(scratch, 0, (int) Math.min(scratch.length, start - skipped));
        if (r < 0) {
          in.close();
          throw new IOException("compressed data file ends before byte " + start);
        }
        n = r;
      }
      skipped += n;
    }
    return new BoundedInputStream(in, length);
  }

  /**
   * Removes temporary files left by a crash. Called on open, before any write.
   *
   * @return how many files were removed
   */
  int sweepTemp() throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
      for (Path f : files) {
        DurableFiles.deleteRecursively(f);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Removes data files of {@code bucket} that no metadata row names (written but never committed,
   * or left behind after a version was replaced). Files that do not look like data files are left
   * alone and logged. Called on open, before any write.
   */
  int sweepBucket(String bucket, Set<String> referenced) throws IOException {
    Path dir = root.resolve(bucket);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(dir)) {
      for (Path shard : shards) {
        String shardName = shard.getFileName().toString();
        if (!Files.isDirectory(shard) || !SHARD.matcher(shardName).matches()) {
          LOG.warn("ignoring unexpected entry {} in the object store", shard);
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
          for (Path f : files) {
            String name = f.getFileName().toString();
            if (!DATA_FILE.matcher(name).matches()) {
              LOG.warn("ignoring unexpected file {} in the object store", f);
            } else if (!referenced.contains(shardName + "/" + name)) {
              Files.deleteIfExists(f);
              removed++;
            }
          }
        }
      }
    }
    return removed;
  }

  /** The directories of uploads under {@code .uploads}, by upload id. */
  List<String> uploadDirs() throws IOException {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(uploads)) {
      for (Path d : dirs) {
        ids.add(d.getFileName().toString());
      }
    }
    return ids;
  }

  /** Removes part files of an upload that no part row names. */
  int sweepUpload(String uploadId, Set<String> referenced) throws IOException {
    int removed = 0;
    Path dir = uploadDir(uploadId);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (!referenced.contains(f.getFileName().toString())) {
          Files.deleteIfExists(f);
          removed++;
        }
      }
    }
    return removed;
  }

  void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("cannot delete {}; it will be removed on the next start", file, e);
    }
  }

  private Path newTempFile() {
    return tmp.resolve(Ids.random() + ".tmp");
  }

  private static OutputStream sink(FileChannel ch, boolean compress) throws IOException {
    OutputStream raw = new ChannelOutputStream(ch);
    return compress ? new ZstdOutputStream(raw, 3) : raw;
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }

  /** Writes to a channel without closing it, so the caller can fsync after the stream closes. */
  private static final class ChannelOutputStream extends OutputStream {
    private final FileChannel ch;

    ChannelOutputStream(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }

    @Override
    public void close() {}
  }
}
