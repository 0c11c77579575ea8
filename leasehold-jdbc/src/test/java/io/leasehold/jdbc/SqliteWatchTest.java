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

  private JdbcLock lock(String identity) {
    // a data source of its own per candidate, as in separate processes
    return JdbcLock.builder(SqliteDataSources.forFile(dir.resolve("leases.db")))
        .name("job")
        .identity(identity)
        .build();
  }

  @Test
  void writesByAnotherCandidateArePushedWithTheirSnapshot_andLeaveTheCasVersionAlone()
      throws Exception {
    JdbcLock a = lock("a");
    JdbcLock b = lock("b");
    a.create(record("a", 1), T);
    b.get(T);
    LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
    try (LockWatch w =
        b.watch(s -> seen.add(s == null ? "?" : s.record().holderIdentity() + "#" + s.record().fencingToken()))
            .orElseThrow()) {
      assertThat(w.isHealthy()).isTrue();
      a.get(T);
      a.update(record("a2", 2), T);
      assertThat(awaitValue(seen, "a2#2")).isTrue();

      // the watch read the row without moving b's compare-and-swap version
      assertThatThrownBy(() -> b.update(record("b", 3), T)).isInstanceOf(LockConflictException.class);
    }
  }

  @Test
  void aClosedWatchDeliversNothingAndIsUnhealthy() throws Exception {
    JdbcLock a = lock("a");
    JdbcLock b = lock("b");
    a.create(record("a", 1), T);
    LinkedBlockingQueue<LockSnapshot> seen = new LinkedBlockingQueue<>();
    LockWatch w = b.watch(seen::add).orElseThrow();
    w.close();
    assertThat(w.isHealthy()).isFalse();
    a.get(T);
    a.update(record("a", 1), T);
    // a second, open watch proves the write was reported; the closed one stayed silent
    LinkedBlockingQueue<LockSnapshot> other = new LinkedBlockingQueue<>();
    try (LockWatch open = lock("c").watch(other::add).orElseThrow()) {
      a.get(T);
      a.update(record("a", 1), T);
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
