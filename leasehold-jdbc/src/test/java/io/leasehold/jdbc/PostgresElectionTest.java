package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.testing.Await;
import io.leasehold.testing.PostgresServer;
import io.leasehold.testing.TermLog;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresElectionTest extends JdbcElectionTest {
  private static PostgresServer server;
  private static DataSource ds;

  @BeforeAll
  static void startServer() throws Exception {
    server = PostgresServer.start();
    ds = server.dataSource();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  DataSource dataSource() {
    return ds;
  }

  @Test
  void theServerRestartedUnderARunningLeaderNeverYieldsTwoLeaders() throws Exception {
    start("a", false);
    TermLog.Term first = log.awaitLeader(WAIT);
    start("b", false);
    start("c", false);
    server.restart();
    Await.until(
        WAIT,
        () -> log.active() != null && electors.stream().allMatch(e -> !e.getLeader().isEmpty()),
        () -> "a leader after the restart; terms " + log.terms());
    log.assertSafe();
    assertThat(first.token).isPositive();
  }

  @Test
  void followersSendNoQueriesWhileTheLeaderRenews_andTakeAReleasedLockAtOnce() {
    SqlLog leaderLog = new SqlLog();
    SqlLog followerLog = new SqlLog();
    LeaderElector a = start("a", true, leaderLog.wrap(ds));
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = start("b", false, followerLog.wrap(ds));
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b to see a lead");
    // let b's LISTEN connection come up (it opens asynchronously and re-reads once when it does)
    long settle = leaderLog.connections();
    Await.until(WAIT, () -> leaderLog.connections() - settle >= 5, "five renewals by the leader");
    long followerBefore = followerLog.connections();
    long leaderBefore = leaderLog.connections();
    Await.until(
        WAIT, () -> leaderLog.connections() - leaderBefore >= 10, "ten renewals by the leader");
    assertThat(followerLog.connections() - followerBefore)
        .as("the follower relies on LISTEN/NOTIFY instead of polling")
        .isZero();
    assertThat(b.getLeader()).isEqualTo("a");

    a.close();
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    log.assertSafe();
  }

  @Test
  void aLeaderFrozenRightAfterItsRenewalStatementDoesNotBlockTheTakeover() throws Exception {
    AtomicBoolean freeze = new AtomicBoolean();
    CountDownLatch thaw = new CountDownLatch(1);
    SqlLog leaderLog = new SqlLog();
    // frozen once a renewal's write of the row has run: in a transaction, that write would hold
    // the row's lock until the leader thaws; in autocommit it is already committed
    leaderLog.hook(
        (step, before) -> {
          if (!before && freeze.get() && step.contains("UPDATE leasehold_leases SET")) {
            thaw.await(60, TimeUnit.SECONDS);
          }
        });
    start("a", false, leaderLog.wrap(ds));
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = start("b", false);
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b to see a lead");
    freeze.set(true);
    try {
      TermLog.Term second = log.awaitNewLeader(first, WAIT);
      assertThat(second.identity).isEqualTo("b");
      log.assertSafe();
    } finally {
      thaw.countDown();
    }
  }

  @Test
  void aCandidateFrozenInsideItsAcquiringTransactionDoesNotBlockTheOthers() throws Exception {
    CountDownLatch thaw = new CountDownLatch(1);
    SqlLog frozenLog = new SqlLog();
    // b's create (a transaction with the history) stops before its commit, holding the new row
    frozenLog.hook(
        (step, before) -> {
          if (before && step.equals("COMMIT")) {
            thaw.await(60, TimeUnit.SECONDS);
          }
        });
    try {
      LeaderElector b = start("b", false, frozenLog.wrap(ds));
      Await.until(WAIT, () -> frozenLog.steps().contains("COMMIT"), "b to reach its commit");
      start("c", false);
      // the server ends b's session once it has idled in its transaction past its call's time
      TermLog.Term first = log.awaitLeader(WAIT);
      assertThat(first.identity).isEqualTo("c");
      assertThat(b.isLeader()).isFalse();
      log.assertSafe();
    } finally {
      thaw.countDown();
    }
  }
}
