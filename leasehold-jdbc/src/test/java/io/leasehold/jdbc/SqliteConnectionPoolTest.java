package io.leasehold.jdbc;

import static io.leasehold.jdbc.SqliteWatchTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

/** Reuse, closing, durability and read-only access of SQLite pools from SqliteDataSources. */
class SqliteConnectionPoolTest {
  private static final Duration T = Duration.ofSeconds(5);
  @TempDir Path dir;

  private static JdbcLock lock(DataSource ds, String name) {
    return JdbcLock.builder(ds).name(name).identity("a").build();
  }

  private static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void closedPoolsLeaveNoFileDescriptorsBehind() throws Exception {
    Path db = dir.resolve("cycles.db");
    try (SqliteConnectionPool warmUp = SqliteDataSources.forFile(db)) {
      lock(warmUp, "warm-up").create(record("a", 1), T); // the driver's native library, the table
    }
    long before = openFileDescriptors();
    int cycles = 300;
    for (int i = 0; i < cycles; i++) {
      try (SqliteConnectionPool pool = SqliteDataSources.forFile(db)) {
        JdbcLock lock = lock(pool, "lock-" + i);
        LockSnapshot created = lock.create(record("a", 1), T);
        try (LockWatch watch = lock.watch(snapshot -> {}).orElseThrow()) {
          lock.update(created, record("a", 1), T);
          assertThat(lock.get(T)).isPresent();
          assertThat(watch.isHealthy()).isTrue();
        }
      }
    }
    long after = openFileDescriptors();
    // an unclosed pool keeps the database and its WAL open, 2 descriptors or more per cycle; other
    // tests' threads winding down in this JVM may hold a few
    assertThat(after - before)
        .as("file descriptors left after %d cycles", cycles)
        .isLessThan(cycles / 10);
  }

  @Test
  void afterCloseTheDatabaseFileAloneHoldsEveryCommittedWrite() throws Exception {
    Path db = dir.resolve("leases.db");
    try (SqliteConnectionPool pool = SqliteDataSources.forFile(db)) {
      lock(pool, "job").create(record("alpha", 7), T);
      assertThat(Files.size(Path.of(db + "-wal"))).as("the write went to the WAL").isPositive();
    }
    assertThat(Path.of(db + "-wal")).as("the last connection removed the WAL").doesNotExist();
    Path copy = Files.createDirectory(dir.resolve("copy")).resolve("leases.db");
    Files.copy(db, copy);
    try (SqliteConnectionPool pool = SqliteDataSources.forFile(copy)) {
      Optional<LockSnapshot> read = lock(pool, "job").get(T);
      assertThat(read).map(s -> s.record().fencingToken()).contains(7L);
    }
  }

  @Test
  void aClosedPoolRefusesNewConnectionsAndClosesLentOnesWhenReturned() throws Exception {
    SqliteConnectionPool pool = SqliteDataSources.forFile(dir.resolve("pool.db"));
    Connection lent = pool.getConnection();
    SQLiteConnection physical = lent.unwrap(SQLiteConnection.class);
    pool.close();
    pool.close(); // idempotent
    assertThat(physical.isClosed()).isFalse();
    lent.close();
    assertThat(physical.isClosed()).isTrue();
    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void aNewTermIsOnDiskBeforeItsTokenIsHandedOut_renewalsAreNot() throws Exception {
    SqlLog log = new SqlLog();
    try (SqliteConnectionPool pool = SqliteDataSources.forFile(dir.resolve("pool.db"))) {
      JdbcLock lock = lock(log.wrap(pool), "job");
      LockSnapshot term = lock.create(record("a", 1), T);
      List<String> started = log.steps();
      // 2 = FULL: the WAL is synced before the commit returns, so the token survives a power loss
      assertThat(started)
          .containsSubsequence(
              "PRAGMA synchronous = FULL", "BEGIN IMMEDIATE", "COMMIT", "PRAGMA synchronous = 1");
      int before = started.size();
      lock.update(term, record("a", term.record().fencingToken()), T);
      assertThat(log.stepsSince(before))
          .as("a renewal commits in the connection's normal mode")
          .noneMatch(step -> step.startsWith("PRAGMA synchronous"))
          .isNotEmpty();
      try (Connection c = pool.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
        rs.next();
        assertThat(rs.getInt(1)).as("1 = NORMAL, restored after the new term").isEqualTo(1);
      }
    }
  }

  @Test
  void aReaderCreatesNothingAndSeesWritesStillInTheWal() throws Exception {
    Path missing = dir.resolve("missing.db");
    assertThatThrownBy(() -> SqliteDataSources.forReading(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no SQLite database at " + missing);
    assertThat(dir).isEmptyDirectory();

    Path db = dir.resolve("leases.db");
    try (SqliteConnectionPool writer = SqliteDataSources.forFile(db)) {
      JdbcLock lock = lock(writer, "job");
      lock.create(record("alpha", 1), T);
      try (SqliteConnectionPool reader = SqliteDataSources.forReading(db)) {
        assertThat(readOnlyLock(reader).get(T)).map(s -> s.record().fencingToken()).contains(1L);
      }
    }
    // closed: only the database file is left, and a reader adds nothing next to it
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(db);
    }
    try (SqliteConnectionPool reader = SqliteDataSources.forReading(db)) {
      JdbcLock lock = readOnlyLock(reader);
      assertThat(lock.get(T)).map(s -> s.record().holderIdentity()).contains("alpha");
      LockSnapshot stored = lock.get(T).orElseThrow();
      assertThatThrownBy(() -> lock.update(stored, record("b", 2), T))
          .hasMessageContaining("SQLITE_READONLY");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(db);
    }
  }

  private static JdbcLock readOnlyLock(DataSource ds) {
    return JdbcLock.builder(ds).name("job").identity("reader").createTable(false).build();
  }

  @Test
  void aClosedConnectionIsReusedAndAnOpenTransactionIsRolledBack() throws Exception {
    DataSource ds = SqliteDataSources.forFile(dir.resolve("pool.db"));
    SQLiteConnection first;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      first = c.unwrap(SQLiteConnection.class);
      s.execute("CREATE TABLE t (x INTEGER)");
      c.setAutoCommit(false);
      s.execute("INSERT INTO t VALUES (1)");
      // closed without commit
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
      assertThat(c.unwrap(SQLiteConnection.class)).isSameAs(first);
      assertThat(c.getAutoCommit()).isTrue();
      rs.next();
      assertThat(rs.getInt(1)).as("the abandoned insert was rolled back").isZero();
    }
  }

  @Test
  void aReturnedConnectionCannotBeUsedAgain() throws Exception {
    DataSource ds = SqliteDataSources.forFile(dir.resolve("pool.db"));
    Connection c = ds.getConnection();
    c.close();
    c.close(); // idempotent
    assertThat(c.isClosed()).isTrue();
    assertThatThrownBy(c::createStatement)
        .isInstanceOf(SQLException.class)
        .hasMessage("the connection was closed");
  }

  @Test
  void concurrentBorrowersGetDistinctConnections() throws Exception {
    DataSource ds = SqliteDataSources.forFile(dir.resolve("pool.db"));
    try (Connection a = ds.getConnection();
        Connection b = ds.getConnection()) {
      assertThat(a.unwrap(SQLiteConnection.class)).isNotSameAs(b.unwrap(SQLiteConnection.class));
    }
  }
}
