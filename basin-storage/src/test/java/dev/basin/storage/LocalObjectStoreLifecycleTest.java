package dev.basin.storage;

import static dev.basin.storage.StorageTestSupport.bytes;
import static dev.basin.storage.StorageTestSupport.put;
import static dev.basin.storage.StorageTestSupport.random;
import static dev.basin.storage.StorageTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.LifecycleAction;
import dev.basin.spi.storage.LifecycleAction.Kind;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.LifecycleRule;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectEvent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.PutOptions;
import dev.basin.spi.storage.UploadsRequest;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersionPage;
import dev.basin.spi.storage.VersioningStatus;
import dev.basin.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle rules applied with a manual clock: every action kind, filters, history, events. */
class LocalObjectStoreLifecycleTest {
  private static final String B = "lake";
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  @TempDir Path dataDir;
  private final ManualClock clock = new ManualClock(T0);
  private LocalObjectStore store;
  private final List<ObjectEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir), clock);
    store.createBucket(B);
    store.subscribe(events::add);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static RuleBuilder rule(String id) {
    return new RuleBuilder(id);
  }

  private void rules(LifecycleRule... rules) {
    store.setLifecycle(B, new LifecycleConfiguration(List.of(rules)));
  }

  private List<LifecycleAction> runAt(Duration sinceT0) {
    clock.set(T0.plus(sinceT0).toEpochMilli());
    return store.runLifecycle(clock.instant());
  }

  private List<String> versionsOf(String key) {
    VersionPage page = store.listVersions(B, new VersionListRequest(key, null, null, null, 1000));
    return page.versions().stream()
        .filter(v -> v.info().key().equals(key))
        .map(v -> (v.info().deleteMarker() ? "marker:" : "") + v.info().versionId())
        .toList();
  }

  @Test
  void expiresCurrentObjectsAfterTheirDays() {
    rules(rule("expire-logs").prefix("logs/").expirationDays(30).build());
    put(store, B, "logs/a", bytes("a"));
    put(store, B, "other/b", bytes("b"));
    assertThat(runAt(Duration.ofDays(29))).isEmpty();
    List<LifecycleAction> actions = runAt(Duration.ofDays(30));
    assertThat(actions).hasSize(1);
    LifecycleAction a = actions.get(0);
    assertThat(a.kind()).isEqualTo(Kind.EXPIRE);
    assertThat(a.key()).isEqualTo("logs/a");
    assertThat(a.ruleId()).isEqualTo("expire-logs");
    assertThat(a.bucket()).isEqualTo(B);
    assertThat(a.bytes()).isEqualTo(1);
    assertThat(a.at()).isEqualTo(clock.instant());
    assertThat(store.list(B, ListRequest.prefix("")).objects())
        .extracting(ObjectInfo::key)
        .containsExactly("other/b");
    assertThat(store.lifecycleHistory(B, 10)).containsExactly(a);
    assertThat(runAt(Duration.ofDays(31))).isEmpty();
    StorageTestSupport.awaitSize(events, 3);
    assertThat(events.get(2).name()).isEqualTo("LifecycleExpiration:Delete");
    assertThat(events.get(2).key()).isEqualTo("logs/a");
  }

  @Test
  void expiringInAVersionedBucketAddsADeleteMarker() {
    store.setVersioning(B, VersioningStatus.ENABLED);
    rules(rule("expire").expirationDays(1).build());
    ObjectInfo v1 = put(store, B, "k", bytes("v1"));
    List<LifecycleAction> actions = runAt(Duration.ofDays(1));
    assertThat(actions).extracting(LifecycleAction::kind).containsExactly(Kind.EXPIRE);
    assertThat(versionsOf("k")).hasSize(2);
    assertThat(versionsOf("k").get(0)).startsWith("marker:");
    assertThat(versionsOf("k").get(1)).isEqualTo(v1.versionId());
    assertThat(store.list(B, ListRequest.prefix("")).objects()).isEmpty();
    // the marker is current, so the rule does not add another one
    assertThat(runAt(Duration.ofDays(5))).isEmpty();
    StorageTestSupport.awaitSize(events, 2);
    assertThat(events.get(1).name()).isEqualTo("LifecycleExpiration:DeleteMarkerCreated");
  }

  @Test
  void expiresNoncurrentVersionsKeepingTheNewest() {
    store.setVersioning(B, VersioningStatus.ENABLED);
    rules(rule("trim").noncurrentDays(5).newerNoncurrentVersions(1).build());
    ObjectInfo v1 = put(store, B, "k", bytes("1"));
    clock.advance(Duration.ofDays(1));
    ObjectInfo v2 = put(store, B, "k", bytes("2"));
    clock.advance(Duration.ofDays(1));
    ObjectInfo v3 = put(store, B, "k", bytes("3"));
    clock.advance(Duration.ofDays(1));
    ObjectInfo v4 = put(store, B, "k", bytes("4"));
    // v1 noncurrent since day 1, v2 since day 2, v3 since day 3
    assertThat(runAt(Duration.ofDays(5).plusHours(23))).isEmpty();
    List<LifecycleAction> day6 = runAt(Duration.ofDays(6));
    assertThat(day6).extracting(LifecycleAction::versionId).containsExactly(v1.versionId());
    assertThat(day6.get(0).kind()).isEqualTo(Kind.EXPIRE_NONCURRENT);
    List<LifecycleAction> day30 = runAt(Duration.ofDays(30));
    assertThat(day30).extracting(LifecycleAction::versionId).containsExactly(v2.versionId());
    assertThat(versionsOf("k")).containsExactly(v4.versionId(), v3.versionId());
    assertThat(read(store, B, "k", GetOptions.current())).isEqualTo(bytes("4"));
  }

  @Test
  void removesDeleteMarkersWhoseVersionsAreGone() {
    store.setVersioning(B, VersioningStatus.ENABLED);
    rules(rule("cleanup").noncurrentDays(1).expiredObjectDeleteMarker(true).build());
    put(store, B, "k", bytes("v"));
    put(store, B, "keep", bytes("v"));
    store.delete(B, "k", null);
    assertThat(runAt(Duration.ofHours(12))).isEmpty();
    List<LifecycleAction> actions = runAt(Duration.ofDays(1));
    assertThat(actions)
        .extracting(LifecycleAction::kind)
        .containsExactly(Kind.EXPIRE_NONCURRENT, Kind.REMOVE_DELETE_MARKER);
    assertThat(versionsOf("k")).isEmpty();
    assertThat(versionsOf("keep")).hasSize(1);
    store.delete(B, "keep", null);
    store.delete(B, "keep", versionsOf("keep").get(1));
    runAt(Duration.ofDays(2));
    store.deleteBucket(B);
    assertThat(store.bucket(B)).isEmpty();
  }

  @Test
  void transitionsMatchingObjectsToTheColdTier() throws Exception {
    rules(
        rule("archive")
            .prefix("data/")
            .tags(Map.of("tier", "cold"))
            .sizeGreaterThan(1024L * 1024)
            .transition(10, "GLACIER")
            .build());
    byte[] payload = random(3 * 1024 * 1024, 7);
    Map<String, String> cold = Map.of("tier", "cold");
    ObjectInfo match = put(store, B, "data/big", payload, cold);
    put(store, B, "data/untagged", payload, Map.of());
    put(store, B, "data/small", bytes("small"), cold);
    put(store, B, "other/big", payload, cold);
    assertThat(runAt(Duration.ofDays(9))).isEmpty();
    List<LifecycleAction> actions = runAt(Duration.ofDays(10));
    assertThat(actions).hasSize(1);
    assertThat(actions.get(0).kind()).isEqualTo(Kind.TRANSITION);
    assertThat(actions.get(0).key()).isEqualTo("data/big");
    assertThat(actions.get(0).detail()).isEqualTo("GLACIER");
    assertThat(actions.get(0).bytes()).isEqualTo(payload.length);

    ObjectInfo head = store.head(B, "data/big", null);
    assertThat(head.storageClass()).isEqualTo("GLACIER");
    assertThat(head.etag()).isEqualTo(match.etag());
    assertThat(head.lastModified()).isEqualTo(match.lastModified());
    assertThat(store.localFile(B, "data/big")).isEmpty();
    assertThat(store.localFile(B, "data/untagged")).isPresent();
    assertThat(read(store, B, "data/big", GetOptions.current())).isEqualTo(payload);
    StorageTestSupport.assertRangesMatch(store, B, "data/big", payload);
    for (String other : List.of("data/untagged", "data/small", "other/big")) {
      assertThat(store.head(B, other, null).storageClass()).isEqualTo(ObjectInfo.STANDARD);
    }
    try (var files = Files.walk(dataDir.resolve("lake").resolve(B))) {
      assertThat(files.filter(p -> p.toString().endsWith(".zst")).count()).isEqualTo(1);
    }
    assertThat(runAt(Duration.ofDays(20))).isEmpty();
    StorageTestSupport.awaitSize(events, 5);
    assertThat(events.get(4).name()).isEqualTo("LifecycleTransition");
  }

  @Test
  void transitionsNoncurrentVersionsAndFiltersBySizeLessThan() {
    store.setVersioning(B, VersioningStatus.ENABLED);
    rules(rule("old-versions").sizeLessThan(100L).noncurrentTransition(3, "STANDARD_IA").build());
    ObjectInfo v1 = put(store, B, "k", bytes("one"));
    ObjectInfo big1 = put(store, B, "big", new byte[200]);
    clock.advance(Duration.ofDays(1));
    put(store, B, "k", bytes("two"));
    put(store, B, "big", new byte[201]);
    assertThat(runAt(Duration.ofDays(3))).isEmpty();
    List<LifecycleAction> actions = runAt(Duration.ofDays(4));
    assertThat(actions)
        .extracting(LifecycleAction::kind)
        .containsExactly(Kind.NONCURRENT_TRANSITION);
    assertThat(actions.get(0).versionId()).isEqualTo(v1.versionId());
    assertThat(store.head(B, "k", v1.versionId()).storageClass()).isEqualTo("STANDARD_IA");
    assertThat(store.head(B, "k", null).storageClass()).isEqualTo(ObjectInfo.STANDARD);
    assertThat(store.head(B, "big", big1.versionId()).storageClass())
        .isEqualTo(ObjectInfo.STANDARD);
    assertThat(read(store, B, "k", new GetOptions(v1.versionId(), null))).isEqualTo(bytes("one"));
  }

  @Test
  void abortsStaleMultipartUploads() {
    rules(rule("uploads").prefix("in/").abortIncompleteMultipartDays(7).build());
    MultipartUpload stale = store.createMultipartUpload(B, "in/x", PutOptions.defaults());
    store.uploadPart(B, "in/x", stale.uploadId(), 1, new ByteArrayInputStream(bytes("p")), 1, null);
    MultipartUpload elsewhere = store.createMultipartUpload(B, "out/y", PutOptions.defaults());
    clock.advance(Duration.ofDays(3));
    MultipartUpload fresh = store.createMultipartUpload(B, "in/z", PutOptions.defaults());
    assertThat(runAt(Duration.ofDays(6))).isEmpty();
    List<LifecycleAction> actions = runAt(Duration.ofDays(7));
    assertThat(actions).extracting(LifecycleAction::kind).containsExactly(Kind.ABORT_UPLOAD);
    assertThat(actions.get(0).versionId()).isEqualTo(stale.uploadId());
    assertThat(store.listMultipartUploads(B, new UploadsRequest("", null, null, 100)).uploads())
        .extracting(MultipartUpload::uploadId)
        .containsExactly(fresh.uploadId(), elsewhere.uploadId());
    assertThat(dataDir.resolve("lake/.uploads").resolve(stale.uploadId())).doesNotExist();
  }

  @Test
  void disabledRulesDoNothing() {
    rules(rule("off").enabled(false).expirationDays(1).build());
    put(store, B, "k", bytes("v"));
    assertThat(runAt(Duration.ofDays(100))).isEmpty();
    assertThat(store.head(B, "k", null).size()).isEqualTo(1);
  }

  @Test
  void historyIsNewestFirstAndSurvivesReopen() {
    store.createBucket("second");
    rules(rule("expire").expirationDays(1).build());
    store.setLifecycle(
        "second", new LifecycleConfiguration(List.of(rule("x").expirationDays(2).build())));
    put(store, B, "a", bytes("1"));
    put(store, B, "b", bytes("2"));
    put(store, "second", "c", bytes("3"));
    runAt(Duration.ofDays(1));
    runAt(Duration.ofDays(2));
    assertThat(store.lifecycleHistory(B, 10))
        .extracting(LifecycleAction::key)
        .containsExactly("b", "a");
    assertThat(store.lifecycleHistory(null, 10))
        .extracting(LifecycleAction::key)
        .containsExactly("c", "b", "a");
    assertThat(store.lifecycleHistory(null, 1))
        .extracting(LifecycleAction::key)
        .containsExactly("c");
    LifecycleConfiguration config = store.lifecycle(B).orElseThrow();
    store.close();
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir), clock);
    assertThat(store.lifecycleHistory(null, 10)).hasSize(3);
    assertThat(store.lifecycle(B)).contains(config);
  }

  @Test
  void objectsWrittenAfterTheScanAreJudgedByTheirOwnAge() {
    rules(rule("expire").expirationDays(1).build());
    put(store, B, "k", bytes("old"));
    clock.advance(Duration.ofDays(2));
    put(store, B, "k", bytes("new"));
    assertThat(store.runLifecycle(clock.instant())).isEmpty();
    assertThat(read(store, B, "k", GetOptions.current())).isEqualTo(bytes("new"));
  }

  @Test
  void putWithUnknownStorageClassIsRejected() {
    ObjectStoreException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ObjectStoreException.class,
            () ->
                store.put(
                    B,
                    "k",
                    new ByteArrayInputStream(bytes("v")),
                    1,
                    new PutOptions(ObjectMetadata.empty(), null, false, "FREEZER")));
    assertThat(e.reason()).isEqualTo(ObjectStoreException.Reason.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("FREEZER").contains("GLACIER");
  }
}
