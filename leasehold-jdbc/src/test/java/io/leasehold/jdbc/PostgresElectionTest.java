package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.jdbc.testing.PostgresServer;
import io.leasehold.leaderelection.Await;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.TermLog;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
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

  @Test
  void aLeaderFrozenInsideItsRenewalTransactionDoesNotBlockTheTakeover() throws Exception {
    AtomicBoolean freeze = new AtomicBoolean();
    CountDownLatch thaw = new CountDownLatch(1);
    start("a", false, freezingCommits(ds, freeze, thaw));
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = start("b", false);
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b to see a lead");
    freeze.set(true); // a's next renewal updates the row, then never commits: the row stays locked
    try {
      TermLog.Term second = log.awaitNewLeader(first, WAIT);
      assertThat(second.identity).isEqualTo("b");
      log.assertSafe();
    } finally {
      thaw.countDown();
    }
  }

  /** Connections whose commit blocks, while {@code freeze} is set, until {@code thaw} opens. */
  static DataSource freezingCommits(DataSource target, AtomicBoolean freeze, CountDownLatch thaw) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object result = invoke(target, method, args);
              if (!method.getName().equals("getConnection")) {
                return result;
              }
              java.sql.Connection real = (java.sql.Connection) result;
              return Proxy.newProxyInstance(
                  java.sql.Connection.class.getClassLoader(),
                  new Class<?>[] {java.sql.Connection.class},
                  (p, m, a) -> {
                    if (m.getName().equals("commit") && freeze.get()) {
                      thaw.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    return invoke(real, m, a);
                  });
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
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
