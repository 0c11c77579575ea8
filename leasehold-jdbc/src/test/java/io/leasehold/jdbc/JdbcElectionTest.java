package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.TermLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Elections on a real database with the real clock: each subclass supplies the database. Timings
 * are short (lease 2 s, renew 1.5 s, retry 0.2 s) to keep the suite fast.
 */
abstract class JdbcElectionTest {
  static final Duration LEASE = Duration.ofSeconds(2);
  static final Duration RENEW = Duration.ofMillis(1500);
  static final Duration RETRY = Duration.ofMillis(200);
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger LOCKS = new AtomicInteger();

  final TermLog log = new TermLog();
  final List<LeaderElector> electors = new ArrayList<>();
  final String lockName = "election-" + LOCKS.incrementAndGet();

  /** The database under test. */
  abstract DataSource dataSource();

  LeaderElector start(String identity, boolean release) {
    return start(identity, release, dataSource());
  }

  LeaderElector start(String identity, boolean release, DataSource ds) {
    JdbcLock lock = JdbcLock.builder(ds).name(lockName).identity(identity).build();
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

  LeaderElector electorOf(TermLog.Term term) {
    for (LeaderElector e : electors) {
      if (e.config().lock().identity().equals(term.identity) && e.isLeader()) {
        return e;
      }
    }
    throw new AssertionError("no running elector leads as " + term);
  }

  @AfterEach
  void stopAll() {
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
    start("b", false);
    a.close(); // no release: the store cannot tell this from a crash
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    // b waited a full lease after the last renewal it saw, at most one retry before a stopped
    assertThat(Duration.ofNanos(second.start - first.end()))
        .isGreaterThanOrEqualTo(LEASE.minus(RETRY).minusMillis(100));
    log.assertSafe();
  }

  @Test
  void aReleasedLockIsTakenWithoutWaitingOutTheLease() {
    LeaderElector a = start("a", true);
    TermLog.Term first = log.awaitLeader(WAIT);
    start("b", false);
    a.close();
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    assertThat(Duration.ofNanos(second.start - first.end())).isLessThan(LEASE);
    log.assertSafe();
  }
}
