package io.leasehold.cli;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The CLI's small PostgreSQL connection pool (a new connection per call costs several milliseconds;
 * one connection also serves LISTEN for the watch). It starts on first use, keeps trying while the
 * server is down (the elector retries), and waits for a connection a little less than one lock call
 * may take, so that the call fails with the server's own reason ("Connection to 127.0.0.1:5432
 * refused", "password authentication failed") rather than with the elector's timeout or the pool's
 * internals.
 */
final class PostgresPool extends HikariDataSource {
  private static final Duration SHORTEST_WAIT = Duration.ofMillis(250); // HikariCP's floor

  private final String address;
  private final Duration wait;

  PostgresPool(DataSource postgres, String address, Duration callTimeout) {
    this.address = address;
    Duration fraction = callTimeout.multipliedBy(4).dividedBy(5);
    this.wait = fraction.compareTo(SHORTEST_WAIT) > 0 ? fraction : SHORTEST_WAIT;
    setDataSource(postgres);
    setPoolName("leasehold");
    setMaximumPoolSize(4);
    setMinimumIdle(1);
    setConnectionTimeout(wait.toMillis());
    setValidationTimeout(wait.toMillis());
    setInitializationFailTimeout(-1);
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      return super.getConnection();
    } catch (SQLException e) {
      throw explain(e);
    }
  }

  /**
   * HikariCP reports "Connection is not available, request timed out after N ms (total=0, ...)"
   * with the last connection failure as the cause: the failure is what the user needs, with its SQL
   * state (08 unreachable, 28 credentials) so that the lock classifies it.
   */
  private SQLException explain(SQLException e) {
    if (!(e instanceof SQLTransientConnectionException)) {
      return e;
    }
    Throwable cause = e.getCause();
    if (cause instanceof SQLException failure) {
      return new SQLException(
          LockSpec.withAddress(LockSpec.messages(failure), address),
          failure.getSQLState(),
          failure);
    }
    return new SQLTransientConnectionException(
        "no connection to "
            + address
            + " within "
            + Durations.format(wait)
            + (cause == null
                ? " (the server accepts no connection or does not answer)"
                : ": " + LockSpec.messages(cause)),
        "08001",
        e);
  }
}
