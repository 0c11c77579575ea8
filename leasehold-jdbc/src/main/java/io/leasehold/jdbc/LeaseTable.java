package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LockException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The lease table: its validated name, its DDL and the statements a {@link JdbcLock} runs. Only
 * this class puts the table name into SQL, and only after {@link #validateName} accepted it; lock
 * names and values are always bound as parameters.
 */
final class LeaseTable {
  /** The data columns, in the order every statement uses; the name column comes first. */
  static final List<String> COLUMNS =
      List.of(
          "holder_identity",
          "lease_duration_seconds",
          "acquire_time_micros",
          "renew_time_micros",
          "leader_transitions",
          "strategy",
          "preferred_holder",
          "version",
          "fence");

  private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  final String name;
  final String select;
  final String update;

  LeaseTable(String name) {
    this.name = validateName(name);
    this.select =
        "SELECT " + String.join(", ", COLUMNS) + " FROM " + this.name + " WHERE name = ?";
    StringBuilder set = new StringBuilder();
    for (String c : COLUMNS) {
      if (set.length() > 0) {
        set.append(", ");
      }
      set.append(c).append(c.equals("version") ? " = version + 1" : " = ?");
    }
    this.update = "UPDATE " + this.name + " SET " + set + " WHERE name = ? AND version = ?";
  }

  /**
   * Accepts {@code table} or {@code schema.table}, each part a plain SQL identifier of at most 63
   * characters; anything else could smuggle SQL into statements and is refused.
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
    return table;
  }

  /** The DDL for {@code dialect}, as docs/JDBC.md shows it. */
  String ddl(Dialect dialect) {
    String t = dialect.textType;
    String n = dialect.bigintType;
    return "CREATE TABLE IF NOT EXISTS "
        + name
        + " (\n"
        + "  name                   "
        + t
        + " NOT NULL PRIMARY KEY,\n"
        + "  holder_identity        "
        + t
        + " NOT NULL,\n"
        + "  lease_duration_seconds INTEGER NOT NULL,\n"
        + "  acquire_time_micros    "
        + n
        + ",\n"
        + "  renew_time_micros      "
        + n
        + ",\n"
        + "  leader_transitions     INTEGER NOT NULL,\n"
        + "  strategy               "
        + t
        + ",\n"
        + "  preferred_holder       "
        + t
        + ",\n"
        + "  version                "
        + n
        + " NOT NULL,\n"
        + "  fence                  "
        + n
        + " NOT NULL\n"
        + ")";
  }

  /** The insert; with ON CONFLICT where the dialect has it, so that a lost race updates nothing. */
  String insert(Dialect dialect) {
    StringBuilder marks = new StringBuilder("?");
    for (int i = 0; i < COLUMNS.size(); i++) {
      marks.append(", ?");
    }
    return "INSERT INTO "
        + name
        + " (name, "
        + String.join(", ", COLUMNS)
        + ") VALUES ("
        + marks
        + ")"
        + (dialect.hasInsertOnConflict() ? " ON CONFLICT (name) DO NOTHING" : "");
  }

  /**
   * Creates the table if allowed, then checks that it has every column.
   *
   * @throws LockException naming what is missing
   */
  void prepare(Connection c, Dialect dialect, boolean create) throws SQLException, LockException {
    if (create) {
      try (Statement s = c.createStatement()) {
        s.execute(ddl(dialect));
      } catch (SQLException e) {
        // PostgreSQL may report a concurrent CREATE TABLE IF NOT EXISTS as a duplicate; the check
        // below tells whether the table is usable
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      }
    }
    Set<String> present = new LinkedHashSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + name + " WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        present.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
      }
    } catch (SQLException e) {
      throw new LockException(
          "lease table "
              + name
              + " cannot be read"
              + (create ? "" : " (automatic creation is off)")
              + ": "
              + e.getMessage()
              + "; create it with the DDL in docs/JDBC.md",
          e);
    }
    List<String> missing = new ArrayList<>();
    for (String column : required()) {
      if (!present.contains(column)) {
        missing.add(column);
      }
    }
    if (!missing.isEmpty()) {
      throw new LockException(
          "lease table "
              + name
              + " has the wrong shape: missing column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing)
              + " (see docs/JDBC.md for the DDL)");
    }
  }

  private static List<String> required() {
    List<String> all = new ArrayList<>();
    all.add("name");
    all.addAll(COLUMNS);
    return all;
  }
}
