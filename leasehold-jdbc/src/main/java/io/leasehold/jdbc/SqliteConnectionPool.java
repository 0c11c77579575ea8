package io.leasehold.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Keeps a few SQLite connections open and hands them out again. Opening a connection per call is
 * slow on SQLite, and closing the last one checkpoints the WAL with an fsync; reusing connections
 * avoids both. A returned connection is rolled back if a transaction was left open.
 */
final class SqliteConnectionPool implements DataSource {
  private static final int MAX_IDLE = 8;

  private final java.nio.file.Path file;
  private final DataSource opener;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();

  SqliteConnectionPool(java.nio.file.Path file, DataSource opener) {
    this.file = file;
    this.opener = opener;
  }

  /** The database file. */
  java.nio.file.Path file() {
    return file;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c;
    while ((c = idle.pollFirst()) != null) {
      idleCount.decrementAndGet();
      if (!c.isClosed()) {
        return lend(c);
      }
    }
    return lend(opener.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return getConnection();
  }

  private Connection lend(Connection physical) {
    boolean[] returned = {false};
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "close":
                  if (!returned[0]) {
                    returned[0] = true;
                    giveBack(physical);
                  }
                  return null;
                case "isClosed":
                  return returned[0] || physical.isClosed();
                default:
                  if (returned[0]) {
                    throw new SQLException("the connection was closed");
                  }
                  return invoke(physical, method, args);
              }
            });
  }

  private void giveBack(Connection physical) throws SQLException {
    try {
      if (!physical.isClosed() && !physical.getAutoCommit()) {
        physical.rollback();
        physical.setAutoCommit(true);
      }
    } catch (SQLException e) {
      physical.close();
      return;
    }
    if (physical.isClosed()) {
      return;
    }
    if (idleCount.incrementAndGet() <= MAX_IDLE) {
      idle.addFirst(physical);
    } else {
      idleCount.decrementAndGet();
      physical.close();
    }
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return opener.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    opener.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    opener.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return opener.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return opener.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return opener.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || opener.isWrapperFor(iface);
  }
}
