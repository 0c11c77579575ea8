package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.testing.ElectionHarness;
import io.leasehold.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Schema, bad input and configuration errors, on SQLite files. */
class JdbcLockTest {
  private static final Duration T = Duration.ofSeconds(5);
  @TempDir Path dir;
  private DataSource ds;

  @BeforeEach
  void database() {
    ds = SqliteDataSources.forFile(dir.resolve("leases.db"));
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private JdbcLock lock(String identity) {
    return JdbcLock.builder(ds).name("jobs").identity(identity).build();
  }

  @Test
  void theTableIsCreatedOnFirstUse() throws Exception {
    assertThat(lock("a").get(T)).isEmpty();
    sql("SELECT name, fence, version FROM leasehold_leases");
  }

  @Test
  void aTableOfTheWrongShapeGivesAnErrorNamingTheMissingColumn() throws Exception {
    sql(
        "CREATE TABLE leasehold_leases (name TEXT PRIMARY KEY, holder_identity TEXT,"
            + " lease_duration_seconds INTEGER, acquire_time_micros INTEGER,"
            + " renew_time_micros INTEGER, leader_transitions INTEGER, strategy TEXT,"
            + " preferred_holder TEXT, version INTEGER)");
    assertThatThrownBy(() -> lock("a").get(T))
        .isInstanceOf(LockException.class)
        .hasMessageContaining("wrong shape")
        .hasMessageContaining("missing column fence");
  }

  @Test
  void aHistoryTableOfTheWrongShapeGivesAnErrorNamingIt() throws Exception {
    sql("CREATE TABLE leasehold_leases_history (name TEXT PRIMARY KEY, fence INTEGER)");
    JdbcLock lock = lock("a");
    assertThatThrownBy(() -> lock.checkTable(T))
        .isInstanceOf(LockException.class)
        .hasMessage(
            "history table leasehold_leases_history has the wrong shape: missing column"
                + " generation (see docs/JDBC.md for the DDL)");
    assertThatThrownBy(() -> lock.get(T)).hasMessageContaining("missing column generation");
  }

  @Test
  void checkTableCreatesBothTables() throws Exception {
    lock("a").checkTable(T);
    sql("SELECT name, fence, version FROM leasehold_leases");
    sql("SELECT name, generation, fence FROM leasehold_leases_history");
  }

  @Test
  void aMissingTableWithCreationOffGivesAClearError() {
    JdbcLock lock = JdbcLock.builder(ds).name("jobs").identity("a").createTable(false).build();
    assertThatThrownBy(() -> lock.get(T))
        .isInstanceOf(LockException.class)
        .hasMessageContaining("leasehold_leases cannot be read (automatic creation is off)")
        .hasMessageContaining("docs/JDBC.md");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "UPDATE leasehold_leases SET lease_duration_seconds = -5",
        "UPDATE leasehold_leases SET holder_identity = NULL",
        "UPDATE leasehold_leases SET leader_transitions = -1",
        "UPDATE leasehold_leases SET fence = 'seven'",
        "UPDATE leasehold_leases SET renew_time_micros = 'yesterday'"
      })
  void aCorruptedRowIsReportedAndNeverTakenOver(String corruption) throws Exception {
    // a table made by hand, without the NOT NULL constraints of the shipped DDL
    sql(
        "CREATE TABLE leasehold_leases (name TEXT PRIMARY KEY, holder_identity TEXT,"
            + " lease_duration_seconds INTEGER, acquire_time_micros INTEGER,"
            + " renew_time_micros INTEGER, leader_transitions INTEGER, strategy TEXT,"
            + " preferred_holder TEXT, version INTEGER, fence INTEGER)");
    JdbcLock a = lock("a");
    a.create(
        io.leasehold.leaderelection.resourcelock.LeaderElectionRecord.builder()
            .holderIdentity("a")
            .leaseDurationSeconds(15)
            .fencingToken(3)
            .build(),
        T);
    // SQLite's dynamic typing stores any value, as a careless manual edit would
    sql(corruption);
    assertThatThrownBy(() -> lock("b").get(T))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("lease table leasehold_leases, lock 'jobs'")
        .satisfies(e -> assertThat(((CorruptRecordException) e).stored()).isPresent());

    // a follower keeps refusing, in virtual time, for many leases
    ElectionHarness h = new ElectionHarness();
    FakeClock clock = h.clock;
    LeaderElector b =
        new LeaderElector(
            LeaderElectionConfig.builder()
                .lock(lock("b"))
                .clock(clock)
                .executor(Runnable::run)
                .callbackExecutor(Runnable::run)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onStartedLeading(ctx -> {})
                        .onStoppedLeading(() -> {})
                        .build())
                .build());
    b.start();
    clock.advance(Duration.ofMinutes(2));
    assertThat(b.isLeader()).isFalse();
    b.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "leases; DROP TABLE x",
        "leases--",
        "a.b.c",
        "1leases",
        "lea ses",
        "\"quoted\"",
        ""
      })
  void invalidTableNamesAreRefused(String table) {
    assertThatThrownBy(() -> JdbcLock.builder(ds).name("jobs").identity("a").table(table).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid table name");
  }

  @Test
  void validTableNamesIncludingASchemaAreAccepted() throws Exception {
    JdbcLock lock = JdbcLock.builder(ds).name("jobs").identity("a").table("my_leases").build();
    assertThat(lock.get(T)).isEmpty();
    assertThat(lock.describe()).isEqualTo("sqlite:my_leases/jobs");
    assertThat(JdbcLock.builder(ds).name("x").identity("a").table("app.leases").build())
        .isNotNull();
    assertThat(JdbcLock.builder(ds).name("x").identity("a").table("t".repeat(55)).build())
        .isNotNull();
    assertThatThrownBy(
            () -> JdbcLock.builder(ds).name("x").identity("a").table("t".repeat(56)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 55 characters, so that its history table");
  }

  @Test
  void lockNamesAreBoundAsParametersNotSql() throws Exception {
    String hostile = "jobs'; DROP TABLE leasehold_leases; --";
    JdbcLock a = JdbcLock.builder(ds).name(hostile).identity("a").build();
    a.create(
        io.leasehold.leaderelection.resourcelock.LeaderElectionRecord.builder()
            .holderIdentity("a")
            .leaseDurationSeconds(15)
            .build(),
        T);
    assertThat(JdbcLock.builder(ds).name(hostile).identity("b").build().get(T)).isPresent();
    sql("SELECT count(*) FROM leasehold_leases");
  }

  @Test
  void missingNameOrIdentityAreRefused() {
    assertThatThrownBy(() -> JdbcLock.builder(ds).identity("a").build())
        .hasMessage("name must be set");
    assertThatThrownBy(() -> JdbcLock.builder(ds).name("x").build())
        .hasMessage("identity must be set");
    assertThatThrownBy(() -> JdbcLock.builder(ds).name("a\nb").identity("x").build())
        .hasMessageStartingWith("name must not contain control characters");
  }

  @Test
  void aMissingFolderIsReportedClearly() {
    Path missing = dir.resolve("no/such/folder/leases.db");
    assertThatThrownBy(() -> SqliteDataSources.forFile(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void aFolderInsteadOfAFileIsReportedClearly() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("leases.db"));
    assertThatThrownBy(() -> SqliteDataSources.forFile(folder)).hasMessageContaining("is a folder");
  }

  @Test
  void sqliteFilesFromSqliteDataSourcesAreWatched() {
    var watch = lock("a").watch(s -> {});
    assertThat(watch).isPresent();
    watch.get().close();
  }
}
