package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LockException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * One lock call's borrowed connection, its database's dialect and its time budget.
 *
 * @param timeoutSeconds the call's budget in whole seconds, at least 1: JDBC's query timeout unit
 */
record SqlCall(Connection connection, Dialect dialect, int timeoutSeconds) {

  /** A call with {@code timeout}, rounded up to whole seconds. */
  static SqlCall of(Connection connection, Dialect dialect, Duration timeout) {
    return new SqlCall(connection, dialect, (int) Math.max(1, (timeout.toMillis() + 999) / 1000));
  }

  /** Prepares {@code sql} with the call's query timeout. */
  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(sql);
    ps.setQueryTimeout(timeoutSeconds);
    return ps;
  }

  /** Work done with a call's connection. */
  @FunctionalInterface
  interface Work<T> {
    T run() throws SQLException, LockException;
  }

  /** Binds a statement's parameters from index 1; returns the next free index. */
  @FunctionalInterface
  interface Binder {
    int bind(PreparedStatement ps) throws SQLException;
  }
}
