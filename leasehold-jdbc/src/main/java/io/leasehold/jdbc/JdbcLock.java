package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockBuilder;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.sql.Connection;
import java.sql.SQLException;
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
 * <p>Every write raises the row's {@code version}, and {@link #update} is {@code UPDATE ... WHERE
 * name = ? AND version = ?} against the version of the snapshot it is given, so a concurrent writer
 * makes it fail with {@link LockConflictException}. The lock keeps no state between calls. A second
 * table, {@code <table>_history}, keeps per name the highest generation and fencing token ever
 * stored: a write that starts a term (a create, or a new token) reads and raises it in the same
 * transaction, so versions never repeat and tokens never go back, even when an operator deletes the
 * row. Renewals and releases leave it alone: each is one UPDATE in autocommit.
 *
 * <p>Each call borrows a connection and returns it at once. No database time is used: expiry is
 * judged by the elector from local observation. On SQLite, transactions take the write lock up
 * front under a busy timeout; on PostgreSQL, lost connections are transient failures, a write
 * carries its NOTIFY in the same statement, and {@link #watch} pushes changes through
 * LISTEN/NOTIFY; on an SQLite file from {@link SqliteDataSources}, the operating system reports
 * each write to the file and the watch reads the row once per change.
 *
 * <p>Both tables ({@code leasehold_leases} and {@code leasehold_leases_history} by default) are
 * created on first use unless {@link Builder#createTable(boolean)} is off, and checked once per
 * data source and table ({@link #checkTable}); docs/JDBC.md has the DDL.
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
  private static final int MAX_SERIALIZATION_RETRIES = 3;
  private static final Duration WATCH_READ_TIMEOUT = Duration.ofSeconds(2);

  private final DataSource dataSource;
  private final LeaseTable table;
  private final TableCheck tableCheck;
  private final String name;
  private final ResourceLockConfig config;
  private final boolean createTable;
  private final String description;

  private JdbcLock(Builder b, String name, ResourceLockConfig config) {
    this.dataSource = b.dataSource;
    this.table = new LeaseTable(b.table);
    this.tableCheck = TableCheck.of(dataSource, table);
    this.name = name;
    this.config = config;
    this.createTable = b.createTable;
    this.description = kind(dataSource) + ":" + table.name + "/" + name;
  }

  /** Starts a builder over {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Creates the lease table and its history table when they are missing and creation is on, and
   * checks that both have every column: the check every call of every lock makes before its first
   * statement, done once per data source and table in this JVM (a check that passed is not
   * repeated). Call it to refuse a wrong table up front instead of at the first election attempt.
   *
   * @param timeout how long the check may take
   * @throws LockException when a table is missing and may not be created, has the wrong shape (the
   *     message names the missing columns), or the database cannot be reached
   */
  public void checkTable(Duration timeout) throws LockException {
    run(timeout, call -> null);
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    return Optional.ofNullable(
        run(
            timeout,
            call -> {
              LeaseRow row = table.read(call, name);
              return row == null ? null : row.snapshot(table.name);
            }));
  }

  /** The current snapshot for a watcher, or null when it cannot be read or does not exist. */
  private LockSnapshot peek() {
    try {
      return get(WATCH_READ_TIMEOUT).orElse(null);
    } catch (LockException e) {
      return null;
    }
  }

  /**
   * Inserts the row, in one transaction with the history: the row's version is the first of a new
   * generation, and its token is raised above every token the name ever had.
   */
  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    return run(
        timeout,
        call ->
            call.dialect().inTransaction(call, () -> writeWithHistory(call, null, record, true)));
  }

  /**
   * Replaces the row if its version is still {@code current}'s. A renewal or release (the token of
   * {@code current}) is one UPDATE in autocommit (on PostgreSQL with its NOTIFY in the same
   * statement); a new term (another token) also raises the history, in one transaction.
   */
  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(record, "record");
    LeaseRow.Stamp base = current.source(LeaseRow.Stamp.class);
    if (!base.table().equals(table.name) || !base.name().equals(name)) {
      throw new IllegalArgumentException(
          "snapshot of " + base.table() + "/" + base.name() + " passed to " + description);
    }
    boolean newTerm = base.fence() < 0 || record.fencingToken() != base.fence();
    if (newTerm || History.carries(base.version())) {
      return run(
          timeout,
          call ->
              call.dialect()
                  .inTransaction(call, () -> writeWithHistory(call, base, record, newTerm)));
    }
    return run(
        timeout,
        call -> {
          LeaseRow next = new LeaseRow(name, record, base.version() + 1);
          if (!table.update(call, next, base.version())) {
            throw changed(base);
          }
          return next.snapshot(table.name);
        });
  }

  /**
   * Inside the caller's transaction, writes the row ({@code base} null: creates it) and raises the
   * history to it. A new term's token is raised above the history's and the replaced row's.
   */
  private LockSnapshot writeWithHistory(
      SqlCall call, LeaseRow.Stamp base, LeaderElectionRecord record, boolean newTerm)
      throws SQLException, LockException {
    History seen = table.history(call, name);
    History marks = seen == null ? History.NONE : seen;
    long token =
        newTerm
            ? marks.token(record.fencingToken(), base == null ? -1 : base.fence())
            : record.fencingToken();
    LeaderElectionRecord stored =
        token == record.fencingToken() ? record : record.toBuilder().fencingToken(token).build();
    LeaseRow next;
    if (base == null) {
      next = new LeaseRow(name, stored, marks.createdVersion());
      if (!table.insert(call, next)) {
        throw new LockConflictException(
            "lock '" + name + "' already exists in " + table.name + ": another candidate won");
      }
    } else {
      next = new LeaseRow(name, stored, base.version() + 1);
      if (!table.update(call, next, base.version())) {
        throw changed(base);
      }
    }
    if (!table.saveHistory(call, name, seen, marks.after(next.version(), token))) {
      throw new LockConflictException(
          "lock '" + name + "' in " + table.name + ": another candidate started a term first");
    }
    return next.snapshot(table.name);
  }

  private LockConflictException changed(LeaseRow.Stamp base) {
    return new LockConflictException(
        "lock '"
            + name
            + "' in "
            + table.name
            + " changed or vanished since it was read (expected version "
            + base.version()
            + ")");
  }

  @Override
  public void recordEvent(String event) {
    log.debug("{} {} ({})", config.identity(), event, description);
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
   * watcher} through LISTEN/NOTIFY; one listening connection per data source and table serves all
   * locks of the JVM. On an SQLite file opened with {@link SqliteDataSources}, the operating
   * system's file-change notification triggers one read of the row per change (one watching thread
   * per JVM). Empty on other databases and data sources, and when the database cannot be reached to
   * find out which it is (the elector then polls).
   */
  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    Dialect d = tableCheck.knownDialect();
    if (d == null) {
      try (Connection c = dataSource.getConnection()) {
        d = tableCheck.dialect(c);
      } catch (SQLException e) {
        log.debug(
            "{}: cannot watch {}, polling instead: {}", identity(), description, e.getMessage());
        return Optional.empty();
      }
    }
    return d.watch(new Dialect.Watched(dataSource, table, name, this::peek), watcher);
  }

  @Override
  public String toString() {
    return "JdbcLock{" + description + ", identity=" + config.identity() + "}";
  }

  // ---------------------------------------------------------------- plumbing

  /** Work done in one call. */
  @FunctionalInterface
  private interface CallWork<T> {
    T run(SqlCall call) throws SQLException, LockException;
  }

  /**
   * Borrows a connection, bounds it by the time left, makes sure the tables are ready, runs {@code
   * work}, and translates failures; retries serialization failures within the time.
   */
  private <T> T run(Duration timeout, CallWork<T> work) throws LockException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int attempt = 0;
    while (true) {
      try (Connection c = dataSource.getConnection()) {
        Dialect d = tableCheck.dialect(c);
        Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
        d.applyTimeout(c, left);
        tableCheck.ensure(c, createTable);
        return work.run(SqlCall.of(c, d, left));
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

  /** Builds a {@link JdbcLock}; the name is its row's primary key. */
  public static final class Builder extends LockBuilder<Builder> {
    private final DataSource dataSource;
    private String table = DEFAULT_TABLE;
    private boolean createTable = true;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
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
     * @throws IllegalArgumentException for a missing or invalid name or identity, or an invalid
     *     table name
     */
    public JdbcLock build() {
      return new JdbcLock(this, checkedName(), checkedConfig());
    }
  }
}
