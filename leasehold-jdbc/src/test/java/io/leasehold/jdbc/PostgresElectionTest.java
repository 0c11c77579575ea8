package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.jdbc.testing.PostgresServer;
import io.leasehold.leaderelection.Await;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.TermLog;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;
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
    AtomicLong leaderConnections = new AtomicLong();
    AtomicLong followerConnections = new AtomicLong();
    LeaderElector a = start("a", true, counting(ds, leaderConnections));
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = start("b", false, counting(ds, followerConnections));
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b to see a lead");
    // let b's LISTEN connection come up (it opens asynchronously and re-reads once when it does)
    long settle = leaderConnections.get();
    Await.until(WAIT, () -> leaderConnections.get() - settle >= 5, "five renewals by the leader");
    long followerBefore = followerConnections.get();
    long leaderBefore = leaderConnections.get();
    Await.until(
        WAIT,
        () -> leaderConnections.get() - leaderBefore >= 10,
        "ten renewals by the leader");
    assertThat(followerConnections.get() - followerBefore)
        .as("the follower relies on LISTEN/NOTIFY instead of polling")
        .isZero();
    assertThat(b.getLeader()).isEqualTo("a");

    a.close();
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    log.assertSafe();
  }

  /** Wraps a data source, counting the connections it hands out. */
  static DataSource counting(DataSource target, AtomicLong connections) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                connections.incrementAndGet();
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
