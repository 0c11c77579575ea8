package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the lease table: the lock's name, its record (the {@code fence} column is the record's
 * fencing token) and the row's version (see {@link History} for how it is packed).
 *
 * <p>Rows are read by column name and validated strictly: a value that is not what the DDL declares
 * (SQLite stores anything) or that the record's builder refuses (a negative count) fails with a
 * {@link CorruptRecordException} naming the column or field, carrying the corrupt version when the
 * version column can still be read.
 */
record LeaseRow(String name, LeaderElectionRecord record, long version) {
  /** The columns after {@code name}, in the order {@link #bind} binds them. */
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

  /**
   * What a JDBC snapshot carries so that it can be written back: which row, its version and its
   * fencing token ({@code fence} is negative when the stored value could not be read).
   */
  record Stamp(String table, String name, long version, long fence) {}

  /** Binds {@link #COLUMNS} from parameter {@code first} on; returns the next parameter index. */
  int bind(PreparedStatement ps, int first) throws SQLException {
    int i = first;
    ps.setString(i++, record.holderIdentity());
    ps.setInt(i++, record.leaseDurationSeconds());
    setMicros(ps, i++, record.acquireTime());
    setMicros(ps, i++, record.renewTime());
    ps.setInt(i++, record.leaderTransitions());
    setText(ps, i++, record.strategy());
    setText(ps, i++, record.preferredHolder());
    ps.setLong(i++, version);
    ps.setLong(i++, record.fencingToken());
    return i;
  }

  /** The snapshot the lock hands to the elector. */
  LockSnapshot snapshot(String table) {
    return new LockSnapshot(
        record,
        raw(version, record.fencingToken(), record.holderIdentity()),
        Long.toString(version),
        new Stamp(table, name, version, record.fencingToken()));
  }

  /** Raw bytes for change detection: every write changes the version. */
  private static byte[] raw(long version, long fence, String holder) {
    return (version + "|" + fence + "|" + holder).getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- decoding

  /** Where a row's values come from: a result set or a NOTIFY payload. */
  @FunctionalInterface
  interface Columns {
    Object get(String column) throws SQLException;
  }

  /** Decodes the current row of {@code rs} (which selected every column of {@link #COLUMNS}). */
  static LeaseRow read(String table, String name, ResultSet rs)
      throws SQLException, CorruptRecordException {
    return decode(table, name, rs::getObject);
  }

  /**
   * Decodes a row, validating every column.
   *
   * @throws CorruptRecordException naming the table, lock and column; with the corrupt version
   *     attached when the version column could be read
   */
  static LeaseRow decode(String table, String name, Columns columns)
      throws SQLException, CorruptRecordException {
    String where = "lease table " + table + ", lock '" + name + "'";
    Object versionValue = columns.get("version");
    Object fenceValue = columns.get("fence");
    try {
      Object holder = columns.get("holder_identity");
      if (holder == null) {
        throw new CorruptRecordException(where + ": holder_identity is NULL");
      }
      LeaderElectionRecord.Builder record =
          LeaderElectionRecord.builder()
              .holderIdentity(holder.toString())
              .leaseDurationSeconds(int32(where, "lease_duration_seconds", columns))
              .acquireTime(instant(where, "acquire_time_micros", columns))
              .renewTime(instant(where, "renew_time_micros", columns))
              .leaderTransitions(int32(where, "leader_transitions", columns))
              .strategy(text(columns.get("strategy")))
              .preferredHolder(text(columns.get("preferred_holder")))
              .fencingToken(integer(where, "fence", fenceValue));
      long version = natural(where, "version", versionValue);
      try {
        return new LeaseRow(name, record.build(), version);
      } catch (IllegalArgumentException e) {
        throw new CorruptRecordException(where + ": " + e.getMessage(), e);
      }
    } catch (CorruptRecordException e) {
      long version = naturalOrNegative(versionValue);
      if (version < 0) {
        throw e;
      }
      long fence = naturalOrNegative(fenceValue);
      LeaderElectionRecord tokenOnly =
          LeaderElectionRecord.builder().fencingToken(Math.max(fence, 0)).build();
      LockSnapshot stored =
          new LockSnapshot(
              tokenOnly,
              raw(version, fence, "?"),
              Long.toString(version),
              new Stamp(table, name, version, fence));
      throw new CorruptRecordException(e.getMessage(), e.getCause(), stored);
    }
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static int int32(String where, String column, Columns columns)
      throws SQLException, CorruptRecordException {
    long n = integer(where, column, columns.get(column));
    if (n != (int) n) {
      throw new CorruptRecordException(where + ": " + column + " is out of range (" + n + ")");
    }
    return (int) n;
  }

  private static Instant instant(String where, String column, Columns columns)
      throws SQLException, CorruptRecordException {
    Object value = columns.get(column);
    return value == null
        ? null
        : Instant.EPOCH.plus(integer(where, column, value), ChronoUnit.MICROS);
  }

  private static long natural(String where, String column, Object value)
      throws CorruptRecordException {
    long n = integer(where, column, value);
    if (n < 0) {
      throw new CorruptRecordException(where + ": " + column + " is negative (" + n + ")");
    }
    return n;
  }

  private static long naturalOrNegative(Object value) {
    try {
      return natural("", "", value);
    } catch (CorruptRecordException e) {
      return -1;
    }
  }

  private static long integer(String where, String column, Object value)
      throws CorruptRecordException {
    if (value == null) {
      throw new CorruptRecordException(where + ": " + column + " is NULL");
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new CorruptRecordException(
          where + ": " + column + " is not a number: '" + value + "'", e);
    }
  }

  private static void setMicros(PreparedStatement ps, int index, Instant t) throws SQLException {
    if (t == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, ChronoUnit.MICROS.between(Instant.EPOCH, t));
    }
  }

  private static void setText(PreparedStatement ps, int index, String s) throws SQLException {
    if (s == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, s);
    }
  }

  // ---------------------------------------------------------------- NOTIFY payload

  /**
   * The row as a NOTIFY payload: the name, then {@link #COLUMNS} in order, each as {@code
   * <length>:<text>}, or {@code -} for NULL.
   */
  String payload() {
    List<String> values = new ArrayList<>();
    values.add(name);
    values.add(record.holderIdentity());
    values.add(Integer.toString(record.leaseDurationSeconds()));
    values.add(micros(record.acquireTime()));
    values.add(micros(record.renewTime()));
    values.add(Integer.toString(record.leaderTransitions()));
    values.add(record.strategy());
    values.add(record.preferredHolder());
    values.add(Long.toString(version));
    values.add(Long.toString(record.fencingToken()));
    StringBuilder s = new StringBuilder();
    for (String v : values) {
      if (v == null) {
        s.append('-');
      } else {
        s.append(v.length()).append(':').append(v);
      }
    }
    return s.toString();
  }

  /** The lock name and column values of a {@link #payload}; null when it is not one. */
  static Map<String, String> parsePayload(String payload) {
    List<String> fields = new ArrayList<>();
    int i = 0;
    try {
      while (i < payload.length()) {
        if (payload.charAt(i) == '-') {
          fields.add(null);
          i++;
          continue;
        }
        int colon = payload.indexOf(':', i);
        int len = Integer.parseInt(payload.substring(i, colon));
        fields.add(payload.substring(colon + 1, colon + 1 + len));
        i = colon + 1 + len;
      }
    } catch (RuntimeException e) {
      return null;
    }
    if (fields.size() != COLUMNS.size() + 1 || fields.get(0) == null) {
      return null;
    }
    Map<String, String> values = new HashMap<>();
    values.put("name", fields.get(0));
    for (int c = 0; c < COLUMNS.size(); c++) {
      values.put(COLUMNS.get(c), fields.get(c + 1));
    }
    return values;
  }

  private static String micros(Instant t) {
    return t == null ? null : Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, t));
  }
}
