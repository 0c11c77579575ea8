package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of the lease table, as read from a query or from a NOTIFY payload, before validation.
 * Values are kept as the database returned them so that a corrupted row can be reported precisely.
 */
final class LeaseRow {
  private final String name;
  private final Object holder;
  private final Object leaseDurationSeconds;
  private final Object acquireMicros;
  private final Object renewMicros;
  private final Object transitions;
  private final Object strategy;
  private final Object preferredHolder;
  private final Object version;
  private final Object fence;

  private LeaseRow(String name, Object[] v) {
    this.name = name;
    this.holder = v[0];
    this.leaseDurationSeconds = v[1];
    this.acquireMicros = v[2];
    this.renewMicros = v[3];
    this.transitions = v[4];
    this.strategy = v[5];
    this.preferredHolder = v[6];
    this.version = v[7];
    this.fence = v[8];
  }

  /** Reads the current row of {@code rs}, whose columns are {@link LeaseTable#COLUMNS} in order. */
  static LeaseRow read(String name, ResultSet rs) throws SQLException {
    Object[] v = new Object[9];
    for (int i = 0; i < v.length; i++) {
      v[i] = rs.getObject(i + 1);
    }
    return new LeaseRow(name, v);
  }

  /** The values a write stores, in {@link LeaseTable#COLUMNS} order after the name. */
  static Object[] values(LeaderElectionRecord r, long version) {
    return new Object[] {
      r.holderIdentity(),
      r.leaseDurationSeconds(),
      micros(r.acquireTime()),
      micros(r.renewTime()),
      r.leaderTransitions(),
      r.strategy(),
      r.preferredHolder(),
      version,
      r.fencingToken()
    };
  }

  /** Validates the row and returns the snapshot the lock hands to the elector. */
  LockSnapshot toSnapshot(String table) throws CorruptRecordException {
    String where = "lease table " + table + ", lock '" + name + "'";
    if (holder == null) {
      throw new CorruptRecordException(where + ": holder_identity is NULL");
    }
    int duration = (int) number(where, "lease_duration_seconds", leaseDurationSeconds, false);
    int moves = (int) number(where, "leader_transitions", transitions, false);
    long v = number(where, "version", version, false);
    long token = number(where, "fence", fence, false);
    LeaderElectionRecord record =
        LeaderElectionRecord.builder()
            .holderIdentity(holder.toString())
            .leaseDurationSeconds(duration)
            .acquireTime(instant(where, "acquire_time_micros", acquireMicros))
            .renewTime(instant(where, "renew_time_micros", renewMicros))
            .leaderTransitions(moves)
            .strategy(strategy == null ? null : strategy.toString())
            .preferredHolder(preferredHolder == null ? null : preferredHolder.toString())
            .fencingToken(token)
            .build();
    return new LockSnapshot(record, raw(v, token, record.holderIdentity()));
  }

  /** The version column, validated. */
  long version(String table) throws CorruptRecordException {
    return number("lease table " + table + ", lock '" + name + "'", "version", version, false);
  }

  /** Raw bytes for change detection: every write raises the version. */
  static byte[] raw(long version, long fence, String holder) {
    return (version + "|" + fence + "|" + holder).getBytes(StandardCharsets.UTF_8);
  }

  // ---- NOTIFY payload: length-prefixed fields, "-" for null

  static String payload(String name, Object[] values) {
    StringBuilder s = new StringBuilder();
    field(s, name);
    for (Object v : values) {
      field(s, v == null ? null : v.toString());
    }
    return s.toString();
  }

  /** Decodes a payload written by {@link #payload}; null when it is not one. */
  static LeaseRow fromPayload(String payload) {
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
    if (fields.size() != 10 || fields.get(0) == null) {
      return null;
    }
    return new LeaseRow(fields.get(0), fields.subList(1, 10).toArray());
  }

  String name() {
    return name;
  }

  private static void field(StringBuilder s, String v) {
    if (v == null) {
      s.append('-');
    } else {
      s.append(v.length()).append(':').append(v);
    }
  }

  private static Long micros(Instant t) {
    return t == null ? null : ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  private static Instant instant(String where, String column, Object value)
      throws CorruptRecordException {
    if (value == null) {
      return null;
    }
    long us = number(where, column, value, true);
    return Instant.EPOCH.plus(us, ChronoUnit.MICROS);
  }

  private static long number(String where, String column, Object value, boolean mayBeNegative)
      throws CorruptRecordException {
    if (value == null) {
      throw new CorruptRecordException(where + ": " + column + " is NULL");
    }
    long n;
    if (value instanceof Number) {
      n = ((Number) value).longValue();
    } else {
      try {
        n = Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        throw new CorruptRecordException(
            where + ": " + column + " is not a number: '" + value + "'", e);
      }
    }
    if (!mayBeNegative && n < 0) {
      throw new CorruptRecordException(where + ": " + column + " is negative (" + n + ")");
    }
    return n;
  }
}
