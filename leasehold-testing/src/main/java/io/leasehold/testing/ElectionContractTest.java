package io.leasehold.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Elections on a real backend with the real clock: each backend's test extends this class and
 * supplies locks. Timings are short to keep suites fast, with room for a loaded machine: lease 4 s,
 * renew 3 s, retry 0.3 s, so a leader keeps its term through a stall of up to 2.7 s (its leader
 * deadline). {@link TermLog} checks that terms never overlap and fencing tokens rise.
 */
public abstract class ElectionContractTest {
  public static final Duration LEASE = Duration.ofSeconds(4);
  public static final Duration RENEW = Duration.ofSeconds(3);
  public static final Duration RETRY = Duration.ofMillis(300);
  public static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger LOCKS = new AtomicInteger();

  protected final TermLog log = new TermLog();
  protected final List<LeaderElector> electors = new ArrayList<>();

  /** A lock name of its own for each test. */
  protected final String lockName = "election-" + LOCKS.incrementAndGet();

  /** A lock for {@code identity} on the object named {@code lockName} in the backend under test. */
  protected abstract Lock lock(String lockName, String identity) throws Exception;

  /** The lease duration of the candidates (default {@link #LEASE}). */
  protected Duration lease() {
    return LEASE;
  }

  /** The renew deadline of the candidates (default {@link #RENEW}). */
  protected Duration renew() {
    return RENEW;
  }

  /** The retry period of the candidates (default {@link #RETRY}). */
  protected Duration retry() {
    return RETRY;
  }

  /** Starts a candidate that keeps competing; it releases on close when {@code release}. */
  protected LeaderElector start(String identity, boolean release) {
    try {
      return start(lock(lockName, identity), release);
    } catch (Exception e) {
      throw new AssertionError("cannot make a lock for " + identity, e);
    }
  }

  /** Starts a candidate on {@code lock}. */
  protected LeaderElector start(Lock lock, boolean release) {
    LeaderElector e =
        new LeaderElector(
            log.config(lock, lease(), renew(), retry())
                .whenLost(WhenLost.COMPETE_AGAIN)
                .releaseOnCancel(release)
                .build());
    electors.add(e);
    e.start();
    return e;
  }

  /** The running elector that leads as {@code term}'s identity. */
  protected LeaderElector electorOf(TermLog.Term term) {
    for (LeaderElector e : electors) {
      if (e.config().lock().identity().equals(term.identity) && e.isLeader()) {
        return e;
      }
    }
    throw new AssertionError("no running elector leads as " + term);
  }

  @AfterEach
  void stopAll() {
    // followers first, so that none takes over and writes while the others are closing
    for (LeaderElector e : electors) {
      if (!e.isLeader()) {
        e.close();
      }
    }
    for (LeaderElector e : electors) {
      e.close();
    }
  }

  @Test
  void fiveCandidatesHaveExactlyOneLeaderAtATimeThroughHandoversAndCrashes() {
    for (int i = 0; i < 5; i++) {
      start("c" + i, i % 2 == 0);
    }
    TermLog.Term leader = log.awaitLeader(WAIT);
    for (int round = 0; round < 4; round++) {
      electorOf(leader).close(); // even candidates release, odd ones just vanish
      start("r" + round, round % 2 == 0);
      leader = log.awaitNewLeader(leader, WAIT);
    }
    log.assertSafe();
    assertThat(log.terms()).hasSizeGreaterThanOrEqualTo(5);
  }

  @Test
  void aCrashedLeaderIsTakenOverOnlyAfterItsLeaseRanOut() {
    LeaderElector a = start("a", false);
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = start("b", false);
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b to see a lead");
    a.close(); // no release: the store cannot tell this from a crash
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    assertThat(second.token).isGreaterThan(first.token);
    // b waited a full lease after the last change it saw: at most one retry (and the lock's
    // granularity: renewals within one second are no change on Kubernetes) before a stopped
    Duration granularity = b.config().lock().changeDetectionGranularity();
    assertThat(Duration.ofNanos(second.start - first.end()))
        .isGreaterThanOrEqualTo(lease().minus(retry()).minus(granularity).minusMillis(100));
    log.assertSafe();
  }

  @Test
  void aReleasedLockIsTakenWithoutWaitingOutTheLease() {
    LeaderElector a = start("a", true);
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = start("b", false);
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b to see a lead");
    a.close();
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    assertThat(Duration.ofNanos(second.start - first.end())).isLessThan(lease());
    log.assertSafe();
  }
}
