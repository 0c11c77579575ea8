package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.testing.Await;
import io.leasehold.testing.TermLog;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conflicts, RBAC refusals, server errors, timeouts and corrupt objects. */
class LockErrorsTest extends MockClusterTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static final String NS = "errors";

  static LeaderElectionRecord record(String holder, int transitions, long token) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(now)
        .renewTime(now)
        .leaderTransitions(transitions)
        .fencingToken(token)
        .build();
  }

  LeaseLock lease(String name, String identity) {
    return LeaseLock.builder(cluster.client).namespace(NS).name(name).identity(identity).build();
  }

  ConfigMapLock configMap(String name, String identity) {
    return ConfigMapLock.builder(cluster.client)
        .namespace(NS)
        .name(name)
        .identity(identity)
        .build();
  }

  @Test
  void theSecondOfTwoUpdatesFromTheSameReadConflicts() throws Exception {
    lease("race", "a").create(record("a", 0, 1), T);
    LeaseLock b = lease("race", "b");
    LeaseLock c = lease("race", "c");
    LockSnapshot seenByB = b.get(T).orElseThrow();
    LockSnapshot seenByC = c.get(T).orElseThrow();
    b.update(seenByB, record("b", 1, 2), T);
    assertThatThrownBy(() -> c.update(seenByC, record("c", 1, 2), T))
        .isInstanceOf(LockConflictException.class)
        .hasMessageContaining("409")
        .hasMessageContaining("errors/race");
    assertThat(lease("race", "d").get(T).orElseThrow().record().holderIdentity()).isEqualTo("b");
  }

  @Test
  void createOfAnExistingObjectConflicts() throws Exception {
    configMap("exists", "a").create(record("a", 0, 1), T);
    assertThatThrownBy(() -> configMap("exists", "b").create(record("b", 0, 1), T))
        .isInstanceOf(LockConflictException.class)
        .hasMessageContaining("already exists");
  }

  @Test
  void aSnapshotOfAnotherObjectIsRefusedBeforeAnythingIsSent() throws Exception {
    LockSnapshot otherName = lease("elsewhere", "a").create(record("a", 0, 1), T);
    LockSnapshot otherKind = configMap("mine", "a").create(record("a", 0, 1), T);
    LockSnapshot otherLock = new InMemoryLockStore().lock("mine", "a").create(record("a", 0, 1), T);
    LeaseLock mine = lease("mine", "a");
    int puts = cluster.requests("PUT", "/leases/").size();
    for (LockSnapshot foreign : new LockSnapshot[] {otherName, otherKind, otherLock}) {
      assertThatThrownBy(() -> mine.update(foreign, record("a", 0, 1), T))
          .as("%s", foreign)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(cluster.requests("PUT", "/leases/")).hasSize(puts);
  }

  @Test
  void updateOfADeletedObjectConflicts() throws Exception {
    LeaseLock a = lease("deleted", "a");
    LockSnapshot created = a.create(record("a", 0, 1), T);
    cluster
        .client
        .genericKubernetesResources(ResourceType.LEASES.context)
        .inNamespace(NS)
        .withName("deleted")
        .delete();
    assertThatThrownBy(() -> a.update(created, record("a", 0, 1), T))
        .isInstanceOf(LockConflictException.class)
        .hasMessageContaining("deleted");
  }

  @Test
  void forbiddenNamesTheVerbTheResourceAndTheNamespace() throws Exception {
    LeaseLock a = lease("rbac", "a");
    LockSnapshot created = a.create(record("a", 0, 1), T);
    cluster.fail(
        "PUT",
        "/leases/rbac",
        403,
        "leases.coordination.k8s.io \"rbac\" is forbidden: User"
            + " \"system:serviceaccount:errors:app\" cannot update resource \"leases\" in API group"
            + " \"coordination.k8s.io\" in the namespace \"errors\"");
    assertThatThrownBy(() -> a.update(created, record("a", 0, 1), T))
        .isInstanceOf(LockException.class)
        .isNotInstanceOf(LockConflictException.class)
        .hasMessageContaining("403")
        .hasMessageContaining("update")
        .hasMessageContaining("leases.coordination.k8s.io")
        .hasMessageContaining("namespace \"errors\"");

    cluster.fail("GET", "/configmaps/rbac", 403, "forbidden");
    assertThatThrownBy(() -> configMap("rbac", "a").get(T))
        .isInstanceOf(LockException.class)
        .hasMessageContaining("to get configmaps in namespace \"errors\"")
        .hasMessageContaining("API group \"\" (core)");
  }

  @Test
  void serverErrorsArePlainFailuresAndAreNotRetriedByTheClient() {
    cluster.fail("GET", "/leases/broken", 503, "etcd is unavailable");
    int before = cluster.requests("GET", "/leases/broken").size();
    assertThatThrownBy(() -> lease("broken", "a").get(T))
        .isInstanceOf(LockException.class)
        .isNotInstanceOf(LockConflictException.class)
        .isNotInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("503")
        .hasMessageContaining("etcd is unavailable");
    assertThat(cluster.requests("GET", "/leases/broken").size() - before)
        .as("requests sent; the elector, not the client, retries")
        .isEqualTo(1);
  }

  @Test
  void aCallTimesOutAfterItsTimeout() {
    cluster.slow("GET", "/leases/slow", 200, Duration.ofSeconds(10));
    long start = System.nanoTime();
    assertThatThrownBy(() -> lease("slow", "a").get(Duration.ofMillis(400)))
        .isInstanceOf(LockException.class)
        .isNotInstanceOf(LockConflictException.class)
        .hasMessageContaining("timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aMissingAnnotationIsTheEmptyRecordAndTheAnnotationsAreCreated() throws Exception {
    cluster
        .client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("plain")
                .endMetadata()
                .addToData("k", "v")
                .build())
        .create();
    ConfigMapLock a = configMap("plain", "a");
    LockSnapshot s = a.get(T).orElseThrow();
    assertThat(s.record()).isEqualTo(LeaderElectionRecord.EMPTY);
    assertThat(s.raw()).isEmpty();
    a.update(s, record("a", 1, 1), T);
    var cm = cluster.client.configMaps().inNamespace(NS).withName("plain").get();
    assertThat(cm.getMetadata().getAnnotations()).containsKey(KubernetesLocks.LEADER_ANNOTATION);
    assertThat(cm.getData()).containsEntry("k", "v");
  }

  @Test
  void aMalformedAnnotationIsCorruptAndCarriesTheStoredVersionWithItsToken() throws Exception {
    annotatedConfigMap(
        "garbled",
        Map.of(
            KubernetesLocks.LEADER_ANNOTATION,
            "{\"holderIdentity\": 12",
            KubernetesLocks.FENCING_TOKEN_ANNOTATION,
            "7",
            "keep",
            "me"));
    CorruptRecordException e = corruptRead(configMap("garbled", "a"));
    assertThat(e)
        .hasMessageContaining("errors/garbled")
        .hasMessageContaining(KubernetesLocks.LEADER_ANNOTATION)
        .hasMessageContaining("leasehold repair")
        .hasMessageContaining("fencing token 7");
    LockSnapshot stored = e.stored().orElseThrow();
    assertThat(stored.record()).isEqualTo(LeaderElectionRecord.builder().fencingToken(7).build());
    assertThat(stored.version()).isEqualTo(configMapMeta("garbled").getResourceVersion());

    // the repair: a released record against the corrupt version, keeping the token
    LeaderElectionRecord released =
        LeaderElectionRecord.builder()
            .leaseDurationSeconds(1)
            .fencingToken(stored.record().fencingToken())
            .build();
    configMap("garbled", "operator").update(stored, released, T);
    LockSnapshot repaired = configMap("garbled", "a").get(T).orElseThrow();
    assertThat(repaired.record().hasHolder()).isFalse();
    assertThat(repaired.record().fencingToken()).isEqualTo(7);
    assertThat(configMapMeta("garbled").getAnnotations()).containsEntry("keep", "me");
    assertThatThrownBy(() -> configMap("garbled", "operator").update(stored, released, T))
        .as("a repair is a compare-and-swap too")
        .isInstanceOf(LockConflictException.class);
  }

  @Test
  void aMalformedFencingTokenIsCorruptWithTokenZeroAndSaysSo() {
    annotatedConfigMap("bad-token", Map.of(KubernetesLocks.FENCING_TOKEN_ANNOTATION, "twelve"));
    CorruptRecordException e = corruptRead(configMap("bad-token", "a"));
    assertThat(e)
        .hasMessageContaining(KubernetesLocks.FENCING_TOKEN_ANNOTATION)
        .hasMessageContaining("fencing token is unreadable");
    assertThat(e.stored().orElseThrow().record())
        .isEqualTo(LeaderElectionRecord.builder().fencingToken(0).build());
    assertThat(e.stored().orElseThrow().version())
        .isEqualTo(configMapMeta("bad-token").getResourceVersion());
  }

  @Test
  void aMalformedLeaseIsCorrupt() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("holderIdentity", "x");
    spec.put("renewTime", "last tuesday");
    GenericKubernetesResource lease = new GenericKubernetesResource();
    lease.setApiVersion("coordination.k8s.io/v1");
    lease.setKind("Lease");
    lease.setMetadata(new ObjectMetaBuilder().withName("garbled").withNamespace(NS).build());
    lease.setAdditionalProperty("spec", spec);
    cluster
        .client
        .genericKubernetesResources(ResourceType.LEASES.context)
        .inNamespace(NS)
        .resource(lease)
        .create();
    CorruptRecordException e = corruptRead(lease("garbled", "a"));
    assertThat(e).hasMessageContaining("spec.renewTime");
    assertThat(e.stored().orElseThrow().record()).isEqualTo(LeaderElectionRecord.EMPTY);
    assertThat(e.stored().orElseThrow().source(GenericKubernetesResource.class).getKind())
        .isEqualTo("Lease");
  }

  @Test
  void anElectorDoesNotTakeOverACorruptLock() {
    String garbage = "{\"holderIdentity\":\"someone\",\"leaseDurationSeconds\":\"soon\"}";
    annotatedConfigMap("corrupt-election", Map.of(KubernetesLocks.LEADER_ANNOTATION, garbage));
    TermLog log = new TermLog();
    LeaderElector e =
        new LeaderElector(
            log.config(
                    configMap("corrupt-election", "candidate"),
                    Duration.ofSeconds(2),
                    Duration.ofMillis(1500),
                    Duration.ofMillis(100))
                .build());
    try {
      e.start();
      int before = cluster.requests("GET", "/configmaps/corrupt-election").size();
      // several full lease durations of attempts: each one reads and gives up
      Await.until(
          Duration.ofSeconds(40),
          () -> cluster.requests("GET", "/configmaps/corrupt-election").size() >= before + 15,
          "the elector to retry many times");
      assertThat(e.isLeader()).isFalse();
      assertThat(log.terms()).isEmpty();
      assertThat(cluster.requests("PUT", "/configmaps/corrupt-election")).isEmpty();
      assertThat(
              cluster
                  .client
                  .configMaps()
                  .inNamespace(NS)
                  .withName("corrupt-election")
                  .get()
                  .getMetadata()
                  .getAnnotations())
          .containsEntry(KubernetesLocks.LEADER_ANNOTATION, garbage);
    } finally {
      e.close();
    }
  }

  private static CorruptRecordException corruptRead(Lock lock) {
    try {
      lock.get(T);
    } catch (CorruptRecordException e) {
      return e;
    } catch (LockException e) {
      throw new AssertionError("expected a CorruptRecordException", e);
    }
    throw new AssertionError("expected a CorruptRecordException; the read succeeded");
  }

  private static ObjectMeta configMapMeta(String name) {
    return cluster.client.configMaps().inNamespace(NS).withName(name).get().getMetadata();
  }

  private static void annotatedConfigMap(String name, Map<String, String> annotations) {
    cluster
        .client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withAnnotations(annotations)
                .endMetadata()
                .build())
        .create();
  }
}
