package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.testing.LockContractTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The lock contract on a SQL database, plus what is specific to the tables: the history that keeps
 * versions and tokens rising across deletions, renewals in one statement, and one table check per
 * data source.
 */
abstract class JdbcLockContractTest extends LockContractTest {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final long GENERATION = 1L << 32;

  /** The database under test. */
  abstract DataSource dataSource();

  /** The name of the lock under test, fresh for each test. */
  abstract String lockName();

  @Override
  protected JdbcLock newLock(String identity) {
    return lock(dataSource(), identity);
  }

  private JdbcLock lock(DataSource ds, String identity) {
    return JdbcLock.builder(ds).name(lockName()).identity(identity).build();
  }

  @Override
  protected void deleteObject() throws SQLException {
    sql("DELETE FROM leasehold_leases WHERE name = ?", lockName());
  }

  int sql(String statement, Object... args) throws SQLException {
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps.executeUpdate();
    }
  }

  /** The history row of the lock under test: generation and fence, or empty. */
  List<Long> history() throws SQLException {
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT generation, fence FROM leasehold_leases_history WHERE name = ?")) {
      ps.setString(1, lockName());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? List.of(rs.getLong(1), rs.getLong(2)) : List.of();
      }
    }
  }

  private static long version(LockSnapshot s) {
    return Long.parseLong(s.version());
  }

  private static long token(LockSnapshot s) {
    return s.record().fencingToken();
  }

  @Test
  void versionsAndTokensKeepRisingThroughRoundsOfDeletionAndRecreation() throws Exception {
    long lastVersion = 0;
    long lastToken = 0;
    for (int round = 0; round < 4; round++) {
      Lock a = newLock("a");
      // a candidate that never saw the old rows proposes token 1
      LockSnapshot s = a.create(record("a", 0, 1), TIMEOUT);
      assertThat(version(s)).as("round %d create", round).isGreaterThan(lastVersion);
      assertThat(token(s)).as("round %d create", round).isGreaterThan(lastToken);
      lastToken = token(s);
      LockSnapshot renewed = a.update(s, record("a", 0, lastToken), TIMEOUT);
      assertThat(version(renewed)).isGreaterThan(version(s));
      assertThat(token(renewed)).isEqualTo(lastToken);

      Lock b = newLock("b");
      LockSnapshot taken = b.update(b.get(TIMEOUT).orElseThrow(), record("b", 1, 2), TIMEOUT);
      assertThat(version(taken)).isGreaterThan(version(renewed));
      assertThat(token(taken)).as("a stale proposal is raised").isGreaterThan(lastToken);
      lastToken = token(taken);
      LockSnapshot released =
          b.update(taken, LeaderElectionRecord.builder().fencingToken(lastToken).build(), TIMEOUT);
      assertThat(version(released)).isGreaterThan(version(taken));
      assertThat(token(released)).isEqualTo(lastToken);
      assertThat(newLock("c").get(TIMEOUT).orElseThrow().record().fencingToken())
          .isEqualTo(lastToken);
      lastVersion = version(released);
      deleteObject();
    }
  }

  @Test
  void renewalsAndReleasesLeaveTheHistoryAloneAndANewTermRaisesIt() throws Exception {
    Lock a = newLock("a");
    LockSnapshot s = a.create(record("a", 0, 5), TIMEOUT);
    List<Long> created = history();
    assertThat(created).containsExactly(1L, 5L);
    for (int i = 0; i < 3; i++) {
      s = a.update(s, record("a", 0, 5), TIMEOUT);
    }
    s = a.update(s, LeaderElectionRecord.builder().fencingToken(5).build(), TIMEOUT);
    assertThat(history()).isEqualTo(created);
    newLock("b").update(s, record("b", 1, 6), TIMEOUT);
    assertThat(history()).containsExactly(1L, 6L);
  }

  @Test
  void aRenewalIsOneStatementOutsideATransaction() throws Exception {
    SqlLog log = new SqlLog();
    JdbcLock a = lock(log.wrap(dataSource()), "a");
    LockSnapshot s = a.create(record("a", 0, 1), TIMEOUT);
    for (int i = 0; i < 3; i++) {
      int from = log.steps().size();
      s = a.update(s, record("a", 0, 1), TIMEOUT);
      List<String> sent =
          log.stepsSince(from).stream().filter(step -> !step.startsWith("PRAGMA")).toList();
      assertThat(sent).as("statements of renewal %d", i).hasSize(1);
      assertThat(sent.get(0)).contains("UPDATE leasehold_leases SET");
      assertThat(sent.get(0).contains("pg_notify")).isEqualTo(notifies());
    }
    int from = log.steps().size();
    a.update(s, LeaderElectionRecord.builder().fencingToken(1).build(), TIMEOUT);
    assertThat(log.stepsSince(from).stream().filter(step -> !step.startsWith("PRAGMA")))
        .as("a release")
        .hasSize(1);
  }

  /** Whether every write notifies watchers in its own statement (PostgreSQL). */
  boolean notifies() {
    return false;
  }

  @Test
  void theTablesAreCheckedOncePerDataSourceNotOncePerLock() throws Exception {
    SqlLog log = new SqlLog();
    DataSource ds = log.wrap(dataSource());
    for (int i = 0; i < 50; i++) {
      JdbcLock.builder(ds).name("many-" + i).identity("a").build().get(TIMEOUT);
    }
    lock(ds, "b").checkTable(TIMEOUT);
    List<String> steps = log.steps();
    assertThat(steps.stream().filter(s -> s.startsWith("CREATE TABLE"))).hasSize(2);
    assertThat(steps.stream().filter(s -> s.startsWith("SELECT * FROM"))).hasSize(2);
    assertThat(steps.stream().filter(s -> s.startsWith("SELECT holder_identity"))).hasSize(50);
  }

  @Test
  void aCounterAtTheEndOfItsGenerationMovesTheHistoryToTheNext() throws Exception {
    Lock a = newLock("a");
    a.create(record("a", 0, 1), TIMEOUT);
    sql("UPDATE leasehold_leases SET version = ? WHERE name = ?", 2 * GENERATION - 1, lockName());
    LockSnapshot s = a.get(TIMEOUT).orElseThrow();
    Set<Long> versions = new HashSet<>();
    versions.add(version(s));
    for (int i = 0; i < 3; i++) {
      s = a.update(s, record("a", 0, 1), TIMEOUT);
      assertThat(versions.add(version(s))).isTrue();
      assertThat(token(s)).as("a renewal keeps its token across generations").isEqualTo(1);
    }
    assertThat(history().get(0)).isEqualTo(2);
    deleteObject();
    s = a.create(record("a", 0, 1), TIMEOUT);
    for (int i = 0; i < 3; i++) {
      assertThat(versions.add(version(s))).as("version %d repeats", version(s)).isTrue();
      s = a.update(s, record("a", 0, token(s)), TIMEOUT);
    }
  }

  @Test
  void rowsWrittenBeforeTheHistoryTableExistedKeepTheirTokensAfterDeletion() throws Exception {
    String table = "legacy_" + TABLES.incrementAndGet();
    sql(
        "CREATE TABLE "
            + table
            + " (name TEXT NOT NULL PRIMARY KEY, holder_identity TEXT NOT NULL,"
            + " lease_duration_seconds INTEGER NOT NULL, acquire_time_micros BIGINT,"
            + " renew_time_micros BIGINT, leader_transitions INTEGER NOT NULL, strategy TEXT,"
            + " preferred_holder TEXT, version BIGINT NOT NULL, fence BIGINT NOT NULL)");
    sql(
        "INSERT INTO "
            + table
            + " (name, holder_identity, lease_duration_seconds, leader_transitions, version, fence)"
            + " VALUES ('old', 'x', 15, 4, 57, 7)");
    JdbcLock a = JdbcLock.builder(dataSource()).table(table).name("old").identity("a").build();
    LockSnapshot old = a.get(TIMEOUT).orElseThrow();
    assertThat(old.record().fencingToken()).isEqualTo(7);
    assertThat(sql("DELETE FROM " + table + " WHERE name = 'old'")).isEqualTo(1);
    LockSnapshot created = a.create(record("a", 0, 1), TIMEOUT);
    assertThat(created.record().fencingToken()).isEqualTo(8);
    assertThat(version(created)).isGreaterThan(version(old));
  }

  @Test
  void aCorruptRowCarriesItsVersionAndIsRepairedWithoutLoweringTheToken() throws Exception {
    Lock a = newLock("a");
    LockSnapshot created = a.create(record("a", 0, 3), TIMEOUT);
    sql("UPDATE leasehold_leases SET lease_duration_seconds = -5 WHERE name = ?", lockName());
    LockSnapshot stored = corrupt(a);
    assertThat(stored.version()).isEqualTo(created.version());
    assertThat(stored.record().fencingToken()).isEqualTo(3);
    LockSnapshot repaired =
        a.update(stored, LeaderElectionRecord.builder().fencingToken(3).build(), TIMEOUT);
    assertThat(newLock("b").get(TIMEOUT).orElseThrow().record()).isEqualTo(repaired.record());
    assertThat(repaired.record().fencingToken()).isEqualTo(3);

    // an unreadable token: the repair starts a new term above every earlier token
    sql("UPDATE leasehold_leases SET fence = -1 WHERE name = ?", lockName());
    stored = corrupt(a);
    assertThat(stored.record().fencingToken()).isZero();
    repaired = a.update(stored, LeaderElectionRecord.builder().build(), TIMEOUT);
    assertThat(repaired.record().fencingToken()).isEqualTo(4);
    assertThat(newLock("b").get(TIMEOUT).orElseThrow().record().fencingToken()).isEqualTo(4);
  }

  private static LockSnapshot corrupt(Lock lock) {
    List<LockSnapshot> stored = new ArrayList<>();
    assertThatThrownBy(() -> lock.get(TIMEOUT))
        .isInstanceOfSatisfying(
            CorruptRecordException.class, e -> stored.add(e.stored().orElseThrow()));
    return stored.get(0);
  }
}
