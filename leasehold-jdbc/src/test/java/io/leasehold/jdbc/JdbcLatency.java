package io.leasehold.jdbc;

import io.leasehold.jdbc.testing.PostgresServer;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javax.sql.DataSource;

/**
 * Measures lock-call latency on SQLite (a temp file) and PostgreSQL (loopback): an acquisition as
 * the elector makes it on a released lock (get, then update) and a renewal (one optimistic
 * update). Prints median and p99. Run with {@code bin/jdbc-latency}.
 */
public final class JdbcLatency {
  private static final Duration T = Duration.ofSeconds(5);
  private static final int N = 500;

  private JdbcLatency() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("leasehold-latency");
    measure("SQLite (file, WAL)", SqliteDataSources.forFile(dir.resolve("leases.db")));
    try (PostgresServer pg = PostgresServer.start()) {
      measure("PostgreSQL, new connection", pg.dataSource());
      try (Connection c = pg.dataSource().getConnection()) {
        measure("PostgreSQL, pooled", reusing(c));
      }
    }
  }

  private static void measure(String name, DataSource ds) throws Exception {
    String lock = "latency-" + System.nanoTime();
    JdbcLock a = JdbcLock.builder(ds).name(lock).identity("a").build();
    JdbcLock b = JdbcLock.builder(ds).name(lock).identity("b").build();
    a.create(record("a", 1), T);
    for (int i = 0; i < 50; i++) { // warm up
      a.update(record("a", 1), T);
    }
    long[] renew = new long[N];
    for (int i = 0; i < N; i++) {
      long t0 = System.nanoTime();
      a.update(record("a", 1), T);
      renew[i] = System.nanoTime() - t0;
    }
    long[] acquire = new long[N];
    JdbcLock[] locks = {b, a};
    for (int i = 0; i < N; i++) {
      JdbcLock who = locks[i % 2];
      long t0 = System.nanoTime();
      who.get(T);
      who.update(record(who.identity(), i + 2), T);
      acquire[i] = System.nanoTime() - t0;
    }
    System.out.printf(
        "%-26s acquire (get+update): median %.2f ms, p99 %.2f ms;"
            + " renew (update): median %.2f ms, p99 %.2f ms%n",
        name, ms(acquire, 50), ms(acquire, 99), ms(renew, 50), ms(renew, 99));
  }

  /** A data source that hands out one connection again and again, as a pool would. */
  private static DataSource reusing(Connection physical) {
    Connection shared =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) ->
                    method.getName().equals("close") ? null : invoke(physical, method, args));
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> method.getName().equals("getConnection") ? shared : null);
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static LeaderElectionRecord record(String holder, long token) {
    Instant now = Instant.now();
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(now)
        .renewTime(now)
        .fencingToken(token)
        .build();
  }

  private static double ms(long[] samples, int percentile) {
    long[] s = samples.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, s.length * percentile / 100)] / 1e6;
  }
}
