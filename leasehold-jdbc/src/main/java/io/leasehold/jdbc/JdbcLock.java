package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock stored as one row of a SQL table, over a plain {@link DataSource}: an embedded SQLite file
 * for processes on one host ({@link SqliteDataSources#forFile}), PostgreSQL for candidates on many
 * hosts.
 *
 * <p>Every write raises the row's {@code version}; {@link #update} is {@code UPDATE ... WHERE name =
 * ? AND version = ?} against the version this lock last saw, so a concurrent writer makes it fail
 * with {@link LockConflictException}. Each call borrows a connection, runs one short transaction
 * and returns the connection at once. No database time is used: expiry is judged by the elector
 * from local observation. On SQLite, writes run in immediate transactions under a busy timeout; on
 * PostgreSQL, serialization failures are retried, lost connections are transient failures, and
 * {@link #watch} pushes changes through LISTEN/NOTIFY; on an SQLite file from {@link
 * SqliteDataSources}, the operating system reports each write to the file and the watch reads the
 * row once per change.
 *
 * <p>The table ({@code leasehold_leases} by default) is created on first use unless {@link
 * Builder#createTable(boolean)} is off; docs/JDBC.md has the DDL. Its {@code fence} column holds
 * the fencing token of the current holder's term.
 *
 * <pre>{@code
 * Lock lock = JdbcLock.builder(SqliteDataSources.forFile(Path.of("/var/lib/app/leases.db")))
 *     .name("my-controller")
 *     .identity("host-1")
 *     .build();
 * }</pre>
 */
public final class JdbcLock implements Lock {
  /** The default table name. */
  public static final String DEFAULT_TABLE = "leasehold_leases";

  private static final Logger log = LoggerFactory.getLogger(JdbcLock.class);
  private static final int[] TYPES = {
    Types.VARCHAR, Types.INTEGER, Types.BIGINT, Types.BIGINT, Types.INTEGER,
    Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.BIGINT
  };
  private static final int VERSION = 7;
  private static final int MAX_SERIALIZATION_RETRIES = 3;
  private static final Duration WATCH_READ_TIMEOUT = Duration.ofSeconds(2);

  private final DataSource dataSource;
  private final LeaseTable table;
  private final String name;
  private final ResourceLockConfig config;
  private final boolean createTable;
  private final String description;
  private volatile Dialect dialect;
  private volatile boolean tableReady;
  private long cachedVersion = -1;

  private JdbcLock(Builder b) {
    this.dataSource = b.dataSource;
    this.table = new LeaseTable(b.table);
    this.name = b.name;
    this.config = b.config;
    this.createTable = b.createTable;
    this.description = kind(dataSource) + ":" + table.name + "/" + name;
  }

  /** Starts a builder over {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    return read(timeout, true);
  }

  /** Reads the row; only {@link #get} moves the version that {@link #update} compares against. */
  private Optional<LockSnapshot> read(Duration timeout, boolean remember) throws LockException {
    return run(
        timeout,
        false,
        call -> {
          try (PreparedStatement ps = call.prepare(table.select)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              LeaseRow row = LeaseRow.read(name, rs);
              LockSnapshot snapshot = row.toSnapshot(table.name);
              if (remember) {
                setCachedVersion(row.version(table.name));
              }
              return Optional.of(snapshot);
            }
          }
        });
  }

  /** The current snapshot for a watcher, or null when it cannot be read or does not exist. */
  private LockSnapshot peek() {
    try {
      return read(WATCH_READ_TIMEOUT, false).orElse(null);
    } catch (LockException e) {
      return null;
    }
  }

  @Override
  public void create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    Object[] values = LeaseRow.values(record, 1);
    run(
        timeout,
        true,
        call -> {
          int inserted;
          try (PreparedStatement ps = call.prepare(table.insert(call.dialect))) {
            ps.setString(1, name);
            for (int i = 0; i < values.length; i++) {
              bind(ps, i + 2, values[i], TYPES[i]);
            }
            inserted = ps.executeUpdate();
          } catch (SQLException e) {
            if (call.dialect.hasInsertOnConflict() || !isIntegrityViolation(e)) {
              throw e;
            }
            inserted = 0;
          }
          if (inserted == 0) {
            throw new LockConflictException(
                "lock '" + name + "' already exists in " + table.name + ": another candidate won");
          }
          call.notifyWrite(values);
          return null;
        });
    setCachedVersion(1);
  }

  @Override
  public void update(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    long expected = cachedVersion();
    if (expected < 0) {
      throw new LockException(
          "lock '"
              + name
              + "' in "
              + table.name
              + " not initialized: call get or create before update");
    }
    Object[] values = LeaseRow.values(record, expected + 1);
    run(
        timeout,
        true,
        call -> {
          int updated;
          try (PreparedStatement ps = call.prepare(table.update)) {
            int p = 1;
            for (int i = 0; i < values.length; i++) {
              if (i != VERSION) {
                bind(ps, p++, values[i], TYPES[i]);
              }
            }
            ps.setString(p++, name);
            ps.setLong(p, expected);
            updated = ps.executeUpdate();
          }
          if (updated == 0) {
            throw new LockConflictException(
                "lock '"
                    + name
                    + "' in "
                    + table.name
                    + " changed or vanished since it was read (expected version "
                    + expected
                    + ")");
          }
          call.notifyWrite(values);
          return null;
        });
    setCachedVersion(expected + 1);
  }

  @Override
  public void recordEvent(String event) {
    log.info("{} {} ({})", config.identity(), event, description);
    config.recordEvent(description, event);
  }

  @Override
  public String identity() {
    return config.identity();
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * On PostgreSQL, pushes every write made through a {@code JdbcLock} on this table to {@code
   * watcher} through LISTEN/NOTIFY; one listening connection per data source and table serves
   * all locks of the JVM. On an SQLite file opened with {@link SqliteDataSources}, the operating
   * system's file-change notification triggers one read of the row per change (one watching
   * thread per JVM). Empty on other databases and data sources, and when the database cannot be
   * reached to find out which it is (the elector then polls).
   */
  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    Dialect d;
    try (Connection c = dataSource.getConnection()) {
      d = dialect(c);
    } catch (SQLException e) {
      log.debug("{}: cannot watch {}, polling instead: {}", identity(), description, e.getMessage());
      return Optional.empty();
    }
    if (d == Dialect.SQLITE) {
      return watchSqliteFile(watcher);
    }
    if (d != Dialect.POSTGRESQL) {
      return Optional.empty();
    }
    return Optional.of(
        PgNotificationHub.of(dataSource, channel()).subscribe(name, table.name, watcher));
  }

  private Optional<LockWatch> watchSqliteFile(LockWatcher watcher) {
    try {
      if (!dataSource.isWrapperFor(SqliteConnectionPool.class)) {
        return Optional.empty(); // not from SqliteDataSources: the file is unknown, so poll
      }
      java.nio.file.Path file = dataSource.unwrap(SqliteConnectionPool.class).file();
      return Optional.of(SqliteFileWatch.subscribe(file, this::peek, watcher));
    } catch (SQLException | java.io.IOException e) {
      log.debug("{}: cannot watch {}, polling instead: {}", identity(), description, e.toString());
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "JdbcLock{" + description + ", identity=" + config.identity() + "}";
  }

  // ---------------------------------------------------------------- plumbing

  /** The LISTEN/NOTIFY channel of this table. */
  String channel() {
    String c = "leasehold_" + table.name.replace('.', '_').toLowerCase(Locale.ROOT);
    return c.length() <= 63 ? c : "leasehold_" + Integer.toHexString(table.name.hashCode());
  }

  private synchronized long cachedVersion() {
    return cachedVersion;
  }

  private synchronized void setCachedVersion(long version) {
    cachedVersion = version;
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Call call) throws SQLException, LockException;
  }

  /** One call's connection, dialect and timeout. */
  private final class Call {
    final Connection connection;
    final Dialect dialect;
    final int timeoutSeconds;

    Call(Connection connection, Dialect dialect, Duration timeout) {
      this.connection = connection;
      this.dialect = dialect;
      this.timeoutSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    }

    PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement ps = connection.prepareStatement(sql);
      ps.setQueryTimeout(timeoutSeconds);
      return ps;
    }

    /** On PostgreSQL, announces the write to watchers when the transaction commits. */
    void notifyWrite(Object[] values) throws SQLException {
      if (dialect != Dialect.POSTGRESQL) {
        return;
      }
      try (PreparedStatement ps = prepare("SELECT pg_notify(?, ?)")) {
        ps.setString(1, channel());
        ps.setString(2, LeaseRow.payload(name, values));
        ps.execute();
      }
    }
  }

  private <T> T run(Duration timeout, boolean write, SqlWork<T> work) throws LockException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int attempt = 0;
    while (true) {
      try (Connection c = dataSource.getConnection()) {
        Dialect d = dialect(c);
        Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
        applyTimeout(c, d, left);
        if (!tableReady) {
          prepareTable(c, d);
        }
        Call call = new Call(c, d, left);
        return write ? inTransaction(call, work) : work.run(call);
      } catch (SQLException e) {
        if (isSerializationFailure(e)
            && ++attempt < MAX_SERIALIZATION_RETRIES
            && System.nanoTime() < deadline) {
          continue;
        }
        throw translate(e);
      }
    }
  }

  private <T> T inTransaction(Call call, SqlWork<T> work) throws SQLException, LockException {
    Connection c = call.connection;
    if (call.dialect == Dialect.SQLITE) {
      // take the write lock up front: a deferred read-then-write fails with SQLITE_BUSY_SNAPSHOT
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
      try {
        T result = work.run(call);
        try (Statement s = c.createStatement()) {
          s.execute("COMMIT");
        }
        return result;
      } catch (SQLException | LockException | RuntimeException e) {
        try (Statement s = c.createStatement()) {
          s.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // the connection is discarded anyway
        }
        throw e;
      }
    }
    c.setAutoCommit(false);
    try {
      if (call.dialect == Dialect.POSTGRESQL) {
        // a candidate frozen inside this transaction (SIGSTOP, a long GC pause) would hold the
        // lease row's lock and so keep every other candidate from taking over; the server ends
        // such a session once it has been idle in the transaction longer than the call may take
        try (Statement s = c.createStatement()) {
          s.execute(
              "SET LOCAL idle_in_transaction_session_timeout = " + call.timeoutSeconds * 1000L);
        }
      }
      T result = work.run(call);
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

  private Dialect dialect(Connection c) throws SQLException {
    Dialect d = dialect;
    if (d == null) {
      d = Dialect.of(c.getMetaData());
      dialect = d;
    }
    return d;
  }

  private synchronized void prepareTable(Connection c, Dialect d) throws SQLException, LockException {
    if (!tableReady) {
      table.prepare(c, d, createTable);
      tableReady = true;
    }
  }

  private static void applyTimeout(Connection c, Dialect d, Duration timeout) throws SQLException {
    int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    if (d == Dialect.SQLITE) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = " + ms);
      }
      return;
    }
    try {
      c.setNetworkTimeout(Runnable::run, ms);
    } catch (SQLException | UnsupportedOperationException e) {
      // optional in JDBC; the statement timeout still applies
    }
  }

  private static void bind(PreparedStatement ps, int index, Object value, int type)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, type);
    } else if (value instanceof Integer) {
      ps.setInt(index, (Integer) value);
    } else if (value instanceof Long) {
      ps.setLong(index, (Long) value);
    } else {
      ps.setString(index, value.toString());
    }
  }

  private LockException translate(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (state.startsWith("08")) {
      return new LockException("cannot reach the database of " + description + ": " + message, e);
    }
    if (state.startsWith("57P")) {
      return new LockException(
          "the database of " + description + " is shutting down or starting: " + message, e);
    }
    if (state.startsWith("28")) {
      return new LockException("the database refused the credentials: " + message, e);
    }
    if (message.contains("SQLITE_BUSY") || message.contains("database is locked")) {
      return new LockException(
          "the SQLite database of " + description + " stayed locked past the timeout: " + message,
          e);
    }
    if (message.contains("SQLITE_CANTOPEN") || message.contains("SQLITE_READONLY")) {
      return new LockException(
          "cannot write the SQLite database of " + description + ": " + message, e);
    }
    return new LockException("database error on " + description + ": " + message, e);
  }

  private static boolean isSerializationFailure(SQLException e) {
    return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  private static boolean isIntegrityViolation(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("23");
  }

  private static String kind(DataSource ds) {
    String cls = ds.getClass().getName().toLowerCase(Locale.ROOT);
    if (cls.contains("sqlite")) {
      return "sqlite";
    }
    if (cls.contains("postgres") || cls.contains(".pg")) {
      return "postgresql";
    }
    return "jdbc";
  }

  /** Builds a {@link JdbcLock}. */
  public static final class Builder {
    private final DataSource dataSource;
    private String name;
    private ResourceLockConfig config;
    private String table = DEFAULT_TABLE;
    private boolean createTable = true;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The lock's name: its row's primary key (required, at most 253 characters). */
    public Builder name(String lockName) {
      this.name = lockName;
      return this;
    }

    /** This candidate's identity (or use {@link #config}). */
    public Builder identity(String identity) {
      this.config = ResourceLockConfig.of(identity);
      return this;
    }

    /** This candidate's identity and event recorder. */
    public Builder config(ResourceLockConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The table, {@code table} or {@code schema.table} (default {@value #DEFAULT_TABLE}). */
    public Builder table(String table) {
      this.table = table;
      return this;
    }

    /** Whether to create the table on first use when it is missing (default true). */
    public Builder createTable(boolean createTable) {
      this.createTable = createTable;
      return this;
    }

    /**
     * Builds the lock; nothing is connected until the first call.
     *
     * @throws IllegalArgumentException for a missing name or identity, or an invalid table name
     */
    public JdbcLock build() {
      if (name == null || name.isEmpty() || name.length() > 253) {
        throw new IllegalArgumentException("lock name must have 1 to 253 characters");
      }
      if (config == null) {
        throw new IllegalArgumentException("identity must be set");
      }
      LeaseTable.validateName(table);
      return new JdbcLock(this);
    }
  }
}
