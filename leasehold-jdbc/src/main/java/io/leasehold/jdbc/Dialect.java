package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What differs between the databases a {@link JdbcLock} runs on: column types, how a call's timeout
 * is applied, how a write transaction starts, how a row write announces itself, and how changes are
 * watched. Everything else is standard SQL shared by all three.
 */
enum Dialect {
  /**
   * SQLite: a busy timeout per call, write transactions that take the write lock up front, and the
   * operating system's file-change notification as the watch.
   */
  SQLITE("TEXT", "INTEGER", " ON CONFLICT (name) DO NOTHING") {
    @Override
    void applyTimeout(Connection c, Duration timeout) throws SQLException {
      execute(c, "PRAGMA busy_timeout = " + millis(timeout));
    }

    /**
     * A new term's write: in full synchronous mode, so that the fencing token it hands out is on
     * disk before anyone acts on it (renewals stay in the connection's own mode), and in {@code
     * BEGIN IMMEDIATE}: a deferred read-then-write transaction fails with SQLITE_BUSY_SNAPSHOT,
     * which the busy timeout does not retry, whereas an immediate one waits for the write lock.
     */
    @Override
    <T> T inTransaction(SqlCall call, SqlCall.Work<T> work) throws SQLException, LockException {
      Connection c = call.connection();
      String mode;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
        mode = rs.next() ? rs.getString(1) : "2";
      }
      execute(c, "PRAGMA synchronous = FULL");
      try {
        execute(c, "BEGIN IMMEDIATE");
        try {
          T result = work.run();
          execute(c, "COMMIT");
          return result;
        } catch (SQLException | LockException | RuntimeException e) {
          try {
            execute(c, "ROLLBACK");
          } catch (SQLException ignored) {
            // the connection is discarded anyway
          }
          throw e;
        }
      } finally {
        execute(c, "PRAGMA synchronous = " + Integer.parseInt(mode.trim()));
      }
    }

    @Override
    Optional<LockWatch> watch(Watched lock, LockWatcher watcher) {
      try {
        if (!lock.dataSource().isWrapperFor(SqliteConnectionPool.class)) {
          return Optional.empty(); // not from SqliteDataSources: the file is unknown, so poll
        }
        Path file = lock.dataSource().unwrap(SqliteConnectionPool.class).file();
        return Optional.of(SqliteFileWatch.subscribe(file, lock, watcher));
      } catch (SQLException | IOException e) {
        log.debug("cannot watch {}, polling instead: {}", lock.lockName(), e.toString());
        return Optional.empty();
      }
    }
  },

  /**
   * PostgreSQL: every row write carries its NOTIFY in the same statement, so that a renewal is one
   * statement in autocommit; the transactions that remain (a new term) are bounded by {@code
   * idle_in_transaction_session_timeout}; LISTEN/NOTIFY is the watch.
   */
  POSTGRESQL("TEXT", "BIGINT", " ON CONFLICT (name) DO NOTHING") {
    @Override
    void begin(SqlCall call) throws SQLException {
      // a candidate frozen inside this transaction (SIGSTOP, a long GC pause) would hold the
      // lease row's lock and so keep every other candidate from taking over; the server ends
      // such a session once it has been idle in the transaction longer than the call may take
      execute(
          call.connection(),
          "SET LOCAL idle_in_transaction_session_timeout = " + call.timeoutSeconds() * 1000L);
    }

    @Override
    boolean writeRow(
        SqlCall call, LeaseTable table, String sql, SqlCall.Binder binder, LeaseRow row)
        throws SQLException {
      String notifying = "WITH w AS (" + sql + " RETURNING 1) SELECT pg_notify(?, ?) FROM w";
      try (PreparedStatement ps = call.prepare(notifying)) {
        int i = binder.bind(ps);
        ps.setString(i++, table.channel());
        ps.setString(i, row.payload());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    }

    @Override
    Optional<LockWatch> watch(Watched lock, LockWatcher watcher) {
      LeaseTable table = lock.table();
      return Optional.of(
          PgNotificationHub.of(lock.dataSource(), table.channel())
              .subscribe(lock.lockName(), table.name, watcher));
    }
  },

  /**
   * Anything else with standard SQL: plain transactions, a duplicate key (SQLState 23) is a
   * conflict, no watch.
   */
  GENERIC("VARCHAR(253)", "BIGINT", "");

  private static final Logger log = LoggerFactory.getLogger(Dialect.class);

  /** The column type of names and texts. */
  final String textType;

  /** The column type of versions, tokens and times. */
  final String bigintType;

  private final String onConflictDoNothing;

  Dialect(String textType, String bigintType, String onConflictDoNothing) {
    this.textType = textType;
    this.bigintType = bigintType;
    this.onConflictDoNothing = onConflictDoNothing;
  }

  /** What a watch needs of a lock: its data source and table, its name, how to read its row. */
  record Watched(
      DataSource dataSource, LeaseTable table, String lockName, Supplier<LockSnapshot> read) {}

  /** The dialect of the database {@code meta} describes. */
  static Dialect of(DatabaseMetaData meta) throws SQLException {
    String product = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("sqlite")) {
      return SQLITE;
    }
    if (product.contains("postgres")) {
      return POSTGRESQL;
    }
    return GENERIC;
  }

  /** Bounds every statement on {@code c} by {@code timeout}, without a round trip. */
  void applyTimeout(Connection c, Duration timeout) throws SQLException {
    try {
      c.setNetworkTimeout(Runnable::run, millis(timeout));
    } catch (SQLException | UnsupportedOperationException e) {
      // optional in JDBC; the statement timeout still applies
    }
  }

  /** Runs {@code work} in one write transaction; rolls back when it throws. */
  <T> T inTransaction(SqlCall call, SqlCall.Work<T> work) throws SQLException, LockException {
    Connection c = call.connection();
    c.setAutoCommit(false);
    try {
      begin(call);
      T result = work.run();
      c.commit();
      return result;
    } catch (SQLException | LockException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is discarded anyway
      }
      throw e;
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // a broken connection is closed by the caller
      }
    }
  }

  /** Runs first in every write transaction of {@link #inTransaction}'s default form. */
  void begin(SqlCall call) throws SQLException {}

  /** The clause that makes an INSERT of an existing name write nothing, or "" when unknown. */
  String onConflictDoNothing() {
    return onConflictDoNothing;
  }

  /**
   * Runs {@code sql}, an INSERT or UPDATE of the lease row that {@code binder} binds, which leaves
   * {@code row} stored; returns whether a row was written (false: the name exists, or the version
   * was not the expected one).
   */
  boolean writeRow(SqlCall call, LeaseTable table, String sql, SqlCall.Binder binder, LeaseRow row)
      throws SQLException {
    try (PreparedStatement ps = call.prepare(sql)) {
      binder.bind(ps);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return false; // a duplicate key: the name exists
      }
      throw e;
    }
  }

  /**
   * Pushes changes of the lock's row to {@code watcher}, reading the row where the change
   * notification does not carry it; empty when this database cannot push changes.
   */
  Optional<LockWatch> watch(Watched lock, LockWatcher watcher) {
    return Optional.empty();
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static int millis(Duration timeout) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
  }
}
