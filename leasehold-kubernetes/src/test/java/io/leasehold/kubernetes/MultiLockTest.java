package io.leasehold.kubernetes;

import static io.leasehold.kubernetes.LockErrorsTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * MultiLock's update is a compare-and-swap on both objects against the snapshot it is given: a
 * MultiLock candidate whose view is stale fails instead of overwriting a Lease-only candidate's
 * takeover (migration step 2 of docs/KUBERNETES.md).
 */
class MultiLockTest extends MockClusterTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static final String NS = "multi";
  private static final AtomicInteger NAMES = new AtomicInteger();
  private final String name = "multi-" + NAMES.incrementAndGet();

  private Lock multi(String identity) {
    return KubernetesLocks.create(
        KubernetesLocks.CONFIGMAPS_LEASES,
        NS,
        name,
        cluster.client,
        ResourceLockConfig.of(identity));
  }

  private LeaseLock lease(String identity) {
    return LeaseLock.builder(cluster.client).namespace(NS).name(name).identity(identity).build();
  }

  private ConfigMapLock configMap(String identity) {
    return ConfigMapLock.builder(cluster.client)
        .namespace(NS)
        .name(name)
        .identity(identity)
        .build();
  }

  @Test
  void aStaleMultiLockCandidateCannotOverwriteALeaseOnlyTakeover() throws Exception {
    Lock m = multi("m");
    LockSnapshot observed = m.create(record("m", 0, 1), T);
    // a Lease-only candidate of the next release takes the Lease over (its lease ran out)
    LeaseLock l = lease("l");
    LockSnapshot taken = l.update(l.get(T).orElseThrow(), record("l", 1, 2), T);

    // the MultiLock candidate writes against what it observed before the takeover
    assertThatThrownBy(() -> m.update(observed, record("m", 0, 2), T))
        .isInstanceOf(LockConflictException.class)
        .hasMessageContaining("primary")
        .hasMessageContaining("409");

    LockSnapshot lease = lease("reader").get(T).orElseThrow();
    assertThat(lease.version()).as("the takeover stands").isEqualTo(taken.version());
    assertThat(lease.record().holderIdentity()).isEqualTo("l");
    // the ConfigMap was written: the two disagree, and MultiLock candidates wait
    assertThat(configMap("reader").get(T).orElseThrow().record().holderIdentity()).isEqualTo("m");
    LockSnapshot pair = multi("other").get(T).orElseThrow();
    assertThat(pair.record().holderIdentity()).isEqualTo(KubernetesLocks.UNKNOWN_LEADER);
    assertThat(pair.record().fencingToken()).isEqualTo(2);
  }

  @Test
  void aConflictOnThePrimaryWritesNeitherObject() throws Exception {
    Lock a = multi("a");
    LockSnapshot seenByB = a.create(record("a", 0, 1), T);
    LockSnapshot renewed = a.update(seenByB, record("a", 0, 1), T);
    assertThatThrownBy(() -> multi("b").update(seenByB, record("b", 1, 2), T))
        .isInstanceOf(LockConflictException.class)
        .hasMessageNotContaining("primary of MultiLock");
    LockSnapshot now = multi("c").get(T).orElseThrow();
    assertThat(now.version()).isEqualTo(renewed.version());
    assertThat(now.record().holderIdentity()).isEqualTo("a");
  }

  @Test
  void anAbsentSecondaryIsCreatedAndOneCreatedSinceTheReadConflicts() throws Exception {
    configMap("legacy").create(record("legacy", 0, 1), T);
    Lock m = multi("m");
    LockSnapshot primaryOnly = m.get(T).orElseThrow();
    assertThat(primaryOnly.version()).endsWith(",-");
    assertThat(primaryOnly.source(MultiLock.Halves.class).secondary()).isNull();

    // a Lease-only candidate creates the Lease meanwhile
    LockSnapshot created = lease("l").create(record("l", 0, 2), T);
    assertThatThrownBy(() -> m.update(primaryOnly, record("m", 1, 2), T))
        .isInstanceOf(LockConflictException.class)
        .hasMessageContaining("already exists");
    assertThat(lease("reader").get(T).orElseThrow().version()).isEqualTo(created.version());

    // against a fresh read, both are written
    LockSnapshot both = m.update(m.get(T).orElseThrow(), record("m", 2, 3), T);
    MultiLock.Halves halves = both.source(MultiLock.Halves.class);
    assertThat(both.version())
        .isEqualTo(halves.primary().version() + "," + halves.secondary().version());
    assertThat(lease("reader").get(T).orElseThrow().record().holderIdentity()).isEqualTo("m");
  }

  @Test
  void anErrorOnTheSecondaryFailsTheCallAndSaysTheTwoDisagree() throws Exception {
    Lock m = multi("m");
    LockSnapshot s = m.create(record("m", 0, 1), T);
    cluster.fail("PUT", "/leases/" + name, 503, "etcd is unavailable");
    assertThatThrownBy(() -> m.update(s, record("m", 0, 1), T))
        .isInstanceOf(LockException.class)
        .isNotInstanceOf(LockConflictException.class)
        .hasMessageContaining("was written but not the secondary")
        .hasMessageContaining("503");
  }

  @Test
  void aCorruptHalfIsReportedWithItsVersionAndRepairedAlone() throws Exception {
    cluster
        .client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withAnnotations(
                    Map.of(
                        KubernetesLocks.LEADER_ANNOTATION, "not json",
                        KubernetesLocks.FENCING_TOKEN_ANNOTATION, "5"))
                .endMetadata()
                .build())
        .create();
    LockSnapshot leaseBefore = lease("l").create(record("l", 3, 6), T);
    Lock m = multi("operator");

    CorruptRecordException e = null;
    try {
      m.get(T);
    } catch (CorruptRecordException thrown) {
      e = thrown;
    }
    assertThat(e).as("the read of a corrupt primary fails").isNotNull();
    assertThat(e).hasMessageContaining("the primary of a MultiLock");
    LockSnapshot stored = e.stored().orElseThrow();
    assertThat(stored.record().fencingToken()).isEqualTo(5);

    LeaderElectionRecord released =
        LeaderElectionRecord.builder().leaseDurationSeconds(1).fencingToken(5).build();
    LockSnapshot repaired = m.update(stored, released, T);
    assertThat(repaired.version()).isNotEqualTo(stored.version());
    assertThat(configMap("reader").get(T).orElseThrow().record().fencingToken()).isEqualTo(5);
    assertThat(lease("reader").get(T).orElseThrow().version())
        .as("the valid Lease is left alone")
        .isEqualTo(leaseBefore.version());
    LockSnapshot pair = m.get(T).orElseThrow();
    assertThat(pair.record().holderIdentity()).isEqualTo(KubernetesLocks.UNKNOWN_LEADER);
    assertThat(pair.record().fencingToken()).isEqualTo(6);
  }

  @Test
  void aSnapshotOfAnotherLockIsRefused() throws Exception {
    LockSnapshot single = lease("l").create(record("l", 0, 1), T);
    assertThatThrownBy(() -> multi("m").update(single, record("m", 1, 2), T))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
