package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LockException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * What one JVM knows about a table on a data source: the database's dialect, and whether the tables
 * were created and checked ({@link LeaseTable#prepare}). Shared by every {@link JdbcLock} on the
 * same data source (by identity) and table, so that five thousand locks check the table once, not
 * five thousand times. A failed check is tried again by the next call; a passed one is not
 * repeated. Data sources are held weakly: a registry entry never keeps a pool alive.
 */
final class TableCheck {
  private static final ReferenceQueue<DataSource> COLLECTED = new ReferenceQueue<>();
  private static final Map<Key, TableCheck> CHECKS = new ConcurrentHashMap<>();

  private final LeaseTable table;
  private volatile Dialect dialect;
  private volatile boolean ready;

  private TableCheck(LeaseTable table) {
    this.table = table;
  }

  /** The check of {@code table} on {@code dataSource}. */
  static TableCheck of(DataSource dataSource, LeaseTable table) {
    for (Object k; (k = COLLECTED.poll()) != null; ) {
      CHECKS.remove(k);
    }
    TableCheck known = CHECKS.get(new Key(dataSource, table.name, null));
    return known != null
        ? known
        : CHECKS.computeIfAbsent(
            new Key(dataSource, table.name, COLLECTED), k -> new TableCheck(table));
  }

  /** The dialect of the database behind {@code c}, found once. */
  Dialect dialect(Connection c) throws SQLException {
    Dialect d = dialect;
    if (d == null) {
      d = Dialect.of(c.getMetaData());
      dialect = d;
    }
    return d;
  }

  /** The dialect if a call already found it, else null. */
  Dialect knownDialect() {
    return dialect;
  }

  /**
   * Creates the tables if allowed and checks their shape, unless that already passed in this JVM.
   *
   * @throws LockException when a table is missing (and may not be created) or has the wrong shape
   */
  void ensure(Connection c, boolean create) throws SQLException, LockException {
    if (ready) {
      return;
    }
    synchronized (this) {
      if (!ready) {
        table.prepare(c, dialect(c), create);
        ready = true;
      }
    }
  }

  /** A data source (by identity, held weakly) and a table name. */
  private static final class Key extends WeakReference<DataSource> {
    private final String table;
    private final int hash;

    Key(DataSource dataSource, String table, ReferenceQueue<DataSource> queue) {
      super(dataSource, queue);
      this.table = table;
      this.hash = System.identityHashCode(dataSource) * 31 + table.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      if (!(o instanceof Key k) || k.hash != hash || !k.table.equals(table)) {
        return false;
      }
      DataSource mine = get();
      return mine != null && mine == k.get();
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
