package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import io.leasehold.testing.Await;
import io.leasehold.testing.ElectionContractTest;
import io.leasehold.testing.MockCluster;
import io.leasehold.testing.TermLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real-clock elections on the mock API server. Timings are short but leave room for a loaded
 * machine: lease 6 s, renew 4 s, retry 0.4 s, which leaves the leader 2.6 s of authority per
 * renewal after the one-second granularity of Kubernetes locks.
 */
class KubernetesElectionTest extends ElectionContractTest {
  static final String NS = "election";
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @AfterEach
  void heal() {
    cluster.heal();
  }

  /** 6 s / 4 s / 0.4 s: the one-second granularity leaves the leader 2.6 s per renewal. */
  @Override
  protected Duration lease() {
    return Duration.ofSeconds(6);
  }

  @Override
  protected Duration renew() {
    return Duration.ofSeconds(4);
  }

  @Override
  protected Duration retry() {
    return Duration.ofMillis(400);
  }

  @Override
  protected Lock lock(String name, String identity) {
    return KubernetesLocks.create(
        KubernetesLocks.LEASES, NS, name, cluster.client, ResourceLockConfig.of(identity));
  }

  @Test
  void theLeaseHoldsTheLeadersIdentityAndToken() throws Exception {
    start("a", true);
    TermLog.Term leader = log.awaitLeader(WAIT);
    LockSnapshot stored = leaseLock().get(Duration.ofSeconds(5)).orElseThrow();
    assertThat(stored.record().holderIdentity()).isEqualTo(leader.identity);
    assertThat(stored.record().fencingToken()).isEqualTo(leader.token);
  }

  private Lock lockOfType(String type, String identity) {
    return KubernetesLocks.create(
        type, NS, lockName, cluster.client, ResourceLockConfig.of(identity));
  }

  /**
   * client-go's migration path, one rolling upgrade at a time: a fleet on a ConfigMap, then on
   * ConfigMap + Lease, then on the Lease alone, with one leader at a time throughout.
   */
  @Test
  void aFleetMigratesFromAConfigMapToALeaseWithOneLeaderAtATime() throws Exception {
    String[] stages = {
      KubernetesLocks.CONFIGMAPS, KubernetesLocks.CONFIGMAPS_LEASES, KubernetesLocks.LEASES
    };
    List<LeaderElector> fleet = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      fleet.add(start(lockOfType(stages[0], "cm" + i), true));
    }
    TermLog.Term leader = log.awaitLeader(WAIT);
    for (int stage = 1; stage < stages.length; stage++) {
      // replace the fleet one replica at a time, the leader last
      List<LeaderElector> next = new java.util.ArrayList<>();
      for (int i = 0; i < 2; i++) {
        next.add(start(lockOfType(stages[stage], stages[stage] + i), true));
      }
      for (LeaderElector old : fleet) {
        if (!old.isLeader()) {
          old.close();
        }
      }
      electorOf(leader).close();
      // generous: fabric8's mock can stall up to 30 s when a watch closes mid-event (MockCluster)
      leader = log.awaitNewLeader(leader, Duration.ofSeconds(45));
      fleet = next;
    }
    assertThat(leader.identity).startsWith(KubernetesLocks.LEASES);
    assertThat(holderOf(leaseLock())).isEqualTo(leader.identity);
    log.assertSafe();
  }

  @Test
  void threeCandidatesOnAMultiLockKeepBothObjectsInStep() throws Exception {
    for (int i = 0; i < 3; i++) {
      start(
          KubernetesLocks.create(
              KubernetesLocks.ENDPOINTS_LEASES,
              NS,
              lockName,
              cluster.client,
              ResourceLockConfig.of("m" + i)),
          true);
    }
    TermLog.Term first = log.awaitLeader(WAIT);
    electorOf(first).close();
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    log.assertSafe();
    Lock endpoints =
        EndpointsLock.builder(cluster.client)
            .namespace(NS)
            .name(lockName)
            .identity("reader")
            .build();
    Await.until(
        WAIT,
        () ->
            holderOf(endpoints).equals(second.identity)
                && holderOf(leaseLock()).equals(second.identity),
        () -> "both objects to name " + second);
  }

  @Test
  void eventsAreRecordedOnTheLeaseAndFailuresToRecordAreHarmless() {
    KubernetesEventRecorder recorder = new KubernetesEventRecorder(cluster.client, "election-test");
    LeaderElector a =
        start(
            LeaseLock.builder(cluster.client)
                .namespace(NS)
                .name(lockName)
                .config(ResourceLockConfig.of("ev-a", recorder))
                .build(),
            true);
    log.awaitLeader(WAIT);
    Await.until(
        WAIT,
        () -> eventMessages().contains("ev-a became leader"),
        () -> "events " + eventMessages());
    Event e =
        events().stream()
            .filter(x -> x.getMessage().equals("ev-a became leader"))
            .findFirst()
            .orElseThrow();
    assertThat(e.getType()).isEqualTo("Normal");
    assertThat(e.getReason()).isEqualTo("LeaderElection");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Lease");
    assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("coordination.k8s.io/v1");
    assertThat(e.getInvolvedObject().getName()).isEqualTo(lockName);
    assertThat(e.getInvolvedObject().getNamespace()).isEqualTo(NS);
    assertThat(e.getInvolvedObject().getUid())
        .as("kubectl describe finds events by uid")
        .isNotNull()
        .isEqualTo(
            cluster
                .client
                .genericKubernetesResources(ResourceType.LEASES.context)
                .inNamespace(NS)
                .withName(lockName)
                .get()
                .getMetadata()
                .getUid());
    assertThat(e.getSource().getComponent()).isEqualTo("election-test");

    cluster.fail("POST", "/namespaces/" + NS + "/events", 403, "events is forbidden");
    a.close();
    TermLog.Term previous = log.terms().get(0);
    start("ev-b", false);
    TermLog.Term next = log.awaitNewLeader(previous, WAIT);
    assertThat(next.identity).isEqualTo("ev-b");
  }

  // ---------------------------------------------------------------- helpers

  private LeaseLock leaseLock() {
    return LeaseLock.builder(cluster.client)
        .namespace(NS)
        .name(lockName)
        .identity("reader")
        .build();
  }

  private static String holderOf(Lock lock) {
    try {
      return lock.get(Duration.ofSeconds(5)).map(s -> s.record().holderIdentity()).orElse("");
    } catch (Exception e) {
      return "";
    }
  }

  private List<Event> events() {
    List<Event> out = new ArrayList<>();
    for (Event e : cluster.client.v1().events().inNamespace(NS).list().getItems()) {
      if (e.getInvolvedObject() != null && lockName.equals(e.getInvolvedObject().getName())) {
        out.add(e);
      }
    }
    return out;
  }

  private List<String> eventMessages() {
    List<String> out = new ArrayList<>();
    for (Event e : events()) {
      out.add(e.getMessage());
    }
    return out;
  }
}
