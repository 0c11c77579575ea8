package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.leasehold.leaderelection.Await;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.TermLog;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real-clock elections on the mock API server. Timings are short: lease 3 s, renew 2 s, retry 0.2
 * s, which leaves the leader 0.8 s of authority per renewal after the one-second granularity of
 * Kubernetes locks.
 */
class KubernetesElectionTest {
  static final Duration LEASE = Duration.ofSeconds(3);
  static final Duration RENEW = Duration.ofSeconds(2);
  static final Duration RETRY = Duration.ofMillis(200);
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String NS = "election";
  private static final AtomicInteger LOCKS = new AtomicInteger();
  private static MockCluster cluster;

  final TermLog log = new TermLog();
  final List<LeaderElector> electors = new ArrayList<>();
  final String lockName = "election-" + LOCKS.incrementAndGet();

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @AfterEach
  void stopAll() {
    // followers first: a follower that sees the leader release would take over and write while
    // the others close their watches (see MockCluster#close)
    for (LeaderElector e : electors) {
      if (!e.isLeader()) {
        e.close();
      }
    }
    for (LeaderElector e : electors) {
      e.close();
    }
    cluster.heal();
  }

  LeaderElector start(Lock lock, boolean release) {
    LeaderElector e =
        new LeaderElector(
            log.config(lock, LEASE, RENEW, RETRY)
                .keepCompeting(true)
                .releaseOnCancel(release)
                .build());
    electors.add(e);
    e.start();
    return e;
  }

  LeaderElector startOnLease(String identity, boolean release) {
    return start(
        KubernetesLocks.create(
            KubernetesLocks.LEASES, NS, lockName, cluster.client, ResourceLockConfig.of(identity)),
        release);
  }

  LeaderElector electorOf(TermLog.Term term) {
    for (LeaderElector e : electors) {
      if (e.config().lock().identity().equals(term.identity) && e.isLeader()) {
        return e;
      }
    }
    throw new AssertionError("no running elector leads as " + term);
  }

  @Test
  void fiveCandidatesHaveOneLeaderAtATimeThroughReleasesAndCrashes() throws Exception {
    for (int i = 0; i < 5; i++) {
      startOnLease("c" + i, i % 2 == 0);
    }
    TermLog.Term leader = log.awaitLeader(WAIT);
    for (int round = 0; round < 3; round++) {
      electorOf(leader).close(); // even candidates release, odd ones just vanish
      startOnLease("r" + round, round % 2 == 0);
      leader = log.awaitNewLeader(leader, WAIT);
    }
    log.assertSafe();
    assertThat(log.terms()).hasSizeGreaterThanOrEqualTo(4);
    LockSnapshot stored = lease().get(Duration.ofSeconds(5)).orElseThrow();
    assertThat(stored.record().holderIdentity()).isEqualTo(leader.identity);
    assertThat(stored.record().fencingToken()).isEqualTo(leader.token);
  }

  @Test
  void aCrashedLeaderIsTakenOverOnlyAfterItsLeaseRanOut() {
    LeaderElector a = startOnLease("a", false);
    TermLog.Term first = log.awaitLeader(WAIT);
    startOnLease("b", false);
    Await.until(WAIT, () -> electors.get(1).getLeader().equals("a"), "b to see a lead");
    a.close(); // no release: the lock cannot tell this from a crash
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    assertThat(Duration.ofNanos(second.start - first.end()))
        .isGreaterThanOrEqualTo(LEASE.minus(RENEW).minusMillis(100));
    assertThat(second.token).isGreaterThan(first.token);
    log.assertSafe();
  }

  @Test
  void aReleasedLeaseIsTakenAtOnceByAWatchingFollower() {
    LeaderElector a = startOnLease("a", true);
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = startOnLease("b", false);
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b to see a lead");
    a.close();
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    assertThat(Duration.ofNanos(second.start - first.end())).isLessThan(LEASE);
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
                && holderOf(lease()).equals(second.identity),
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
    assertThat(e.getSource().getComponent()).isEqualTo("election-test");

    cluster.fail("POST", "/namespaces/" + NS + "/events", 403, "events is forbidden");
    a.close();
    TermLog.Term previous = log.terms().get(0);
    startOnLease("ev-b", false);
    TermLog.Term next = log.awaitNewLeader(previous, WAIT);
    assertThat(next.identity).isEqualTo("ev-b");
  }

  // ---------------------------------------------------------------- helpers

  private LeaseLock lease() {
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
