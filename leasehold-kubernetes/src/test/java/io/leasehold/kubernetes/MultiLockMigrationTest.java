package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.ElectionClock;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import io.leasehold.testing.Await;
import io.leasehold.testing.MockCluster;
import io.leasehold.testing.TermLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The review's scenario of issue 13, on the mock API server: migration step 2 of
 * docs/KUBERNETES.md, a MultiLock ({@code configmapsleases}) candidate beside Lease-only ({@code
 * leases}) candidates. The MultiLock candidate's clock runs at 0.8 times real speed (inside the
 * tolerated rate) and it has no watch. It leads first; then its API calls fail for about one lease,
 * until a Lease-only candidate has taken the Lease over. It then comes back still believing, on its
 * slow clock, that its own lease is valid, and writes against what it observed before the failures.
 *
 * <p>MultiLock used to read the Lease again and write against that fresh read, which overwrote the
 * legitimate takeover: two leaders with the same fencing token. Its update is now a
 * compare-and-swap on both objects against the snapshot the elector observed, so that write fails
 * and the Lease-only leader stays the only one.
 *
 * <p>Timings: lease 12 s, renew 8 s (ρ = 1.5), retry 0.2 s. The MultiLock candidate's leader
 * deadline ends its term about 7.75 s (real) after its last renewal; a Lease-only candidate takes
 * over about 12 s after it; the MultiLock candidate believes its lease valid until 15 s after it
 * (12 s on its slow clock), and comes back within about 0.6 s of the takeover. The margin, a
 * quarter of the lease, absorbs the delays of a busy machine; the test says so if it ran out.
 */
class MultiLockMigrationTest {
  static final Duration LEASE = Duration.ofSeconds(12);
  static final Duration RENEW = Duration.ofSeconds(8);
  static final Duration RETRY = Duration.ofMillis(200);
  static final Duration WAIT = Duration.ofSeconds(60);
  static final double SLOW_RATE = 0.8;
  static final String NS = "migration";
  static final String NAME = "controller";

  private MockCluster cluster;
  private final TermLog log = new TermLog();
  private final List<LeaderElector> electors = new ArrayList<>();

  @BeforeEach
  void start() {
    cluster = new MockCluster();
  }

  @AfterEach
  void stop() {
    for (LeaderElector e : electors) {
      if (!e.isLeader()) {
        e.close();
      }
    }
    electors.forEach(LeaderElector::close);
    cluster.close();
  }

  @Test
  void aMultiLockCandidateWithASlowClockAndFailingCallsNeverOverwritesALeaseOnlyTakeover() {
    FlakyLock multi =
        new FlakyLock(
            KubernetesLocks.create(
                KubernetesLocks.CONFIGMAPS_LEASES,
                NS,
                NAME,
                cluster.newClient(),
                ResourceLockConfig.of("multi")));
    LeaderElector m = start(multi, new ScaledClock(SLOW_RATE));
    TermLog.Term first = log.awaitLeader(WAIT);
    assertThat(first.identity).isEqualTo("multi");

    for (int i = 0; i < 2; i++) {
      String identity = "lease-" + i;
      LeaderElector l =
          start(
              LeaseLock.builder(cluster.newClient())
                  .namespace(NS)
                  .name(NAME)
                  .identity(identity)
                  .build(),
              ElectionClock.system());
      Await.until(WAIT, () -> l.getLeader().equals("multi"), identity + " to see multi lead");
    }

    // multi's calls fail until a Lease-only candidate has taken over: about one lease
    multi.failing = true;
    Await.until(
        WAIT,
        () -> {
          TermLog.Term t = log.active(); // fails on two active terms
          return t != null && t.identity.startsWith("lease-");
        },
        () -> "a Lease-only candidate to take over; terms " + log.terms());
    TermLog.Term takeover = log.active();
    multi.failing = false;
    long takeoverAfterMs = (takeover.start - multi.lastSuccess) / 1_000_000;

    // multi comes back: it writes against its old view (the bug's moment), then reads
    Await.until(
        WAIT,
        () -> !multi.updatesAfterFailures.isEmpty(),
        () ->
            "multi to write against its old view. It did not: its lease had run out on its slow"
                + " clock before it came back, so the scenario did not happen (the takeover came "
                + takeoverAfterMs
                + " ms after multi's last successful call; multi's lease lasts "
                + (long) (LEASE.toMillis() / SLOW_RATE)
                + " ms of real time)");
    Await.until(
        WAIT,
        () -> m.isLeader() || m.getLeader().equals(KubernetesLocks.UNKNOWN_LEADER),
        () ->
            "multi to lead (the bug) or to see the two objects disagree; holder " + m.getLeader());
    log.assertSafe();

    assertThat(multi.updatesAfterFailures.get(0))
        .as("multi's first write after the failures was against its pre-failure view and failed")
        .isInstanceOf(LockConflictException.class)
        .hasMessageContaining("was written but not the secondary");
    assertThat(holder(LeaseLock.builder(cluster.client)))
        .as("the Lease still names a Lease-only candidate")
        .startsWith("lease-");
    assertThat(m.isLeader()).isFalse();
  }

  private LeaderElector start(Lock lock, ElectionClock clock) {
    LeaderElector e =
        new LeaderElector(
            log.config(lock, LEASE, RENEW, RETRY)
                .clock(clock)
                .whenLost(WhenLost.COMPETE_AGAIN)
                .releaseOnCancel(false)
                .build());
    electors.add(e);
    e.start();
    return e;
  }

  private String holder(KubernetesLockBuilder<LeaseLock> builder) {
    try {
      return builder
          .namespace(NS)
          .name(NAME)
          .identity("reader")
          .build()
          .get(Duration.ofSeconds(5))
          .map(s -> s.record().holderIdentity())
          .orElse("");
    } catch (LockException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The real clock running at {@code rate} times real speed: durations and timer delays are scaled;
   * wall-clock instants are real (the elector only writes them).
   */
  static final class ScaledClock implements ElectionClock {
    private final double rate;
    private final long origin = System.nanoTime();

    ScaledClock(double rate) {
      this.rate = rate;
    }

    @Override
    public Instant now() {
      return Instant.now();
    }

    @Override
    public long nanoTime() {
      return origin + (long) ((System.nanoTime() - origin) * rate);
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
      return ElectionClock.system().schedule(task, (long) (delayNanos / rate));
    }
  }

  /**
   * A lock whose calls fail while {@link #failing} is set, without a watch (the candidate polls),
   * and which records the outcome of every update after a failure window.
   */
  static final class FlakyLock implements Lock {
    private final Lock delegate;
    volatile boolean failing;
    private volatile boolean failedOnce;

    /** When the last call before the failures started (System.nanoTime()). */
    volatile long lastSuccess;

    /** After the failures: null for each successful update, else its exception. */
    final List<LockException> updatesAfterFailures = new CopyOnWriteArrayList<>();

    FlakyLock(Lock delegate) {
      this.delegate = delegate;
    }

    private void maybeFail() throws LockException {
      if (!failing && !failedOnce) {
        lastSuccess = System.nanoTime();
      }
      if (failing) {
        failedOnce = true;
        throw new LockException("the API server cannot be reached (injected)");
      }
    }

    @Override
    public Optional<LockSnapshot> get(Duration timeout) throws LockException {
      maybeFail();
      return delegate.get(timeout);
    }

    @Override
    public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
      maybeFail();
      return delegate.create(record, timeout);
    }

    @Override
    public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
        throws LockException {
      maybeFail();
      boolean after = failedOnce;
      try {
        LockSnapshot written = delegate.update(current, record, timeout);
        if (after) {
          updatesAfterFailures.add(null);
        }
        return written;
      } catch (LockException e) {
        if (after) {
          updatesAfterFailures.add(e);
        }
        throw e;
      }
    }

    @Override
    public void recordEvent(String event) {
      delegate.recordEvent(event);
    }

    @Override
    public String identity() {
      return delegate.identity();
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public Duration changeDetectionGranularity() {
      return delegate.changeDetectionGranularity();
    }
  }
}
