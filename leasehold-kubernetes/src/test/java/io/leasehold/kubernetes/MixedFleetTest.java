package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.testing.Await;
import io.leasehold.testing.MockCluster;
import io.leasehold.testing.TermLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fabric8's own Java port of client-go's elector, with its LeaseLock, and a Leasehold elector
 * compete for one Lease: each sees the other as holder, and only one leads at a time.
 */
class MixedFleetTest {
  // the one-second granularity of Kubernetes records leaves the leader 2.6 s per renewal: room
  // for a loaded machine
  static final Duration LEASE = Duration.ofSeconds(6);
  static final Duration RENEW = Duration.ofSeconds(4);
  static final Duration RETRY = Duration.ofMillis(400);
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String NS = "mixed";
  static final String NAME = "shared-lease";

  private MockCluster cluster;
  private ExecutorService fabric8Threads;
  private final TermLog log = new TermLog();

  /** One fabric8 candidate: when it started and stopped leading, and whom it saw lead. */
  final class Fabric8Candidate {
    final String identity;
    final AtomicLong started = new AtomicLong();
    final List<String> leadersSeen = new CopyOnWriteArrayList<>();
    CompletableFuture<?> running;
    long cancelledAt;

    Fabric8Candidate(String identity) {
      this.identity = identity;
    }

    void start() {
      LeaderElectionConfig config =
          new LeaderElectionConfig(
              new io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock(
                  NS, NAME, identity),
              LEASE,
              RENEW,
              RETRY,
              new LeaderCallbacks(() -> started.set(System.nanoTime()), () -> {}, leadersSeen::add),
              true,
              NAME);
      running =
          new LeaderElectorBuilder(cluster.newClient(), fabric8Threads)
              .withConfig(config)
              .build()
              .start();
    }

    boolean leads() {
      return started.get() != 0 && cancelledAt == 0;
    }

    void stop() {
      cancelledAt = System.nanoTime(); // it renews no more after this
      running.cancel(true);
    }
  }

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    fabric8Threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() throws Exception {
    fabric8Threads.shutdownNow();
    fabric8Threads.awaitTermination(5, TimeUnit.SECONDS);
    cluster.close();
  }

  @Test
  void fabric8AndLeaseholdCandidatesTakeTurnsOnOneLease() throws Exception {
    Fabric8Candidate f8a = new Fabric8Candidate("fabric8-a");
    f8a.start();
    Await.until(WAIT, f8a::leads, "the fabric8 candidate to lead");

    LeaderElector lh =
        new LeaderElector(
            log.config(
                    LeaseLock.builder(cluster.newClient())
                        .namespace(NS)
                        .name(NAME)
                        .identity("leasehold")
                        .build(),
                    LEASE,
                    RENEW,
                    RETRY)
                .whenLost(WhenLost.COMPETE_AGAIN)
                .releaseOnCancel(true)
                .build());
    try {
      lh.start();
      Await.until(
          WAIT, () -> lh.getLeader().equals("fabric8-a"), "Leasehold to see fabric8-a lead");
      // for well over a lease duration of fabric8 renewals, Leasehold only follows
      holdsWhileRenewing("fabric8-a", () -> assertThat(lh.isLeader()).isFalse());

      f8a.stop();
      TermLog.Term mine = log.awaitLeader(WAIT);
      assertThat(mine.identity).isEqualTo("leasehold");
      assertThat(mine.start).isGreaterThan(f8a.cancelledAt);

      Fabric8Candidate f8b = new Fabric8Candidate("fabric8-b");
      f8b.start();
      Await.until(
          WAIT, () -> f8b.leadersSeen.contains("leasehold"), "fabric8-b to see Leasehold lead");
      holdsWhileRenewing("leasehold", () -> assertThat(f8b.leads()).isFalse());

      lh.close(); // releases; the term ended before the release was written
      Await.until(WAIT, f8b::leads, "fabric8-b to take over");
      assertThat(f8b.started.get()).isGreaterThan(log.terms().get(0).end());
      LockSnapshot taken = reader().get(Duration.ofSeconds(5)).orElseThrow();
      assertThat(taken.record().holderIdentity()).isEqualTo("fabric8-b");
      assertThat(taken.record().fencingToken())
          .as("fabric8 patches the spec and leaves Leasehold's annotation alone")
          .isEqualTo(mine.token);
      f8b.stop();
    } finally {
      lh.close();
    }
    log.assertSafe();
  }

  private LeaseLock reader() {
    return LeaseLock.builder(cluster.client).namespace(NS).name(NAME).identity("reader").build();
  }

  /**
   * Waits until {@code holder} has renewed the Lease for one and a half lease durations, checking
   * {@code invariant} at every poll.
   */
  private void holdsWhileRenewing(String holder, Runnable invariant) throws Exception {
    LeaseLock reader = reader();
    Instant from = reader.get(Duration.ofSeconds(5)).orElseThrow().record().renewTime();
    Instant until = from.plus(LEASE.multipliedBy(3).dividedBy(2));
    Await.until(
        WAIT,
        () -> {
          invariant.run();
          try {
            LockSnapshot s = reader.get(Duration.ofSeconds(5)).orElseThrow();
            assertThat(s.record().holderIdentity()).isEqualTo(holder);
            return !s.record().renewTime().isBefore(until);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        () -> holder + " to keep renewing until " + until);
  }
}
