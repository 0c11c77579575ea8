package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockMisconfiguredException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease table and its history table ({@code <table>_history}, see {@link History}): their
 * validated names, DDL, shape check and the statements a {@link JdbcLock} runs. Only this class
 * puts table names into SQL, and only after {@link #validateName} accepted them; lock names and
 * values are always bound as parameters.
 */
final class LeaseTable {
  /** The suffix of the history table's name. */
  static final String HISTORY_SUFFIX = "_history";

  private static final Logger log = LoggerFactory.getLogger(LeaseTable.class);
  private static final int MAX_PART = 63;
  private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  /** %1$s the table, %2$s the text type, %3$s the big integer type. */
  private static final String LEASES_DDL =
      """
      CREATE TABLE IF NOT EXISTS %1$s (
        name                   %2$s NOT NULL PRIMARY KEY,
        holder_identity        %2$s NOT NULL,
        lease_duration_seconds INTEGER NOT NULL,
        acquire_time_micros    %3$s,
        renew_time_micros      %3$s,
        leader_transitions     INTEGER NOT NULL,
        strategy               %2$s,
        preferred_holder       %2$s,
        version                %3$s NOT NULL,
        fence                  %3$s NOT NULL
      )\
      """;

  /** %1$s the history table, %2$s the text type, %3$s the big integer type. */
  private static final String HISTORY_DDL =
      """
      CREATE TABLE IF NOT EXISTS %1$s (
        name       %2$s NOT NULL PRIMARY KEY,
        generation %3$s NOT NULL,
        fence      %3$s NOT NULL
      )\
      """;

  final String name;
  final String history;
  private final String select;
  private final String insert;
  private final String update;

  LeaseTable(String name) {
    this.name = validateName(name);
    this.history = name + HISTORY_SUFFIX;
    String columns = String.join(", ", LeaseRow.COLUMNS);
    this.select = "SELECT " + columns + " FROM " + name + " WHERE name = ?";
    this.insert =
        "INSERT INTO "
            + name
            + " (name, "
            + columns
            + ") VALUES (?"
            + ", ?".repeat(LeaseRow.COLUMNS.size())
            + ")";
    this.update =
        "UPDATE "
            + name
            + " SET "
            + String.join(" = ?, ", LeaseRow.COLUMNS)
            + " = ? WHERE name = ? AND version = ?";
  }

  /**
   * Accepts {@code table} or {@code schema.table}, each part a plain SQL identifier of at most 63
   * characters, the table part at most 55 so that its history table's name fits too; anything else
   * could smuggle SQL into statements and is refused.
   */
  static String validateName(String table) {
    if (table == null) {
      throw new IllegalArgumentException("table name must not be null");
    }
    String[] parts = table.split("\\.", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException(
          "invalid table name '" + table + "': use table or schema.table");
    }
    for (String p : parts) {
      if (!PART.matcher(p).matches()) {
        throw new IllegalArgumentException(
            "invalid table name '"
                + table
                + "': each part must be a letter or _ followed by up to 62 letters, digits or _");
      }
    }
    if (parts[parts.length - 1].length() > MAX_PART - HISTORY_SUFFIX.length()) {
      throw new IllegalArgumentException(
          "invalid table name '"
              + table
              + "': the table part may have at most "
              + (MAX_PART - HISTORY_SUFFIX.length())
              + " characters, so that its history table "
              + parts[parts.length - 1]
              + HISTORY_SUFFIX
              + " fits the 63-character limit");
    }
    return table;
  }

  /** The DDL of both tables for {@code dialect}, as docs/JDBC.md shows it. */
  List<String> ddl(Dialect dialect) {
    return List.of(
        LEASES_DDL.formatted(name, dialect.textType, dialect.bigintType),
        HISTORY_DDL.formatted(history, dialect.textType, dialect.bigintType));
  }

  /** The LISTEN/NOTIFY channel of this table. */
  String channel() {
    String c = "leasehold_" + name.replace('.', '_').toLowerCase(Locale.ROOT);
    return c.length() <= 63 ? c : "leasehold_" + Integer.toHexString(name.hashCode());
  }

  // ---------------------------------------------------------------- the lease row

  /**
   * The version of every row, by lock name, in one statement: what a watch compares to find the
   * rows that changed.
   */
  Map<String, Long> versions(Connection c) throws SQLException {
    Map<String, Long> versions = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, version FROM " + name)) {
      while (rs.next()) {
        versions.put(rs.getString(1), rs.getLong(2));
      }
    }
    return versions;
  }

  /** The row of {@code lock}, or null when there is none. */
  LeaseRow read(SqlCall call, String lock) throws SQLException, CorruptRecordException {
    try (PreparedStatement ps = call.prepare(select)) {
      ps.setString(1, lock);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? LeaseRow.read(name, lock, rs) : null;
      }
    }
  }

  /** Inserts {@code row}; false when a row of that name exists. */
  boolean insert(SqlCall call, LeaseRow row) throws SQLException {
    return call.dialect()
        .writeRow(
            call,
            this,
            insert + call.dialect().onConflictDoNothing(),
            ps -> {
              ps.setString(1, row.name());
              return row.bind(ps, 2);
            },
            row);
  }

  /** Replaces the row of {@code row}'s name if its version is {@code expected}; false if not. */
  boolean update(SqlCall call, LeaseRow row, long expected) throws SQLException {
    return call.dialect()
        .writeRow(
            call,
            this,
            update,
            ps -> {
              int i = row.bind(ps, 1);
              ps.setString(i++, row.name());
              ps.setLong(i++, expected);
              return i;
            },
            row);
  }

  // ---------------------------------------------------------------- the history

  /** The history of {@code lock}, or null when it has none. */
  History history(SqlCall call, String lock) throws SQLException {
    try (PreparedStatement ps =
        call.prepare("SELECT generation, fence FROM " + history + " WHERE name = ?")) {
      ps.setString(1, lock);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new History(rs.getLong("generation"), rs.getLong("fence")) : null;
      }
    }
  }

  /**
   * Replaces the history {@code seen} of {@code lock} (null: none) with {@code next}, only if it is
   * still {@code seen}: a compare-and-swap, for databases whose transactions do not serialize the
   * read. False when another writer changed it first.
   */
  boolean saveHistory(SqlCall call, String lock, History seen, History next) throws SQLException {
    if (seen == null) {
      try (PreparedStatement ps =
          call.prepare(
              "INSERT INTO "
                  + history
                  + " (name, generation, fence) VALUES (?, ?, ?)"
                  + call.dialect().onConflictDoNothing())) {
        ps.setString(1, lock);
        ps.setLong(2, next.generation());
        ps.setLong(3, next.fence());
        return ps.executeUpdate() > 0;
      } catch (SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
          return false;
        }
        throw e;
      }
    }
    try (PreparedStatement ps =
        call.prepare(
            "UPDATE "
                + history
                + " SET generation = ?, fence = ? WHERE name = ? AND generation = ? AND fence ="
                + " ?")) {
      ps.setLong(1, next.generation());
      ps.setLong(2, next.fence());
      ps.setString(3, lock);
      ps.setLong(4, seen.generation());
      ps.setLong(5, seen.fence());
      return ps.executeUpdate() > 0;
    }
  }

  // ---------------------------------------------------------------- creation and shape

  /**
   * Creates both tables if allowed and missing, checks that they have every column, and gives every
   * lease row without a history one (rows written before the history table existed).
   *
   * @throws LockException naming the table and what is missing
   */
  void prepare(Connection c, Dialect dialect, boolean create) throws SQLException, LockException {
    if (create) {
      for (String ddl : ddl(dialect)) {
        try (Statement s = c.createStatement()) {
          s.execute(ddl);
        } catch (SQLException e) {
          // PostgreSQL may report a concurrent CREATE TABLE IF NOT EXISTS as a duplicate; the
          // check below tells whether the table is usable
          if (!c.getAutoCommit()) {
            c.rollback();
          }
        }
      }
    }
    List<String> leaseColumns = new ArrayList<>(LeaseRow.COLUMNS);
    leaseColumns.add(0, "name");
    checkShape(c, "lease table", name, leaseColumns, create);
    checkShape(c, "history table", history, List.of("name", "generation", "fence"), create);
    fillHistory(c);
  }

  private static void checkShape(
      Connection c, String what, String table, List<String> required, boolean create)
      throws LockException {
    Set<String> present = new HashSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        present.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
      }
    } catch (SQLException e) {
      throw new LockException(
          what
              + " "
              + table
              + " cannot be read"
              + (create ? "" : " (automatic creation is off)")
              + ": "
              + e.getMessage()
              + "; create it with the DDL in docs/JDBC.md",
          e);
    }
    List<String> missing = required.stream().filter(col -> !present.contains(col)).toList();
    if (!missing.isEmpty()) {
      throw new LockMisconfiguredException(
          what
              + " "
              + table
              + " has the wrong shape: missing column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing)
              + " (see docs/JDBC.md for the DDL)");
    }
  }

  /**
   * Copies the generation and token of every lease row that has no history yet into the history, so
   * that deleting such a row (written by a version without the history table) forgets nothing. Best
   * effort: a concurrent writer may win a name, which then has its history.
   */
  private void fillHistory(Connection c) throws SQLException {
    String sql =
        "INSERT INTO "
            + history
            + " (name, generation, fence) SELECT l.name, CAST(l.version AS BIGINT) / 4294967296,"
            + " CAST(l.fence AS BIGINT) FROM "
            + name
            + " l WHERE l.version IS NOT NULL AND l.fence IS NOT NULL AND NOT EXISTS"
            + " (SELECT 1 FROM "
            + history
            + " h WHERE h.name = l.name)";
    try (Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    } catch (SQLException e) {
      log.debug(
          "filling {} from {} failed (another candidate may be doing it): {}",
          history,
          name,
          e.getMessage());
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    }
  }
}
