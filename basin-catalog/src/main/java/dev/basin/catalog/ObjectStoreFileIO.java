package dev.basin.catalog;

import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.DeleteOutcome;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectRef;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.PutOptions;
import dev.basin.spi.storage.SupportsLocalFiles;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.BulkDeletionFailureException;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsBulkOperations;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Iceberg's {@link org.apache.iceberg.io.FileIO} over Basin's {@link ObjectStore}: {@code
 * s3://bucket/key} (and {@code s3a://}, {@code s3n://}) locations name objects, so Spark and Trino
 * reading the same locations through Basin's S3 endpoint see the same bytes.
 *
 * <p>Reads use the object's local file directly when the store {@link SupportsLocalFiles has one},
 * ranged gets otherwise. Writes go to a temporary file and are put when the stream is closed, so an
 * object appears whole or not at all. Thread-safe; closing it does not close the store.
 */
final class ObjectStoreFileIO implements SupportsPrefixOperations, SupportsBulkOperations {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreFileIO.class);
  private static final int RANGE_BUFFER = 256 * 1024;
  private static final int DELETE_BATCH = 1000;

  private final transient ObjectStore store;
  private final transient Path tempDir;
  private final boolean readLocalFiles;
  private Map<String, String> properties = Map.of();

  /**
   * @param tempDir where writes are buffered, or null for the system's temporary folder
   */
  ObjectStoreFileIO(ObjectStore store, Path tempDir) {
    this(store, tempDir, true);
  }

  /**
   * @param readLocalFiles false to always read through ranged gets, even when the store has local
   *     files
   */
  ObjectStoreFileIO(ObjectStore store, Path tempDir, boolean readLocalFiles) {
    this.store = store;
    this.tempDir = tempDir;
    this.readLocalFiles = readLocalFiles;
  }

  @Override
  public void initialize(Map<String, String> props) {
    this.properties = Map.copyOf(props);
  }

  @Override
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public InputFile newInputFile(String location) {
    return new StoreInputFile(location, S3Location.parse(location), -1);
  }

  @Override
  public InputFile newInputFile(String location, long length) {
    return new StoreInputFile(location, S3Location.parse(location), length);
  }

  @Override
  public OutputFile newOutputFile(String location) {
    return new StoreOutputFile(location, S3Location.parse(location));
  }

  @Override
  public void deleteFile(String location) {
    S3Location loc = S3Location.parse(location);
    try {
      store.delete(loc.bucket(), loc.key(), null);
    } catch (ObjectStoreException e) {
      if (e.reason() != ObjectStoreException.Reason.NO_SUCH_BUCKET) {
        throw e;
      }
    }
  }

  @Override
  public void deleteFiles(Iterable<String> locations) throws BulkDeletionFailureException {
    Map<String, List<ObjectRef>> byBucket = new LinkedHashMap<>();
    int failed = 0;
    for (String location : locations) {
      S3Location loc = S3Location.parse(location);
      List<ObjectRef> batch = byBucket.computeIfAbsent(loc.bucket(), b -> new ArrayList<>());
      batch.add(ObjectRef.of(loc.key()));
      if (batch.size() == DELETE_BATCH) {
        failed += deleteBatch(loc.bucket(), batch);
        batch.clear();
      }
    }
    for (Map.Entry<String, List<ObjectRef>> e : byBucket.entrySet()) {
      if (!e.getValue().isEmpty()) {
        failed += deleteBatch(e.getKey(), e.getValue());
      }
    }
    if (failed > 0) {
      throw new BulkDeletionFailureException(failed);
    }
  }

  private int deleteBatch(String bucket, List<ObjectRef> refs) {
    int failed = 0;
    List<DeleteOutcome> outcomes;
    try {
      outcomes = store.deleteAll(bucket, List.copyOf(refs));
    } catch (ObjectStoreException e) {
      if (e.reason() == ObjectStoreException.Reason.NO_SUCH_BUCKET) {
        return 0;
      }
      LOG.warn("deleting {} objects in bucket {} failed: {}", refs.size(), bucket, e.getMessage());
      return refs.size();
    }
    for (DeleteOutcome outcome : outcomes) {
      if (!outcome.ok()) {
        failed++;
        LOG.warn(
            "deleting s3://{}/{} failed: {}",
            bucket,
            outcome.ref().key(),
            outcome.error().getMessage());
      }
    }
    return failed;
  }

  @Override
  public Iterable<FileInfo> listPrefix(String prefix) {
    S3Location loc = S3Location.parse(prefix);
    return () -> new ListingIterator(loc);
  }

  @Override
  public void deletePrefix(String prefix) {
    List<String> locations = new ArrayList<>();
    for (FileInfo info : listPrefix(prefix)) {
      locations.add(info.location());
    }
    deleteFiles(locations);
  }

  @Override
  public void close() {
    // The store belongs to whoever opened it.
  }

  /** Pages through a listing lazily. */
  private final class ListingIterator implements Iterator<FileInfo> {
    private final S3Location prefix;
    private Iterator<ObjectInfo> page = java.util.Collections.emptyIterator();
    private String startAfter;
    private boolean more = true;

    ListingIterator(S3Location prefix) {
      this.prefix = prefix;
    }

    @Override
    public boolean hasNext() {
      while (!page.hasNext() && more) {
        ListPage result;
        try {
          result =
              store.list(prefix.bucket(), new ListRequest(prefix.key(), null, startAfter, 1000));
        } catch (ObjectStoreException e) {
          if (e.reason() == ObjectStoreException.Reason.NO_SUCH_BUCKET) {
            more = false;
            return false;
          }
          throw e;
        }
        page = result.objects().iterator();
        more = result.truncated();
        startAfter = result.nextStartAfter();
      }
      return page.hasNext();
    }

    @Override
    public FileInfo next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ObjectInfo info = page.next();
      return new FileInfo(
          prefix.withKey(info.key()).toString(), info.size(), info.lastModified().toEpochMilli());
    }
  }

  private final class StoreInputFile implements InputFile {
    private final String location;
    private final S3Location loc;
    private long length;

    StoreInputFile(String location, S3Location loc, long length) {
      this.location = location;
      this.loc = loc;
      this.length = length;
    }

    @Override
    public long getLength() {
      if (length < 0) {
        length = head().size();
      }
      return length;
    }

    private ObjectInfo head() {
      try {
        return store.head(loc.bucket(), loc.key(), null);
      } catch (ObjectStoreException e) {
        throw notFoundOr(e);
      }
    }

    @Override
    public SeekableInputStream newStream() {
      if (readLocalFiles && store instanceof SupportsLocalFiles local) {
        Optional<Path> file;
        try {
          file = local.localFile(loc.bucket(), loc.key());
        } catch (ObjectStoreException e) {
          throw notFoundOr(e);
        }
        if (file.isPresent()) {
          try {
            return new FileChannelInputStream(FileChannel.open(file.get()));
          } catch (NoSuchFileException e) {
            // Replaced or deleted between the lookup and the open: fall back to the store.
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      return new RangedInputStream(loc, getLength());
    }

    @Override
    public String location() {
      return location;
    }

    @Override
    public boolean exists() {
      try {
        store.head(loc.bucket(), loc.key(), null);
        return true;
      } catch (ObjectStoreException e) {
        if (isMissing(e)) {
          return false;
        }
        throw e;
      }
    }

    private RuntimeException notFoundOr(ObjectStoreException e) {
      if (isMissing(e)) {
        return new NotFoundException(e, "File does not exist: %s", location);
      }
      return e;
    }
  }

  private static boolean isMissing(ObjectStoreException e) {
    return e.reason() == ObjectStoreException.Reason.NO_SUCH_KEY
        || e.reason() == ObjectStoreException.Reason.NO_SUCH_BUCKET;
  }

  private final class StoreOutputFile implements OutputFile {
    private final String location;
    private final S3Location loc;

    StoreOutputFile(String location, S3Location loc) {
      this.location = location;
      this.loc = loc;
    }

    @Override
    public PositionOutputStream create() {
      if (toInputFile().exists()) {
        throw new AlreadyExistsException("Location already exists: %s", location);
      }
      return open(true);
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
      return open(false);
    }

    private PositionOutputStream open(boolean mustNotExist) {
      try {
        if (tempDir != null) {
          Files.createDirectories(tempDir);
        }
        Path temp =
            tempDir == null
                ? Files.createTempFile("basin-fileio-", ".tmp")
                : Files.createTempFile(tempDir, "basin-fileio-", ".tmp");
        return new TempFileOutputStream(loc, location, temp, mustNotExist);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String location() {
      return location;
    }

    @Override
    public InputFile toInputFile() {
      return new StoreInputFile(location, loc, -1);
    }
  }

  /** Buffers to a temporary file; the object is put on {@link #close()}. */
  private final class TempFileOutputStream extends PositionOutputStream {
    private final S3Location loc;
    private final String location;
    private final Path temp;
    private final boolean mustNotExist;
    private final OutputStream out;
    private long pos;
    private boolean closed;

    TempFileOutputStream(S3Location loc, String location, Path temp, boolean mustNotExist)
        throws IOException {
      this.loc = loc;
      this.location = location;
      this.temp = temp;
      this.mustNotExist = mustNotExist;
      this.out = new BufferedOutputStream(Files.newOutputStream(temp), 64 * 1024);
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      pos++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      pos += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        out.close();
        PutOptions options = new PutOptions(null, null, mustNotExist, null);
        try (InputStream in = Files.newInputStream(temp)) {
          store.put(loc.bucket(), loc.key(), in, pos, options);
        } catch (ObjectStoreException e) {
          if (e.reason() == ObjectStoreException.Reason.ALREADY_EXISTS) {
            throw new AlreadyExistsException(e, "Location already exists: %s", location);
          }
          throw e;
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Reads a local file through a channel; positional reads, so seeks are free. */
  private static final class FileChannelInputStream extends SeekableInputStream {
    private final FileChannel channel;
    private long pos;

    FileChannelInputStream(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos < 0) {
        throw new EOFException("cannot seek to negative position " + newPos);
      }
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      ByteBuffer one = ByteBuffer.allocate(1);
      int n = channel.read(one, pos);
      if (n <= 0) {
        return -1;
      }
      pos++;
      return one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = channel.read(ByteBuffer.wrap(b, off, len), pos);
      if (n > 0) {
        pos += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long target = Math.min(channel.size(), pos + Math.max(0, n));
      long skipped = target - pos;
      pos = target;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(0, channel.size() - pos));
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /**
   * Reads through ranged gets: small reads are served from a buffer filled by one get, reads larger
   * than the buffer go to the store directly.
   */
  private final class RangedInputStream extends SeekableInputStream {
    private final S3Location loc;
    private final long length;
    private final byte[] buffer = new byte[RANGE_BUFFER];
    private long bufferStart;
    private int bufferLength;
    private long pos;
    private boolean closed;

    RangedInputStream(S3Location loc, long length) {
      this.loc = loc;
      this.length = length;
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos < 0) {
        throw new EOFException("cannot seek to negative position " + newPos);
      }
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("stream closed: " + loc);
      }
      if (len == 0) {
        return 0;
      }
      if (pos >= length) {
        return -1;
      }
      int want = (int) Math.min(len, length - pos);
      if (pos >= bufferStart && pos + want <= bufferStart + bufferLength) {
        System.arraycopy(buffer, (int) (pos - bufferStart), b, off, want);
        pos += want;
        return want;
      }
      if (want >= buffer.length) {
        int n = fetch(pos, b, off, want);
        pos += n;
        return n;
      }
      bufferStart = pos;
      bufferLength = fetch(pos, buffer, 0, (int) Math.min(buffer.length, length - pos));
      int n = Math.min(want, bufferLength);
      System.arraycopy(buffer, 0, b, off, n);
      pos += n;
      return n;
    }

    private int fetch(long from, byte[] into, int off, int len) throws IOException {
      try (ObjectContent content =
          store.get(
              loc.bucket(), loc.key(), GetOptions.range(ByteRange.of(from, from + len - 1)))) {
        int total = 0;
        InputStream in = content.stream();
        while (total < len) {
          int n = in.read(into, off + total, len - total);
          if (n < 0) {
            break;
          }
          total += n;
        }
        if (total == 0) {
          throw new EOFException("no bytes at offset " + from + " of " + loc);
        }
        return total;
      } catch (ObjectStoreException e) {
        if (isMissing(e)) {
          throw new NotFoundException(e, "File does not exist: %s", loc);
        }
        throw e;
      }
    }

    @Override
    public long skip(long n) {
      long target = Math.min(length, pos + Math.max(0, n));
      long skipped = target - pos;
      pos = target;
      return skipped;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(0, length - pos));
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
