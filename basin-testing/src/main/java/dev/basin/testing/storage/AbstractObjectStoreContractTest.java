package dev.basin.testing.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.basin.spi.storage.BucketInfo;
import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.CopyRequest;
import dev.basin.spi.storage.DeleteMarkerException;
import dev.basin.spi.storage.DeleteOutcome;
import dev.basin.spi.storage.DeleteResult;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.LifecycleRule;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectEvent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectRef;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.ObjectStoreException.Reason;
import dev.basin.spi.storage.PartInfo;
import dev.basin.spi.storage.PartsPage;
import dev.basin.spi.storage.PutOptions;
import dev.basin.spi.storage.SupportsLifecycle;
import dev.basin.spi.storage.SupportsObjectEvents;
import dev.basin.spi.storage.SupportsObjectTagging;
import dev.basin.spi.storage.SupportsVersioning;
import dev.basin.spi.storage.UploadsPage;
import dev.basin.spi.storage.UploadsRequest;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersionPage;
import dev.basin.spi.storage.VersioningStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link ObjectStore} shares, as S3 defines it. An implementation's test
 * extends this class and supplies a fresh, empty store per test. Tests of optional abilities
 * (versioning, lifecycle configuration, events) run only when the store implements them.
 */
public abstract class AbstractObjectStoreContractTest {
  protected static final String BUCKET = "contract";

  protected ObjectStore store;

  /** A new, empty store. Called before each test; the test closes it. */
  protected abstract ObjectStore createStore() throws Exception;

  /** The minimum size of a multipart part other than the last that the store enforces. */
  protected abstract long minPartSize();

  @BeforeEach
  void openStore() throws Exception {
    store = createStore();
    store.createBucket(BUCKET);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---- helpers

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  protected static String md5Hex(byte[]... chunks) {
    return HexFormat.of().formatHex(md5(chunks));
  }

  protected static byte[] md5(byte[]... chunks) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      for (byte[] c : chunks) {
        md.update(c);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  protected ObjectInfo put(String bucket, String key, byte[] data) {
    return store.put(
        bucket, key, new ByteArrayInputStream(data), data.length, PutOptions.defaults());
  }

  protected ObjectInfo put(String key, String data) {
    return put(BUCKET, key, bytes(data));
  }

  protected static byte[] readAll(ObjectContent content) {
    try (content;
        InputStream in = content.stream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  protected byte[] get(String bucket, String key) {
    return readAll(store.get(bucket, key, GetOptions.current()));
  }

  protected String getString(String key) {
    return new String(get(BUCKET, key), StandardCharsets.UTF_8);
  }

  protected static ObjectStoreException assertFails(Reason reason, ThrowingCallable call) {
    List<ObjectStoreException> caught = new ArrayList<>();
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ObjectStoreException.class,
            e -> {
              assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
              caught.add(e);
            });
    return caught.get(0);
  }

  protected List<String> keys(ListPage page) {
    return page.objects().stream().map(ObjectInfo::key).toList();
  }

  // ---- buckets

  @Test
  void bucketsAreCreatedListedAndDeleted() {
    BucketInfo b = store.createBucket("beta.2");
    store.createBucket("alpha-1");
    assertThat(b.name()).isEqualTo("beta.2");
    assertThat(b.created()).isNotNull();
    assertThat(store.listBuckets())
        .extracting(BucketInfo::name)
        .containsExactly("alpha-1", "beta.2", BUCKET);
    assertThat(store.bucket("alpha-1")).isPresent();
    store.deleteBucket("alpha-1");
    assertThat(store.bucket("alpha-1")).isEmpty();
    assertThat(store.listBuckets()).extracting(BucketInfo::name).containsExactly("beta.2", BUCKET);
  }

  @Test
  void creatingAnExistingBucketFails() {
    ObjectStoreException e =
        assertFails(Reason.BUCKET_ALREADY_EXISTS, () -> store.createBucket(BUCKET));
    assertThat(e.getMessage()).contains(BUCKET);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ab",
        "Upper-case",
        "-starts-with-hyphen",
        "ends-with-hyphen-",
        "two..dots",
        "192.168.1.1",
        "under_score",
        "space in name",
        "a234567890123456789012345678901234567890123456789012345678901234",
        ".hidden"
      })
  void invalidBucketNamesAreRejected(String name) {
    ObjectStoreException e =
        assertFails(Reason.INVALID_BUCKET_NAME, () -> store.createBucket(name));
    assertThat(e.getMessage()).contains(name);
    assertThat(store.bucket(name)).isEmpty();
  }

  @Test
  void aBucketWithObjectsOrUploadsCannotBeDeleted() {
    put("k", "v");
    assertFails(Reason.BUCKET_NOT_EMPTY, () -> store.deleteBucket(BUCKET));
    store.delete(BUCKET, "k", null);
    MultipartUpload upload = store.createMultipartUpload(BUCKET, "big", PutOptions.defaults());
    assertFails(Reason.BUCKET_NOT_EMPTY, () -> store.deleteBucket(BUCKET));
    store.abortMultipartUpload(BUCKET, "big", upload.uploadId());
    store.deleteBucket(BUCKET);
    assertThat(store.bucket(BUCKET)).isEmpty();
  }

  @Test
  void operationsOnAMissingBucketFail() {
    ObjectStoreException e =
        assertFails(Reason.NO_SUCH_BUCKET, () -> put("missing", "k", bytes("v")));
    assertThat(e.getMessage()).contains("missing");
    assertFails(Reason.NO_SUCH_BUCKET, () -> store.get("missing", "k", GetOptions.current()));
    assertFails(Reason.NO_SUCH_BUCKET, () -> store.head("missing", "k", null));
    assertFails(Reason.NO_SUCH_BUCKET, () -> store.list("missing", ListRequest.prefix("")));
    assertFails(Reason.NO_SUCH_BUCKET, () -> store.delete("missing", "k", null));
    assertFails(Reason.NO_SUCH_BUCKET, () -> store.deleteBucket("missing"));
    assertFails(
        Reason.NO_SUCH_BUCKET,
        () -> store.createMultipartUpload("missing", "k", PutOptions.defaults()));
  }

  // ---- put, get, head

  @Test
  void putThenGetReturnsTheBytesAndMd5ETag() {
    byte[] data = random(100_000, 1);
    ObjectInfo info = put(BUCKET, "dir/file.bin", data);
    assertThat(info.bucket()).isEqualTo(BUCKET);
    assertThat(info.key()).isEqualTo("dir/file.bin");
    assertThat(info.size()).isEqualTo(data.length);
    assertThat(info.etag()).isEqualTo(md5Hex(data));
    assertThat(info.parts()).isZero();
    assertThat(info.deleteMarker()).isFalse();
    assertThat(info.storageClass()).isEqualTo(ObjectInfo.STANDARD);
    assertThat(info.metadata().contentType()).isEqualTo(ObjectMetadata.DEFAULT_CONTENT_TYPE);
    assertThat(get(BUCKET, "dir/file.bin")).isEqualTo(data);
    ObjectInfo head = store.head(BUCKET, "dir/file.bin", null);
    assertThat(head.etag()).isEqualTo(info.etag());
    assertThat(head.size()).isEqualTo(data.length);
    assertThat(head.lastModified()).isEqualTo(info.lastModified());
  }

  @Test
  void emptyAndUnknownLengthBodiesAreStored() {
    ObjectInfo empty = put(BUCKET, "empty", new byte[0]);
    assertThat(empty.size()).isZero();
    assertThat(empty.etag()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
    assertThat(get(BUCKET, "empty")).isEmpty();
    byte[] data = random(70_000, 2);
    ObjectInfo unknown =
        store.put(BUCKET, "unknown", new ByteArrayInputStream(data), -1, PutOptions.defaults());
    assertThat(unknown.size()).isEqualTo(data.length);
    assertThat(get(BUCKET, "unknown")).isEqualTo(data);
  }

  @Test
  void aPutReplacesTheObject() {
    put("k", "first");
    ObjectInfo second = put("k", "second version");
    assertThat(getString("k")).isEqualTo("second version");
    assertThat(store.head(BUCKET, "k", null).etag()).isEqualTo(second.etag());
    assertThat(keys(store.list(BUCKET, ListRequest.prefix("")))).containsExactly("k");
  }

  @Test
  void aShortBodyFailsAndLeavesTheOldObject() {
    put("k", "old");
    assertFails(
        Reason.INCOMPLETE_BODY,
        () ->
            store.put(
                BUCKET, "k", new ByteArrayInputStream(bytes("12345")), 10, PutOptions.defaults()));
    assertThat(getString("k")).isEqualTo("old");
    assertFails(
        Reason.INCOMPLETE_BODY,
        () ->
            store.put(
                BUCKET, "new", new ByteArrayInputStream(bytes("12")), 3, PutOptions.defaults()));
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "new", null));
  }

  @Test
  void aBodyStreamThatFailsStoresNothing() {
    put("k", "old");
    InputStream failing =
        new InputStream() {
          private int served;

          @Override
          public int read() throws IOException {
            if (served++ < 1000) {
              return 'x';
            }
            throw new IOException("connection reset by peer");
          }
        };
    assertFails(
        Reason.INCOMPLETE_BODY, () -> store.put(BUCKET, "k", failing, 5000, PutOptions.defaults()));
    assertThat(getString("k")).isEqualTo("old");
  }

  @Test
  void aBodyLongerThanTheLengthIsCutAtTheLength() {
    ObjectInfo info =
        store.put(
            BUCKET, "k", new ByteArrayInputStream(bytes("0123456789")), 4, PutOptions.defaults());
    assertThat(info.size()).isEqualTo(4);
    assertThat(getString("k")).isEqualTo("0123");
  }

  @Test
  void contentMd5IsChecked() {
    byte[] data = bytes("checked body");
    String good = Base64.getEncoder().encodeToString(md5(data));
    String bad = Base64.getEncoder().encodeToString(md5(bytes("other")));
    ObjectInfo ok =
        store.put(
            BUCKET,
            "k",
            new ByteArrayInputStream(data),
            data.length,
            new PutOptions(null, good, false, null));
    assertThat(ok.etag()).isEqualTo(md5Hex(data));
    assertFails(
        Reason.BAD_DIGEST,
        () ->
            store.put(
                BUCKET,
                "k",
                new ByteArrayInputStream(bytes("tampered")),
                8,
                new PutOptions(null, bad, false, null)));
    assertThat(getString("k")).isEqualTo("checked body");
    assertFails(
        Reason.BAD_DIGEST,
        () ->
            store.put(
                BUCKET,
                "other",
                new ByteArrayInputStream(data),
                data.length,
                new PutOptions(null, "not base64!", false, null)));
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "other", null));
  }

  @Test
  void ifNoneMatchRefusesToReplace() {
    PutOptions once = new PutOptions(null, null, true, null);
    store.put(BUCKET, "k", new ByteArrayInputStream(bytes("a")), 1, once);
    assertFails(
        Reason.ALREADY_EXISTS,
        () -> store.put(BUCKET, "k", new ByteArrayInputStream(bytes("b")), 1, once));
    assertThat(getString("k")).isEqualTo("a");
  }

  @Test
  void metadataRoundTrips() {
    ObjectMetadata md =
        new ObjectMetadata(
            "application/json",
            "gzip",
            "attachment; filename=\"x.json\"",
            "max-age=60",
            "de-CH",
            Map.of("owner", "team-a", "empty", ""),
            Map.of("tier", "gold", "pii", "no"));
    ObjectInfo put =
        store.put(BUCKET, "m", new ByteArrayInputStream(bytes("{}")), 2, PutOptions.of(md));
    assertThat(put.metadata()).isEqualTo(md);
    assertThat(store.head(BUCKET, "m", null).metadata()).isEqualTo(md);
    try (ObjectContent c = store.get(BUCKET, "m", GetOptions.current())) {
      assertThat(c.info().metadata()).isEqualTo(md);
    }
    assertThat(store.list(BUCKET, ListRequest.prefix("m")).objects().get(0).metadata())
        .isEqualTo(md);
  }

  @Test
  void rangesInEveryForm() {
    byte[] data = bytes("0123456789");
    put(BUCKET, "r", data);
    assertRange("r", ByteRange.of(2, 5), "2345", 2, 5);
    assertRange("r", ByteRange.of(8, 100), "89", 8, 9);
    assertRange("r", ByteRange.from(7), "789", 7, 9);
    assertRange("r", ByteRange.suffix(3), "789", 7, 9);
    assertRange("r", ByteRange.suffix(50), "0123456789", 0, 9);
    assertRange("r", ByteRange.of(0, 0), "0", 0, 0);
    assertFails(
        Reason.INVALID_RANGE, () -> store.get(BUCKET, "r", GetOptions.range(ByteRange.from(10))));
    assertFails(
        Reason.INVALID_RANGE, () -> store.get(BUCKET, "r", GetOptions.range(ByteRange.suffix(0))));
  }

  private void assertRange(String key, ByteRange range, String expected, long start, long end) {
    try (ObjectContent c = store.get(BUCKET, key, GetOptions.range(range))) {
      assertThat(c.range()).isEqualTo(new ByteRange.Resolved(start, end, 10));
      assertThat(c.length()).isEqualTo(expected.length());
      assertThat(new String(readAll(c), StandardCharsets.UTF_8)).isEqualTo(expected);
    }
  }

  @Test
  void largeRangesAreExact() {
    byte[] data = random(1_000_000, 3);
    put(BUCKET, "big", data);
    try (ObjectContent c =
        store.get(BUCKET, "big", GetOptions.range(ByteRange.of(123_456, 765_432)))) {
      byte[] part = readAll(c);
      assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(data, 123_456, 765_433));
    }
  }

  @Test
  void missingObjectsAreReported() {
    ObjectStoreException e =
        assertFails(Reason.NO_SUCH_KEY, () -> store.get(BUCKET, "nope", GetOptions.current()));
    assertThat(e.getMessage()).contains("nope").contains(BUCKET);
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "nope", null));
  }

  @Test
  void keysThatAreNotFileSystemPaths() {
    List<String> keys =
        List.of(
            "a",
            "a/b",
            "a/b/c",
            "dir/",
            "dir/x",
            "a//b",
            "trailing/",
            "sp ace",
            "ü/ñ",
            "%2F",
            "a.",
            "..a",
            "a/.b");
    for (String k : keys) {
      put(k, "value of " + k);
    }
    for (String k : keys) {
      assertThat(getString(k)).isEqualTo("value of " + k);
    }
    assertThat(keys(store.list(BUCKET, ListRequest.prefix(""))))
        .containsExactlyInAnyOrderElementsOf(keys);
  }

  @Test
  void badKeysAreRejectedWithTheirReason() {
    assertFails(Reason.INVALID_KEY, () -> put("", ""));
    ObjectStoreException abs = assertFails(Reason.INVALID_KEY, () -> put("/etc/passwd", "x"));
    assertThat(abs.getMessage()).contains("/etc/passwd");
    assertFails(Reason.INVALID_KEY, () -> put("a/../b", "x"));
    assertFails(Reason.INVALID_KEY, () -> put("..", "x"));
    assertFails(Reason.INVALID_KEY, () -> put("./a", "x"));
    assertFails(Reason.INVALID_KEY, () -> put("a/.", "x"));
    assertFails(Reason.INVALID_KEY, () -> put("nul\u0000byte", "x"));
    assertFails(Reason.INVALID_KEY, () -> put("new\nline", "x"));
    assertFails(Reason.KEY_TOO_LONG, () -> put("k".repeat(1025), "x"));
    assertFails(Reason.KEY_TOO_LONG, () -> put("é".repeat(513), "x"));
    put("é".repeat(512), "max");
    assertThat(getString("é".repeat(512))).isEqualTo("max");
    assertFails(Reason.INVALID_KEY, () -> store.get(BUCKET, "/x", GetOptions.current()));
    assertThat(keys(store.list(BUCKET, ListRequest.prefix("")))).containsExactly("é".repeat(512));
  }

  // ---- list

  @Test
  void listsInUtf8BinaryOrder() {
    List<String> keys = List.of("a", "b", "é", "\uFFFD", "😀", "Z", "~", "ab", "a b");
    for (String k : keys) {
      put(k, k);
    }
    assertThat(keys(store.list(BUCKET, ListRequest.prefix(""))))
        .containsExactly("Z", "a", "a b", "ab", "b", "~", "é", "\uFFFD", "😀");
  }

  @Test
  void listsByPrefixAndDelimiter() {
    for (String k :
        List.of("logs/2024/a", "logs/2024/b", "logs/2025/c", "logs/top", "logsx", "other/x")) {
      put(k, k);
    }
    ListPage root = store.list(BUCKET, new ListRequest("", "/", null, 1000));
    assertThat(keys(root)).containsExactly("logsx");
    assertThat(root.commonPrefixes()).containsExactly("logs/", "other/");
    assertThat(root.truncated()).isFalse();
    assertThat(root.nextStartAfter()).isNull();

    ListPage logs = store.list(BUCKET, new ListRequest("logs/", "/", null, 1000));
    assertThat(keys(logs)).containsExactly("logs/top");
    assertThat(logs.commonPrefixes()).containsExactly("logs/2024/", "logs/2025/");

    assertThat(keys(store.list(BUCKET, ListRequest.prefix("logs/2024/"))))
        .containsExactly("logs/2024/a", "logs/2024/b");
    assertThat(keys(store.list(BUCKET, new ListRequest("logs", null, "logs/2025/c", 1000))))
        .containsExactly("logs/top", "logsx");
    assertThat(keys(store.list(BUCKET, ListRequest.prefix("nothing")))).isEmpty();
  }

  @Test
  void paginatesAndResumesAfterACommonPrefix() {
    List<String> all = new ArrayList<>();
    for (String dir : List.of("a", "b", "c")) {
      for (int i = 0; i < 4; i++) {
        all.add(dir + "/" + i);
      }
      all.add(dir + "-file");
    }
    for (String k : all) {
      put(k, k);
    }
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    while (true) {
      ListPage page = store.list(BUCKET, new ListRequest("", "/", after, 2));
      pages++;
      List<String> entries = new ArrayList<>(keys(page));
      entries.addAll(page.commonPrefixes());
      entries.sort(null);
      assertThat(entries.size()).isLessThanOrEqualTo(2);
      seen.addAll(entries);
      if (!page.truncated()) {
        assertThat(page.nextStartAfter()).isNull();
        break;
      }
      assertThat(page.nextStartAfter()).isEqualTo(entries.get(entries.size() - 1));
      after = page.nextStartAfter();
    }
    assertThat(seen).containsExactly("a-file", "a/", "b-file", "b/", "c-file", "c/");
    assertThat(pages).isEqualTo(3);

    ListPage afterPrefix = store.list(BUCKET, new ListRequest("", "/", "a/", 1000));
    assertThat(keys(afterPrefix)).containsExactly("b-file", "c-file");
    assertThat(afterPrefix.commonPrefixes()).containsExactly("b/", "c/");

    List<String> flat = new ArrayList<>();
    after = null;
    do {
      ListPage page = store.list(BUCKET, new ListRequest("", null, after, 5));
      flat.addAll(keys(page));
      after = page.nextStartAfter();
    } while (after != null);
    assertThat(flat).isEqualTo(all.stream().sorted().toList());
  }

  @Test
  void maxKeysZeroReturnsNothing() {
    put("k", "v");
    ListPage page = store.list(BUCKET, new ListRequest("", null, null, 0));
    assertThat(page.objects()).isEmpty();
    assertThat(page.commonPrefixes()).isEmpty();
  }

  // ---- delete

  @Test
  void deletesOneObjectAndMissingKeysSucceed() {
    put("k", "v");
    DeleteResult r = store.delete(BUCKET, "k", null);
    assertThat(r.key()).isEqualTo("k");
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "k", null));
    store.delete(BUCKET, "k", null);
    store.delete(BUCKET, "never-was", null);
    assertFails(Reason.INVALID_KEY, () -> store.delete(BUCKET, "/abs", null));
  }

  @Test
  void deletesInBatchesWithPerObjectOutcomes() {
    put("a", "1");
    put("b", "2");
    put("c", "3");
    List<DeleteOutcome> outcomes =
        store.deleteAll(
            BUCKET,
            List.of(
                ObjectRef.of("a"), ObjectRef.of(""), ObjectRef.of("missing"), ObjectRef.of("c")));
    assertThat(outcomes).hasSize(4);
    assertThat(outcomes.get(0).ok()).isTrue();
    assertThat(outcomes.get(0).result().key()).isEqualTo("a");
    assertThat(outcomes.get(1).ok()).isFalse();
    assertThat(outcomes.get(1).error().reason()).isEqualTo(Reason.INVALID_KEY);
    assertThat(outcomes.get(2).ok()).isTrue();
    assertThat(outcomes.get(3).ok()).isTrue();
    assertThat(keys(store.list(BUCKET, ListRequest.prefix("")))).containsExactly("b");
  }

  // ---- copy

  @Test
  void copyKeepsOrReplacesMetadata() {
    ObjectMetadata md =
        new ObjectMetadata("text/csv", null, null, null, null, Map.of("a", "1"), Map.of());
    byte[] data = random(50_000, 4);
    ObjectInfo src =
        store.put(BUCKET, "src", new ByteArrayInputStream(data), data.length, PutOptions.of(md));
    store.createBucket("target");
    ObjectInfo kept =
        store.copy(new CopyRequest(BUCKET, ObjectRef.of("src"), "target", "copy", null, null));
    assertThat(kept.metadata()).isEqualTo(md);
    assertThat(kept.etag()).isEqualTo(src.etag());
    assertThat(kept.bucket()).isEqualTo("target");
    assertThat(get("target", "copy")).isEqualTo(data);

    ObjectMetadata replaced = ObjectMetadata.ofContentType("application/octet-stream");
    ObjectInfo repl =
        store.copy(new CopyRequest(BUCKET, ObjectRef.of("src"), BUCKET, "copy2", replaced, null));
    assertThat(repl.metadata()).isEqualTo(replaced);
    assertThat(store.head(BUCKET, "copy2", null).metadata()).isEqualTo(replaced);
    assertThat(get(BUCKET, "copy2")).isEqualTo(data);
  }

  @Test
  void copyOntoItselfNeedsNewMetadata() {
    put("self", "x");
    assertFails(
        Reason.INVALID_REQUEST,
        () ->
            store.copy(new CopyRequest(BUCKET, ObjectRef.of("self"), BUCKET, "self", null, null)));
    ObjectMetadata md = ObjectMetadata.ofContentType("text/plain");
    ObjectInfo info =
        store.copy(new CopyRequest(BUCKET, ObjectRef.of("self"), BUCKET, "self", md, null));
    assertThat(info.metadata().contentType()).isEqualTo("text/plain");
    assertThat(getString("self")).isEqualTo("x");
  }

  @Test
  void copyFailuresNameWhatIsMissing() {
    put("src", "x");
    assertFails(
        Reason.NO_SUCH_KEY,
        () -> store.copy(new CopyRequest(BUCKET, ObjectRef.of("nope"), BUCKET, "t", null, null)));
    assertFails(
        Reason.NO_SUCH_BUCKET,
        () ->
            store.copy(new CopyRequest(BUCKET, ObjectRef.of("src"), "no-bucket", "t", null, null)));
    assertFails(
        Reason.NO_SUCH_BUCKET,
        () ->
            store.copy(new CopyRequest("no-bucket", ObjectRef.of("src"), BUCKET, "t", null, null)));
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "t", null));
  }

  // ---- multipart

  private PartInfo uploadPart(MultipartUpload u, int number, byte[] data) {
    return store.uploadPart(
        u.bucket(),
        u.key(),
        u.uploadId(),
        number,
        new ByteArrayInputStream(data),
        data.length,
        null);
  }

  @Test
  void multipartUploadAssemblesPartsWithS3ETag() {
    int min = (int) minPartSize();
    byte[] p1 = random(min, 10);
    byte[] p2 = random(min + 17, 11);
    byte[] p3 = random(123, 12);
    ObjectMetadata md = ObjectMetadata.ofContentType("application/x-parquet");
    MultipartUpload u = store.createMultipartUpload(BUCKET, "mp/obj", PutOptions.of(md));
    assertThat(u.key()).isEqualTo("mp/obj");
    assertThat(u.uploadId()).isNotBlank();
    PartInfo i1 = uploadPart(u, 1, p1);
    PartInfo i2 = uploadPart(u, 2, p2);
    PartInfo i3 = uploadPart(u, 3, p3);
    assertThat(i1.etag()).isEqualTo(md5Hex(p1));
    assertThat(i2.size()).isEqualTo(p2.length);
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "mp/obj", null));

    ObjectInfo done =
        store.completeMultipartUpload(
            BUCKET,
            "mp/obj",
            u.uploadId(),
            List.of(
                new CompletedPart(1, i1.etag()),
                new CompletedPart(2, "\"" + i2.etag() + "\""),
                new CompletedPart(3, i3.etag())));
    String expected = HexFormat.of().formatHex(md5(md5(p1), md5(p2), md5(p3))) + "-3";
    assertThat(done.etag()).isEqualTo(expected);
    assertThat(done.parts()).isEqualTo(3);
    assertThat(done.size()).isEqualTo(p1.length + p2.length + p3.length);
    assertThat(done.metadata()).isEqualTo(md);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(p1);
    all.writeBytes(p2);
    all.writeBytes(p3);
    assertThat(get(BUCKET, "mp/obj")).isEqualTo(all.toByteArray());
    assertThat(store.head(BUCKET, "mp/obj", null).etag()).isEqualTo(expected);
    assertThat(
            store.listMultipartUploads(BUCKET, new UploadsRequest("", null, null, 1000)).uploads())
        .isEmpty();
    assertFails(
        Reason.NO_SUCH_UPLOAD, () -> store.listParts(BUCKET, "mp/obj", u.uploadId(), 0, 1000));
  }

  @Test
  void aPartUploadedAgainReplacesTheOldOne() {
    MultipartUpload u = store.createMultipartUpload(BUCKET, "k", PutOptions.defaults());
    PartInfo first = uploadPart(u, 1, bytes("first"));
    PartInfo second = uploadPart(u, 1, bytes("second"));
    assertThat(store.listParts(BUCKET, "k", u.uploadId(), 0, 100).parts())
        .extracting(PartInfo::etag)
        .containsExactly(second.etag());
    assertFails(
        Reason.INVALID_PART,
        () ->
            store.completeMultipartUpload(
                BUCKET, "k", u.uploadId(), List.of(new CompletedPart(1, first.etag()))));
    store.completeMultipartUpload(
        BUCKET, "k", u.uploadId(), List.of(new CompletedPart(1, second.etag())));
    assertThat(getString("k")).isEqualTo("second");
  }

  @Test
  void completeChecksOrderPartsAndSizes() {
    byte[] small = bytes("tiny");
    MultipartUpload u = store.createMultipartUpload(BUCKET, "k", PutOptions.defaults());
    PartInfo a = uploadPart(u, 1, small);
    PartInfo b = uploadPart(u, 2, small);
    assertFails(
        Reason.INVALID_PART_ORDER,
        () ->
            store.completeMultipartUpload(
                BUCKET,
                "k",
                u.uploadId(),
                List.of(new CompletedPart(2, b.etag()), new CompletedPart(1, a.etag()))));
    assertFails(
        Reason.INVALID_PART_ORDER,
        () ->
            store.completeMultipartUpload(
                BUCKET,
                "k",
                u.uploadId(),
                List.of(new CompletedPart(1, a.etag()), new CompletedPart(1, a.etag()))));
    assertFails(
        Reason.INVALID_PART,
        () ->
            store.completeMultipartUpload(
                BUCKET, "k", u.uploadId(), List.of(new CompletedPart(7, a.etag()))));
    ObjectStoreException tooSmall =
        assertFails(
            Reason.ENTITY_TOO_SMALL,
            () ->
                store.completeMultipartUpload(
                    BUCKET,
                    "k",
                    u.uploadId(),
                    List.of(new CompletedPart(1, a.etag()), new CompletedPart(2, b.etag()))));
    assertThat(tooSmall.getMessage()).contains("part 1");
    assertFails(
        Reason.INVALID_REQUEST,
        () -> store.completeMultipartUpload(BUCKET, "k", u.uploadId(), List.of()));
    assertFails(Reason.INVALID_ARGUMENT, () -> uploadPart(u, 0, small));
    assertFails(Reason.INVALID_ARGUMENT, () -> uploadPart(u, 10_001, small));
    // the failures left the upload intact: a single small last part completes
    ObjectInfo done =
        store.completeMultipartUpload(
            BUCKET, "k", u.uploadId(), List.of(new CompletedPart(2, b.etag())));
    assertThat(done.parts()).isEqualTo(1);
    assertThat(getString("k")).isEqualTo("tiny");
  }

  @Test
  void abortRemovesTheUpload() {
    MultipartUpload u = store.createMultipartUpload(BUCKET, "k", PutOptions.defaults());
    PartInfo p = uploadPart(u, 1, bytes("x"));
    store.abortMultipartUpload(BUCKET, "k", u.uploadId());
    assertThat(
            store.listMultipartUploads(BUCKET, new UploadsRequest("", null, null, 100)).uploads())
        .isEmpty();
    assertFails(Reason.NO_SUCH_UPLOAD, () -> uploadPart(u, 2, bytes("y")));
    assertFails(
        Reason.NO_SUCH_UPLOAD,
        () ->
            store.completeMultipartUpload(
                BUCKET, "k", u.uploadId(), List.of(new CompletedPart(1, p.etag()))));
    assertFails(Reason.NO_SUCH_UPLOAD, () -> store.abortMultipartUpload(BUCKET, "k", u.uploadId()));
    assertFails(
        Reason.NO_SUCH_UPLOAD, () -> store.abortMultipartUpload(BUCKET, "k", "no-such-upload"));
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "k", null));
  }

  @Test
  void uploadIdsBelongToTheirKey() {
    MultipartUpload u = store.createMultipartUpload(BUCKET, "k", PutOptions.defaults());
    assertFails(
        Reason.NO_SUCH_UPLOAD,
        () ->
            store.uploadPart(
                BUCKET, "other", u.uploadId(), 1, new ByteArrayInputStream(new byte[1]), 1, null));
  }

  @Test
  void listsPartsPageByPage() {
    MultipartUpload u = store.createMultipartUpload(BUCKET, "k", PutOptions.defaults());
    for (int n = 1; n <= 5; n++) {
      uploadPart(u, n, bytes("part " + n));
    }
    PartsPage first = store.listParts(BUCKET, "k", u.uploadId(), 0, 2);
    assertThat(first.parts()).extracting(PartInfo::partNumber).containsExactly(1, 2);
    assertThat(first.truncated()).isTrue();
    assertThat(first.upload().uploadId()).isEqualTo(u.uploadId());
    PartsPage second = store.listParts(BUCKET, "k", u.uploadId(), first.nextPartNumberMarker(), 2);
    assertThat(second.parts()).extracting(PartInfo::partNumber).containsExactly(3, 4);
    PartsPage last = store.listParts(BUCKET, "k", u.uploadId(), second.nextPartNumberMarker(), 2);
    assertThat(last.parts()).extracting(PartInfo::partNumber).containsExactly(5);
    assertThat(last.truncated()).isFalse();
  }

  @Test
  void listsUploadsByKeyThenInitiation() {
    MultipartUpload b1 = store.createMultipartUpload(BUCKET, "b", PutOptions.defaults());
    MultipartUpload a = store.createMultipartUpload(BUCKET, "a", PutOptions.defaults());
    MultipartUpload b2 = store.createMultipartUpload(BUCKET, "b", PutOptions.defaults());
    MultipartUpload c = store.createMultipartUpload(BUCKET, "x/c", PutOptions.defaults());
    UploadsPage all = store.listMultipartUploads(BUCKET, new UploadsRequest("", null, null, 100));
    assertThat(all.uploads())
        .extracting(MultipartUpload::uploadId)
        .containsExactly(a.uploadId(), b1.uploadId(), b2.uploadId(), c.uploadId());
    assertThat(all.truncated()).isFalse();

    UploadsPage p1 = store.listMultipartUploads(BUCKET, new UploadsRequest("", null, null, 2));
    assertThat(p1.truncated()).isTrue();
    assertThat(p1.nextKeyMarker()).isEqualTo("b");
    assertThat(p1.nextUploadIdMarker()).isEqualTo(b1.uploadId());
    UploadsPage p2 =
        store.listMultipartUploads(
            BUCKET, new UploadsRequest("", p1.nextKeyMarker(), p1.nextUploadIdMarker(), 2));
    assertThat(p2.uploads())
        .extracting(MultipartUpload::uploadId)
        .containsExactly(b2.uploadId(), c.uploadId());
    assertThat(p2.truncated()).isFalse();

    assertThat(
            store.listMultipartUploads(BUCKET, new UploadsRequest("x/", null, null, 100)).uploads())
        .extracting(MultipartUpload::key)
        .containsExactly("x/c");
    assertThat(store.listMultipartUploads(BUCKET, new UploadsRequest("", "b", null, 100)).uploads())
        .extracting(MultipartUpload::key)
        .containsExactly("x/c");
  }

  @Test
  void uploadPartCopyTakesRanges() {
    int min = (int) minPartSize();
    byte[] src = random(min + 1000, 20);
    put(BUCKET, "src", src);
    MultipartUpload u = store.createMultipartUpload(BUCKET, "dst", PutOptions.defaults());
    PartInfo whole =
        store.uploadPartCopy(BUCKET, "dst", u.uploadId(), 1, BUCKET, ObjectRef.of("src"), null);
    PartInfo slice =
        store.uploadPartCopy(
            BUCKET, "dst", u.uploadId(), 2, BUCKET, ObjectRef.of("src"), ByteRange.of(10, 29));
    assertThat(whole.size()).isEqualTo(src.length);
    byte[] sliceBytes = java.util.Arrays.copyOfRange(src, 10, 30);
    assertThat(slice.etag()).isEqualTo(md5Hex(sliceBytes));
    store.completeMultipartUpload(
        BUCKET,
        "dst",
        u.uploadId(),
        List.of(new CompletedPart(1, whole.etag()), new CompletedPart(2, slice.etag())));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(src);
    expected.writeBytes(sliceBytes);
    assertThat(get(BUCKET, "dst")).isEqualTo(expected.toByteArray());
    MultipartUpload u2 = store.createMultipartUpload(BUCKET, "dst2", PutOptions.defaults());
    assertFails(
        Reason.INVALID_RANGE,
        () ->
            store.uploadPartCopy(
                BUCKET,
                "dst2",
                u2.uploadId(),
                1,
                BUCKET,
                ObjectRef.of("src"),
                ByteRange.from(src.length)));
    assertFails(
        Reason.NO_SUCH_KEY,
        () ->
            store.uploadPartCopy(
                BUCKET, "dst2", u2.uploadId(), 1, BUCKET, ObjectRef.of("nope"), null));
  }

  // ---- versioning

  private SupportsVersioning versioned() {
    assumeTrue(store instanceof SupportsVersioning, "store does not support versioning");
    SupportsVersioning v = (SupportsVersioning) store;
    v.setVersioning(BUCKET, VersioningStatus.ENABLED);
    return v;
  }

  private List<String> versionIds(VersionPage page) {
    return page.versions().stream().map(v -> v.info().versionId()).toList();
  }

  @Test
  void versioningStartsOffAndCannotBeTurnedOffAgain() {
    assumeTrue(store instanceof SupportsVersioning);
    SupportsVersioning v = (SupportsVersioning) store;
    assertThat(v.versioning(BUCKET)).isEqualTo(VersioningStatus.UNVERSIONED);
    assertThat(put("k", "v").versionId()).isEqualTo(ObjectInfo.NULL_VERSION);
    v.setVersioning(BUCKET, VersioningStatus.ENABLED);
    assertThat(v.versioning(BUCKET)).isEqualTo(VersioningStatus.ENABLED);
    assertFails(
        Reason.INVALID_ARGUMENT, () -> v.setVersioning(BUCKET, VersioningStatus.UNVERSIONED));
    v.setVersioning(BUCKET, VersioningStatus.SUSPENDED);
    assertThat(v.versioning(BUCKET)).isEqualTo(VersioningStatus.SUSPENDED);
    assertFails(Reason.NO_SUCH_BUCKET, () -> v.versioning("missing"));
  }

  @Test
  void everyPutMakesAVersion() {
    SupportsVersioning v = versioned();
    ObjectInfo one = put("k", "one");
    ObjectInfo two = put("k", "two");
    assertThat(one.versionId()).isNotEqualTo(two.versionId()).isNotEqualTo(ObjectInfo.NULL_VERSION);
    assertThat(getString("k")).isEqualTo("two");
    assertThat(readAll(store.get(BUCKET, "k", new GetOptions(one.versionId(), null))))
        .isEqualTo(bytes("one"));
    assertThat(store.head(BUCKET, "k", one.versionId()).etag()).isEqualTo(md5Hex(bytes("one")));
    VersionPage page = v.listVersions(BUCKET, new VersionListRequest("", null, null, null, 100));
    assertThat(versionIds(page)).containsExactly(two.versionId(), one.versionId());
    assertThat(page.versions())
        .extracting(VersionPage.ObjectVersion::latest)
        .containsExactly(true, false);
    assertFails(Reason.NO_SUCH_VERSION, () -> store.head(BUCKET, "k", "no-such-version"));
  }

  @Test
  void deleteAddsAMarkerThatHidesTheObject() {
    SupportsVersioning v = versioned();
    ObjectInfo one = put("k", "one");
    DeleteResult del = store.delete(BUCKET, "k", null);
    assertThat(del.deleteMarker()).isTrue();
    assertThat(del.versionId()).isNotNull().isNotEqualTo(one.versionId());
    assertFails(Reason.NO_SUCH_KEY, () -> store.get(BUCKET, "k", GetOptions.current()));
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "k", null));
    ObjectStoreException onMarker =
        assertFails(Reason.INVALID_REQUEST, () -> store.head(BUCKET, "k", del.versionId()));
    assertThat(onMarker.getMessage()).contains("delete marker");
    assertThat(keys(store.list(BUCKET, ListRequest.prefix("")))).isEmpty();
    VersionPage page = v.listVersions(BUCKET, new VersionListRequest("", null, null, null, 100));
    assertThat(page.versions()).hasSize(2);
    assertThat(page.versions().get(0).info().deleteMarker()).isTrue();
    assertThat(page.versions().get(0).latest()).isTrue();
  }

  @Test
  void removingTheMarkerRestoresTheObject() {
    versioned();
    put("k", "one");
    DeleteResult marker = store.delete(BUCKET, "k", null);
    DeleteResult removed = store.delete(BUCKET, "k", marker.versionId());
    assertThat(removed.deleteMarker()).isTrue();
    assertThat(removed.versionId()).isEqualTo(marker.versionId());
    assertThat(getString("k")).isEqualTo("one");
  }

  @Test
  void deletingTheLatestVersionMakesThePreviousCurrent() {
    SupportsVersioning v = versioned();
    ObjectInfo one = put("k", "one");
    ObjectInfo two = put("k", "two");
    DeleteResult r = store.delete(BUCKET, "k", two.versionId());
    assertThat(r.deleteMarker()).isFalse();
    assertThat(getString("k")).isEqualTo("one");
    assertFails(
        Reason.NO_SUCH_VERSION,
        () -> store.get(BUCKET, "k", new GetOptions(two.versionId(), null)));
    store.delete(BUCKET, "k", one.versionId());
    assertFails(Reason.NO_SUCH_KEY, () -> store.head(BUCKET, "k", null));
    assertThat(v.listVersions(BUCKET, new VersionListRequest("", null, null, null, 100)).versions())
        .isEmpty();
    store.deleteBucket(BUCKET);
  }

  @Test
  void aBucketWithOnlyAMarkerIsNotEmpty() {
    versioned();
    store.delete(BUCKET, "ghost", null);
    assertFails(Reason.BUCKET_NOT_EMPTY, () -> store.deleteBucket(BUCKET));
  }

  @Test
  void suspendedVersioningWritesTheNullVersion() {
    SupportsVersioning v = versioned();
    ObjectInfo kept = put("k", "versioned");
    v.setVersioning(BUCKET, VersioningStatus.SUSPENDED);
    ObjectInfo n1 = put("k", "null one");
    assertThat(n1.versionId()).isEqualTo(ObjectInfo.NULL_VERSION);
    ObjectInfo n2 = put("k", "null two");
    assertThat(n2.versionId()).isEqualTo(ObjectInfo.NULL_VERSION);
    VersionPage page = v.listVersions(BUCKET, new VersionListRequest("", null, null, null, 100));
    assertThat(versionIds(page)).containsExactly(ObjectInfo.NULL_VERSION, kept.versionId());
    assertThat(getString("k")).isEqualTo("null two");
    DeleteResult del = store.delete(BUCKET, "k", null);
    assertThat(del.deleteMarker()).isTrue();
    assertThat(del.versionId()).isEqualTo(ObjectInfo.NULL_VERSION);
    page = v.listVersions(BUCKET, new VersionListRequest("", null, null, null, 100));
    assertThat(versionIds(page)).containsExactly(ObjectInfo.NULL_VERSION, kept.versionId());
    assertThat(page.versions().get(0).info().deleteMarker()).isTrue();
    assertThat(readAll(store.get(BUCKET, "k", new GetOptions(kept.versionId(), null))))
        .isEqualTo(bytes("versioned"));
  }

  @Test
  void listsVersionsPageByPageWithDelimiter() {
    SupportsVersioning v = versioned();
    List<String> expected = new ArrayList<>();
    for (String k : List.of("a", "b", "dir/x")) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(0, put(k, k + i).versionId());
      }
      expected.addAll(ids.stream().map(id -> k + "@" + id).toList());
    }
    List<String> seen = new ArrayList<>();
    String keyMarker = null;
    String versionMarker = null;
    while (true) {
      VersionPage page =
          v.listVersions(BUCKET, new VersionListRequest("", null, keyMarker, versionMarker, 2));
      page.versions().forEach(o -> seen.add(o.info().key() + "@" + o.info().versionId()));
      if (!page.truncated()) {
        break;
      }
      keyMarker = page.nextKeyMarker();
      versionMarker = page.nextVersionIdMarker();
    }
    assertThat(seen).isEqualTo(expected);

    VersionPage rolled = v.listVersions(BUCKET, new VersionListRequest("", "/", null, null, 100));
    assertThat(rolled.commonPrefixes()).containsExactly("dir/");
    assertThat(rolled.versions()).hasSize(6);
  }

  @Test
  void readsOfADeleteMarkerCarryTheMarker() {
    versioned();
    ObjectInfo one = put("k", "one");
    DeleteResult del = store.delete(BUCKET, "k", null);

    for (ThrowingCallable current :
        List.<ThrowingCallable>of(
            () -> store.get(BUCKET, "k", GetOptions.current()),
            () -> store.head(BUCKET, "k", null))) {
      assertThatThrownBy(current)
          .isInstanceOfSatisfying(
              DeleteMarkerException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.NO_SUCH_KEY);
                assertThat(e.current()).isTrue();
                assertThat(e.marker().deleteMarker()).isTrue();
                assertThat(e.marker().versionId()).isEqualTo(del.versionId());
                assertThat(e.marker().key()).isEqualTo("k");
                assertThat(e.marker().bucket()).isEqualTo(BUCKET);
                assertThat(e.getMessage()).contains("k", BUCKET, "delete marker");
              });
    }
    for (ThrowingCallable byId :
        List.<ThrowingCallable>of(
            () -> store.get(BUCKET, "k", new GetOptions(del.versionId(), null)),
            () -> store.head(BUCKET, "k", del.versionId()))) {
      assertThatThrownBy(byId)
          .isInstanceOfSatisfying(
              DeleteMarkerException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.INVALID_REQUEST);
                assertThat(e.current()).isFalse();
                assertThat(e.marker().versionId()).isEqualTo(del.versionId());
                assertThat(e.marker().lastModified()).isNotNull();
                assertThat(e.getMessage()).contains(del.versionId(), "delete marker");
              });
    }
    // a key that never existed is not a delete marker
    assertThatThrownBy(() -> store.head(BUCKET, "never", null))
        .isInstanceOf(ObjectStoreException.class)
        .isNotInstanceOf(DeleteMarkerException.class);
    // the version under the marker is still readable
    assertThat(readAll(store.get(BUCKET, "k", new GetOptions(one.versionId(), null))))
        .isEqualTo(bytes("one"));
  }

  // ---- lifecycle configuration

  private SupportsLifecycle lifecycle() {
    assumeTrue(store instanceof SupportsLifecycle, "store does not support lifecycle rules");
    return (SupportsLifecycle) store;
  }

  private static LifecycleRule expireAfter(String id, int days) {
    return new LifecycleRule(
        id,
        true,
        LifecycleRule.Filter.prefix("logs/"),
        null,
        null,
        days,
        false,
        null,
        null,
        null,
        null);
  }

  @Test
  void lifecycleConfigurationRoundTrips() {
    SupportsLifecycle l = lifecycle();
    assertThat(l.lifecycle(BUCKET)).isEmpty();
    LifecycleConfiguration config =
        new LifecycleConfiguration(
            List.of(
                expireAfter("expire-logs", 30),
                new LifecycleRule(
                    "archive",
                    false,
                    new LifecycleRule.Filter("data/", Map.of("tier", "cold"), 1024L, 1_000_000L),
                    10,
                    "GLACIER",
                    null,
                    false,
                    20,
                    2,
                    5,
                    null),
                new LifecycleRule(
                    "uploads",
                    true,
                    LifecycleRule.Filter.all(),
                    null,
                    null,
                    null,
                    true,
                    null,
                    null,
                    null,
                    7)));
    l.setLifecycle(BUCKET, config);
    assertThat(l.lifecycle(BUCKET)).contains(config);
    l.deleteLifecycle(BUCKET);
    assertThat(l.lifecycle(BUCKET)).isEmpty();
    assertFails(Reason.NO_SUCH_BUCKET, () -> l.lifecycle("missing"));
    assertFails(Reason.NO_SUCH_BUCKET, () -> l.setLifecycle("missing", config));
  }

  @Test
  void invalidLifecycleRulesAreRejectedNamingRuleAndField() {
    SupportsLifecycle l = lifecycle();
    ObjectStoreException dup =
        assertFails(
            Reason.INVALID_ARGUMENT,
            () ->
                l.setLifecycle(
                    BUCKET,
                    new LifecycleConfiguration(List.of(expireAfter("r", 1), expireAfter("r", 2)))));
    assertThat(dup.getMessage()).contains("'r'");
    ObjectStoreException noAction =
        assertFails(
            Reason.INVALID_ARGUMENT,
            () ->
                l.setLifecycle(
                    BUCKET,
                    new LifecycleConfiguration(
                        List.of(
                            new LifecycleRule(
                                "idle",
                                true,
                                LifecycleRule.Filter.all(),
                                null,
                                null,
                                null,
                                false,
                                null,
                                null,
                                null,
                                null)))));
    assertThat(noAction.getMessage()).contains("idle").contains("action");
    ObjectStoreException zero =
        assertFails(
            Reason.INVALID_ARGUMENT,
            () -> l.setLifecycle(BUCKET, new LifecycleConfiguration(List.of(expireAfter("z", 0)))));
    assertThat(zero.getMessage()).contains("'z'").contains("expirationDays");
    ObjectStoreException badClass =
        assertFails(
            Reason.INVALID_ARGUMENT,
            () ->
                l.setLifecycle(
                    BUCKET,
                    new LifecycleConfiguration(
                        List.of(
                            new LifecycleRule(
                                "cold",
                                true,
                                LifecycleRule.Filter.all(),
                                5,
                                "FREEZER",
                                null,
                                false,
                                null,
                                null,
                                null,
                                null)))));
    assertThat(badClass.getMessage()).contains("'cold'").contains("transitionStorageClass");
    assertFails(
        Reason.INVALID_ARGUMENT,
        () -> l.setLifecycle(BUCKET, new LifecycleConfiguration(List.of(expireAfter("", 1)))));
    assertFails(
        Reason.INVALID_ARGUMENT,
        () ->
            l.setLifecycle(
                BUCKET, new LifecycleConfiguration(List.of(expireAfter("x".repeat(256), 1)))));
    List<LifecycleRule> tooMany = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      tooMany.add(expireAfter("r" + i, 1));
    }
    assertFails(
        Reason.INVALID_ARGUMENT, () -> l.setLifecycle(BUCKET, new LifecycleConfiguration(tooMany)));
    assertThat(l.lifecycle(BUCKET)).isEmpty();
  }

  // ---- object tagging

  private SupportsObjectTagging tagging() {
    assumeTrue(store instanceof SupportsObjectTagging, "store does not support object tagging");
    return (SupportsObjectTagging) store;
  }

  @Test
  void taggingChangesOnlyTheTagsOfTheCurrentVersion() {
    SupportsObjectTagging t = tagging();
    ObjectMetadata meta =
        new ObjectMetadata(
            "text/plain", null, null, "no-cache", null, Map.of("origin", "x"), Map.of("a", "1"));
    ObjectInfo before =
        store.put(BUCKET, "k", new ByteArrayInputStream(bytes("data")), 4, PutOptions.of(meta));
    assertThat(t.tags(BUCKET, "k", null)).containsExactly(Map.entry("a", "1"));

    ObjectInfo tagged = t.setTags(BUCKET, "k", null, Map.of("team", "data", "pii", "no"));
    assertThat(tagged.metadata().tags()).isEqualTo(Map.of("team", "data", "pii", "no"));
    ObjectInfo after = store.head(BUCKET, "k", null);
    for (ObjectInfo i : List.of(tagged, after)) {
      assertThat(i.versionId()).isEqualTo(before.versionId());
      assertThat(i.etag()).isEqualTo(before.etag());
      assertThat(i.lastModified()).isEqualTo(before.lastModified());
      assertThat(i.size()).isEqualTo(before.size());
      assertThat(i.storageClass()).isEqualTo(before.storageClass());
      assertThat(i.metadata().contentType()).isEqualTo("text/plain");
      assertThat(i.metadata().cacheControl()).isEqualTo("no-cache");
      assertThat(i.metadata().user()).isEqualTo(Map.of("origin", "x"));
    }
    assertThat(after.metadata().tags()).isEqualTo(Map.of("team", "data", "pii", "no"));
    assertThat(t.tags(BUCKET, "k", null)).isEqualTo(Map.of("team", "data", "pii", "no"));
    assertThat(getString("k")).isEqualTo("data");

    t.setTags(BUCKET, "k", null, Map.of());
    assertThat(t.tags(BUCKET, "k", null)).isEmpty();
    assertThat(store.head(BUCKET, "k", null).etag()).isEqualTo(before.etag());
  }

  @Test
  void taggingKeepsTheMultipartETag() {
    SupportsObjectTagging t = tagging();
    MultipartUpload u = store.createMultipartUpload(BUCKET, "mp", PutOptions.defaults());
    PartInfo p = uploadPart(u, 1, bytes("part"));
    ObjectInfo done =
        store.completeMultipartUpload(
            BUCKET, "mp", u.uploadId(), List.of(new CompletedPart(1, p.etag())));
    assertThat(done.etag()).endsWith("-1");
    ObjectInfo tagged = t.setTags(BUCKET, "mp", null, Map.of("k", "v"));
    assertThat(tagged.etag()).isEqualTo(done.etag());
    assertThat(tagged.parts()).isEqualTo(1);
    assertThat(store.head(BUCKET, "mp", null).etag()).isEqualTo(done.etag());
    assertThat(store.head(BUCKET, "mp", null).parts()).isEqualTo(1);
  }

  @Test
  void taggingAVersionedObjectMakesNoVersionAndCanTagANoncurrentOne() {
    SupportsObjectTagging t = tagging();
    SupportsVersioning v = versioned();
    ObjectInfo one = put("k", "one");
    ObjectInfo two = put("k", "two");

    ObjectInfo current = t.setTags(BUCKET, "k", null, Map.of("n", "2"));
    assertThat(current.versionId()).isEqualTo(two.versionId());
    ObjectInfo old = t.setTags(BUCKET, "k", one.versionId(), Map.of("n", "1"));
    assertThat(old.versionId()).isEqualTo(one.versionId());
    assertThat(old.etag()).isEqualTo(one.etag());
    assertThat(old.lastModified()).isEqualTo(one.lastModified());

    VersionPage page = v.listVersions(BUCKET, new VersionListRequest("", null, null, null, 100));
    assertThat(versionIds(page)).containsExactly(two.versionId(), one.versionId());
    assertThat(page.versions().get(0).latest()).isTrue();
    assertThat(t.tags(BUCKET, "k", null)).isEqualTo(Map.of("n", "2"));
    assertThat(t.tags(BUCKET, "k", two.versionId())).isEqualTo(Map.of("n", "2"));
    assertThat(t.tags(BUCKET, "k", one.versionId())).isEqualTo(Map.of("n", "1"));
    assertThat(store.head(BUCKET, "k", one.versionId()).metadata().tags())
        .isEqualTo(Map.of("n", "1"));
    assertThat(getString("k")).isEqualTo("two");
  }

  @Test
  void taggingWhatIsNotThereFailsAndChangesNothing() {
    SupportsObjectTagging t = tagging();
    versioned();
    ObjectStoreException missing =
        assertFails(Reason.NO_SUCH_KEY, () -> t.setTags(BUCKET, "none", null, Map.of("a", "b")));
    assertThat(missing.getMessage()).contains("none");
    assertFails(Reason.NO_SUCH_KEY, () -> t.tags(BUCKET, "none", null));
    assertFails(Reason.NO_SUCH_BUCKET, () -> t.setTags("missing", "k", null, Map.of("a", "b")));
    ObjectInfo one = put("k", "one");
    assertFails(Reason.NO_SUCH_VERSION, () -> t.setTags(BUCKET, "k", "no-such-version", Map.of()));

    DeleteResult del = store.delete(BUCKET, "k", null);
    ObjectStoreException onCurrentMarker =
        assertFails(Reason.NO_SUCH_KEY, () -> t.setTags(BUCKET, "k", null, Map.of("a", "b")));
    assertThat(onCurrentMarker).isInstanceOf(DeleteMarkerException.class);
    ObjectStoreException onMarker =
        assertFails(
            Reason.INVALID_REQUEST,
            () -> t.setTags(BUCKET, "k", del.versionId(), Map.of("a", "b")));
    assertThat(onMarker).isInstanceOf(DeleteMarkerException.class);
    assertThat(onMarker.getMessage()).contains(del.versionId(), "delete marker");
    assertFails(Reason.INVALID_REQUEST, () -> t.tags(BUCKET, "k", del.versionId()));
    assertThat(t.tags(BUCKET, "k", one.versionId())).isEmpty();
  }

  @Test
  void tagsBeyondS3sLimitsAreRejectedNamingTheTag() {
    SupportsObjectTagging t = tagging();
    put("k", "v");
    t.setTags(BUCKET, "k", null, Map.of("keep", "me"));

    Map<String, String> eleven = new HashMap<>();
    for (int i = 0; i < 11; i++) {
      eleven.put("t" + i, "v");
    }
    assertThat(assertFails(Reason.INVALID_ARGUMENT, () -> t.setTags(BUCKET, "k", null, eleven)))
        .hasMessageContaining("11")
        .hasMessageContaining("10");
    String longKey = "k".repeat(129);
    assertThat(
            assertFails(
                Reason.INVALID_ARGUMENT, () -> t.setTags(BUCKET, "k", null, Map.of(longKey, "v"))))
        .hasMessageContaining(longKey)
        .hasMessageContaining("128");
    assertThat(
            assertFails(
                Reason.INVALID_ARGUMENT, () -> t.setTags(BUCKET, "k", null, Map.of("", "v"))))
        .hasMessageContaining("tag key ''");
    assertThat(
            assertFails(
                Reason.INVALID_ARGUMENT,
                () -> t.setTags(BUCKET, "k", null, Map.of("big", "v".repeat(257)))))
        .hasMessageContaining("'big'")
        .hasMessageContaining("256");

    // the limits themselves are fine; characters, not UTF-16 units, are counted
    Map<String, String> ten = new HashMap<>();
    for (int i = 0; i < 9; i++) {
      ten.put("t" + i, "");
    }
    ten.put("\uD83D\uDE00".repeat(128), "\u00e9".repeat(256));
    assertThat(t.tags(BUCKET, "k", null)).isEqualTo(Map.of("keep", "me"));
    t.setTags(BUCKET, "k", null, ten);
    assertThat(t.tags(BUCKET, "k", null)).isEqualTo(ten);
  }

  @Test
  void taggingAnnouncesNoObjectEvent() throws Exception {
    SupportsObjectTagging t = tagging();
    assumeTrue(store instanceof SupportsObjectEvents, "store does not announce events");
    List<ObjectEvent> received = new CopyOnWriteArrayList<>();
    put("k", "v");
    try (AutoCloseable sub = ((SupportsObjectEvents) store).subscribe(received::add)) {
      t.setTags(BUCKET, "k", null, Map.of("a", "b"));
      t.setTags(BUCKET, "k", null, Map.of());
      put("marker", "after");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (received.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    assertThat(received).extracting(ObjectEvent::key).containsExactly("marker");
  }

  // ---- events

  @Test
  void eventsArriveInOrderAndAFailingListenerDoesNotStopOthers() throws Exception {
    assumeTrue(store instanceof SupportsObjectEvents, "store does not announce events");
    SupportsObjectEvents events = (SupportsObjectEvents) store;
    List<ObjectEvent> received = new CopyOnWriteArrayList<>();
    AutoCloseable failing =
        events.subscribe(
            e -> {
              throw new IllegalStateException("listener bug");
            });
    AutoCloseable sub = events.subscribe(received::add);
    try {
      put("a", "1");
      store.copy(new CopyRequest(BUCKET, ObjectRef.of("a"), BUCKET, "b", null, null));
      MultipartUpload u = store.createMultipartUpload(BUCKET, "c", PutOptions.defaults());
      PartInfo p = uploadPart(u, 1, bytes("x"));
      store.completeMultipartUpload(
          BUCKET, "c", u.uploadId(), List.of(new CompletedPart(1, p.etag())));
      store.delete(BUCKET, "a", null);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (received.size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      sub.close();
      failing.close();
    }
    put("after", "unsubscribed");
    assertThat(received)
        .extracting(ObjectEvent::name)
        .containsExactly(
            "ObjectCreated:Put",
            "ObjectCreated:Copy",
            "ObjectCreated:CompleteMultipartUpload",
            "ObjectRemoved:Delete");
    assertThat(received).extracting(ObjectEvent::key).containsExactly("a", "b", "c", "a");
    assertThat(received.get(0).type()).isEqualTo(ObjectEvent.Type.CREATED);
    assertThat(received.get(0).etag()).isEqualTo(md5Hex(bytes("1")));
    assertThat(received.get(0).size()).isEqualTo(1);
    assertThat(received.get(3).type()).isEqualTo(ObjectEvent.Type.REMOVED);
    assertThat(received.get(0).bucket()).isEqualTo(BUCKET);
    assertThat(received).extracting(ObjectEvent::key).doesNotContain("after");
  }
}
