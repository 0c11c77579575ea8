package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite files pushed by the OS: a write by another data source reaches a watching lock. */
class SqliteWatchTest {
  private static final Duration T = Duration.ofSeconds(5);
  @TempDir Path dir;

  /** A record held by {@code holder} with fencing token {@code token}, renewed now. */
  static LeaderElectionRecord record(String holder, long token) {
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(Instant.now())
        .renewTime(Instant.now())
        .fencingToken(token)
        .build();
  }

  /** Whether {@code q} hands out {@code holder} within the timeout, skipping other holders. */
  private static boolean awaitHolder(LinkedBlockingQueue<String> q, String holder)
      throws InterruptedException {
    long end = System.nanoTime() + T.toNanos();
    for (String s; (s = q.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
      if (s.equals(holder)) {
        return true;
      }
    }
    return false;
  }

  private JdbcLock lock(String identity) {
    // a data source of its own per candidate, as in separate processes
    return JdbcLock.builder(SqliteDataSources.forFile(dir.resolve("leases.db")))
        .name("job")
        .identity(identity)
        .build();
  }

  @Test
  void writesByAnotherCandidateArePushedWithTheirSnapshot() throws Exception {
    JdbcLock a = lock("a");
    JdbcLock b = lock("b");
    LockSnapshot created = a.create(record("a", 1), T);
    LockSnapshot seenByB = b.get(T).orElseThrow();
    LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
    try (LockWatch w =
        b.watch(
                s ->
                    seen.add(
                        s == null
                            ? "?"
                            : s.record().holderIdentity() + "#" + s.record().fencingToken()))
            .orElseThrow()) {
      assertThat(w.isHealthy()).isTrue();
      a.update(created, record("a2", 2), T);
      assertThat(awaitValue(seen, "a2#2")).isTrue();

      // b's older snapshot no longer matches the row
      assertThatThrownBy(() -> b.update(seenByB, record("b", 3), T))
          .isInstanceOf(LockConflictException.class);
    }
  }

  @Test
  void aWriteCostsAWatchingProcessOneStatementPerTablePlusTheChangedRow_notOnePerElection()
      throws Exception {
    SqlLog log = new SqlLog();
    javax.sql.DataSource watching = log.wrap(SqliteDataSources.forFile(dir.resolve("leases.db")));
    JdbcLock writer = lock("w"); // another process's data source
    java.util.List<LinkedBlockingQueue<String>> seen = new java.util.ArrayList<>();
    java.util.List<LockWatch> watches = new java.util.ArrayList<>();
    java.util.List<LockSnapshot> rows = new java.util.ArrayList<>();
    int elections = 50;
    for (int i = 0; i < elections; i++) {
      JdbcLock w =
          JdbcLock.builder(SqliteDataSources.forFile(dir.resolve("leases.db")))
              .name("job-" + i)
              .identity("w")
              .build();
      rows.add(w.create(record("w", 1), T));
    }
    try {
      for (int i = 0; i < elections; i++) {
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        seen.add(q);
        JdbcLock follower = JdbcLock.builder(watching).name("job-" + i).identity("f").build();
        watches.add(
            follower
                .watch(s -> q.add(s == null ? "?" : s.record().holderIdentity()))
                .orElseThrow());
      }
      // the first change after subscribing: each watch reads its row once (its version is unknown)
      JdbcLock zero =
          JdbcLock.builder(SqliteDataSources.forFile(dir.resolve("leases.db")))
              .name("job-0")
              .identity("w2")
              .build();
      zero.update(rows.get(0), record("w2", 2), T);
      // opening the watching data source may have been reported too, before zero's write: job-0
      // may see its row twice
      assertThat(awaitHolder(seen.get(0), "w2")).isTrue();
      for (LinkedBlockingQueue<String> q : seen.subList(1, elections)) {
        assertThat(q.poll(T.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
      }
      seen.forEach(LinkedBlockingQueue::clear);
      int before = log.steps().size();
      JdbcLock seven =
          JdbcLock.builder(SqliteDataSources.forFile(dir.resolve("leases.db")))
              .name("job-7")
              .identity("w2")
              .build();
      seven.update(rows.get(7), record("w2", 2), T);
      assertThat(seen.get(7).poll(T.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("w2");
      java.util.List<String> statements = log.stepsSince(before);
      assertThat(statements.stream().filter(st -> st.contains("WHERE name = ?")))
          .as("rows read by the watching process for one write: %s", statements)
          .hasSize(1);
      // one scan per batch of notifications, two when the first found nothing new (it then waits
      // for the writer); a write's notifications come in a few batches, looked at without a pause
      // up to the burst: a bound that does not grow with the number of elections
      assertThat(statements.stream().filter(st -> st.startsWith("SELECT name, version")))
          .as("version scans (one or two per batch of notifications): %s", statements)
          .hasSizeBetween(1, 2 * SqliteFileWatch.BURST);
      for (int i = 0; i < elections; i++) {
        if (i != 7) {
          assertThat(seen.get(i)).as("election %d did not change", i).isEmpty();
        }
      }
    } finally {
      watches.forEach(LockWatch::close);
    }
  }

  @Test
  void aClosedWatchDeliversNothingAndIsUnhealthy() throws Exception {
    JdbcLock a = lock("a");
    JdbcLock b = lock("b");
    LockSnapshot s = a.create(record("a", 1), T);
    LinkedBlockingQueue<LockSnapshot> seen = new LinkedBlockingQueue<>();
    LockWatch w = b.watch(seen::add).orElseThrow();
    w.close();
    assertThat(w.isHealthy()).isFalse();
    s = a.update(s, record("a", 1), T);
    // a second, open watch proves the write was reported; the closed one stayed silent
    LinkedBlockingQueue<LockSnapshot> other = new LinkedBlockingQueue<>();
    try (LockWatch open = lock("c").watch(other::add).orElseThrow()) {
      assertThat(open.isHealthy()).isTrue();
      a.update(s, record("a", 1), T);
      assertThat(other.poll(10, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void aDataSourceNotFromSqliteDataSourcesIsPolled() {
    org.sqlite.SQLiteDataSource plain = new org.sqlite.SQLiteDataSource();
    plain.setUrl("jdbc:sqlite:" + dir.resolve("plain.db"));
    JdbcLock l = JdbcLock.builder(plain).name("job").identity("a").build();
    assertThat(l.watch(s -> {})).isEmpty();
  }

  private static boolean awaitValue(LinkedBlockingQueue<String> q, String expected)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      String v = q.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (expected.equals(v)) {
        return true;
      }
    }
    return false;
  }
}
