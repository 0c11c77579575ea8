package io.leasehold.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite connections of one database file, from {@link SqliteDataSources}: up to eight idle
 * connections are kept open and handed out again, because opening a connection per call is slow on
 * SQLite and closing the last one checkpoints the WAL with an fsync. A returned connection is
 * rolled back if a transaction was left open.
 *
 * <p>Whoever created the pool closes it, after the locks using it have stopped ({@code JdbcLock}
 * never closes its data source). {@link #close} copies the write-ahead log into the database file
 * and closes every idle connection at once, and every lent one when it comes back; the last
 * connection to the file, in whatever process, then removes the {@code -wal} file. An unclosed pool
 * keeps its connections, and their file descriptors, until the JVM exits.
 */
public final class SqliteConnectionPool implements DataSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteConnectionPool.class);
  private static final int MAX_IDLE = 8;

  private final Path file;
  private final DataSource opener;
  private final boolean writable;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private volatile boolean closed;

  SqliteConnectionPool(Path file, DataSource opener, boolean writable) {
    this.file = file;
    this.opener = opener;
    this.writable = writable;
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /**
   * Checkpoints the write-ahead log into the database file (without waiting for other processes'
   * readers) and closes the idle connections; connections still lent out are closed when returned.
   * Later {@link #getConnection} calls fail. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Connection c;
    boolean first = true;
    while ((c = idle.pollFirst()) != null) {
      idleCount.decrementAndGet();
      if (first && writable) {
        checkpoint(c);
      }
      first = false;
      closeQuietly(c);
    }
  }

  private void checkpoint(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (SQLException e) {
      log.debug("checkpoint of {} on close failed: {}", file, e.getMessage());
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (closed) {
      throw new SQLException("the SQLite connection pool of " + file + " is closed");
    }
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
                case "close" -> {
                  if (!returned[0]) {
                    returned[0] = true;
                    giveBack(physical);
                  }
                  return null;
                }
                case "isClosed" -> {
                  return returned[0] || physical.isClosed();
                }
                default -> {
                  if (returned[0]) {
                    throw new SQLException("the connection was closed");
                  }
                  return invoke(physical, method, args);
                }
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
    if (closed) {
      physical.close();
      return;
    }
    if (idleCount.incrementAndGet() > MAX_IDLE) {
      idleCount.decrementAndGet();
      physical.close();
      return;
    }
    idle.addFirst(physical);
    if (closed && idle.remove(physical)) { // close() ran meanwhile and may have missed it
      idleCount.decrementAndGet();
      physical.close();
    }
  }

  private void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing a connection to {} failed: {}", file, e.getMessage());
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
  public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
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
