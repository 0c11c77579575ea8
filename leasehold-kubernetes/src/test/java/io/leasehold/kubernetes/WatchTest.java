package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import io.leasehold.testing.Await;
import io.leasehold.testing.MockCluster;
import io.leasehold.testing.TermLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Followers are pushed changes of the lock object. */
class WatchTest extends MockClusterTest {
  static final Duration T = Duration.ofSeconds(5);
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String NS = "watch";
  private static final AtomicInteger LOCKS = new AtomicInteger();
  private final String lockName = "watched-" + LOCKS.incrementAndGet();

  private LeaderElector leader(Lock lock, TermLog log) {
    LeaderElector e =
        new LeaderElector(
            log.config(lock, Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(400))
                .releaseOnCancel(true)
                .build());
    e.start();
    return e;
  }

  @Test
  void aFollowerWatchingTheLeaseIsToldWhenTheLeaderReleases() throws Exception {
    TermLog log = new TermLog();
    LeaderElector leader =
        leader(
            LeaseLock.builder(cluster.client)
                .namespace(NS)
                .name(lockName)
                .identity("leader")
                .build(),
            log);
    try {
      log.awaitLeader(WAIT);
      LeaseLock follower =
          LeaseLock.builder(cluster.newClient())
              .namespace(NS)
              .name(lockName)
              .identity("follower")
              .build();
      CountDownLatch sawLeader = new CountDownLatch(1);
      CountDownLatch released = new CountDownLatch(1);
      List<LockSnapshot> pushed = new CopyOnWriteArrayList<>();
      try (LockWatch watch =
          follower
              .watch(
                  s -> {
                    if (s == null) {
                      return;
                    }
                    pushed.add(s);
                    if (s.record().holderIdentity().equals("leader")) {
                      sawLeader.countDown();
                    } else if (!s.record().hasHolder()) {
                      released.countDown();
                    }
                  })
              .orElseThrow()) {
        assertThat(watch.isHealthy()).isTrue();
        assertThat(sawLeader.await(10, TimeUnit.SECONDS))
            .as("the current state is pushed")
            .isTrue();
        leader.close();
        assertThat(released.await(10, TimeUnit.SECONDS)).as("the release is pushed").isTrue();
        LockSnapshot last = pushed.get(pushed.size() - 1);
        assertThat(last.sameRaw(follower.get(T).orElseThrow()))
            .as("pushed snapshots read like get")
            .isTrue();
        assertThat(last.record().fencingToken()).isEqualTo(1);
      }
    } finally {
      leader.close();
    }
  }

  @Test
  void aMultiLockWatchPushesTheCombinedRecord() throws Exception {
    TermLog log = new TermLog();
    LeaderElector leader =
        leader(
            KubernetesLocks.create(
                KubernetesLocks.CONFIGMAPS_LEASES,
                NS,
                lockName,
                cluster.client,
                ResourceLockConfig.of("leader")),
            log);
    try {
      log.awaitLeader(WAIT);
      Lock follower =
          KubernetesLocks.create(
              KubernetesLocks.CONFIGMAPS_LEASES,
              NS,
              lockName,
              cluster.newClient(),
              ResourceLockConfig.of("follower"));
      CountDownLatch released = new CountDownLatch(1);
      List<LockSnapshot> pushed = new CopyOnWriteArrayList<>();
      try (LockWatch watch =
          follower
              .watch(
                  s -> {
                    if (s != null) {
                      pushed.add(s);
                      if (!s.record().hasHolder()) {
                        released.countDown();
                      }
                    }
                  })
              .orElseThrow()) {
        assertThat(watch.isHealthy()).isTrue();
        leader.close();
        assertThat(released.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pushed)
            .allSatisfy(
                s -> {
                  assertThat(new String(s.raw())).contains("},{");
                  MultiLock.Halves halves = s.source(MultiLock.Halves.class);
                  assertThat(halves.secondary()).isNotNull();
                  assertThat(s.version())
                      .isEqualTo(halves.primary().version() + "," + halves.secondary().version());
                });
        LockSnapshot last = pushed.get(pushed.size() - 1);
        assertThat(last.sameRaw(follower.get(T).orElseThrow())).isTrue();
      }
    } finally {
      leader.close();
    }
  }

  @Test
  void aForbiddenWatchIsUnhealthyAndTheElectionFallsBackToPolling() throws Exception {
    cluster.fail("GET", "watch=true", 403, "leases.coordination.k8s.io is forbidden: cannot watch");
    try {
      LeaseLock probe =
          LeaseLock.builder(cluster.client).namespace(NS).name(lockName).identity("probe").build();
      try (LockWatch watch = probe.watch(s -> {}).orElseThrow()) {
        assertThat(watch.isHealthy()).isFalse();
      }
      TermLog log = new TermLog();
      LeaderElector a =
          leader(
              LeaseLock.builder(cluster.client).namespace(NS).name(lockName).identity("a").build(),
              log);
      LeaderElector b =
          leader(
              LeaseLock.builder(cluster.newClient())
                  .namespace(NS)
                  .name(lockName)
                  .identity("b")
                  .build(),
              log);
      try {
        TermLog.Term first = log.awaitLeader(WAIT);
        LeaderElector follower = first.identity.equals("a") ? b : a;
        Await.until(
            WAIT,
            () -> follower.getLeader().equals(first.identity),
            "the follower to see the leader");
        (follower == a ? b : a).close();
        TermLog.Term second = log.awaitNewLeader(first, WAIT);
        assertThat(second.identity).isEqualTo(follower.config().lock().identity());
        log.assertSafe();
      } finally {
        a.close();
        b.close();
      }
    } finally {
      cluster.heal();
    }
  }

  @Test
  void theWatchTurnsUnhealthyWhenTheServerGoesAndRecoversWhenItReturns() throws Exception {
    MockCluster first = new MockCluster();
    int port = first.port();
    LeaseLock lock =
        LeaseLock.builder(first.newClient()).namespace(NS).name(lockName).identity("w").build();
    List<String> holders = new CopyOnWriteArrayList<>();
    AtomicInteger unknowns = new AtomicInteger();
    LockWatch watch =
        lock.watch(
                s -> {
                  if (s == null) {
                    unknowns.incrementAndGet();
                  } else {
                    holders.add(s.record().holderIdentity());
                  }
                })
            .orElseThrow();
    MockCluster second = null;
    try {
      assertThat(watch.isHealthy()).isTrue();
      first.server.destroy();
      Await.until(WAIT, () -> !watch.isHealthy(), "the watch to notice the server is gone");
      Await.until(WAIT, () -> unknowns.get() >= 1, "the watcher to be told");

      second = new MockCluster(port);
      Await.until(WAIT, watch::isHealthy, "the watch to be re-established");
      Instant now = Instant.now();
      lock.create(
          LeaderElectionRecord.builder()
              .holderIdentity("back")
              .leaseDurationSeconds(3)
              .acquireTime(now)
              .renewTime(now)
              .build(),
          T);
      Await.until(
          WAIT, () -> holders.contains("back"), () -> "a push of the new record; got " + holders);

      watch.close();
      assertThat(watch.isHealthy()).isFalse();
    } finally {
      watch.close();
      Objects.requireNonNullElse(second, first).close();
      if (second != null) {
        first.close();
      }
    }
  }
}
