package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import io.leasehold.leaderelection.resourcelock.ReconnectingWatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LISTEN connection per data source and channel, shared by every watching {@link JdbcLock} of
 * the JVM: a thousand followers cost one connection, not a thousand. Each NOTIFY carries the whole
 * row, so watchers get the snapshot without a query. The connection is the stream of a {@link
 * ReconnectingWatch}, so it follows every backend's rules: while it is down every watch is
 * unhealthy (followers poll), it is opened again with backoff, and every watcher re-reads once it
 * is back. Each connection has a daemon thread of its own; the last watch to close ends it.
 */
final class PgNotificationHub {
  private static final Logger log = LoggerFactory.getLogger(PgNotificationHub.class);
  private static final Map<DataSource, Map<String, PgNotificationHub>> HUBS =
      new IdentityHashMap<>();
  private static final int POLL_MILLIS = 250;

  private final DataSource dataSource;
  private final String channel;
  private final Map<String, List<Subscription>> byLock = new ConcurrentHashMap<>();
  private int subscriptions; // guarded by this
  private volatile ReconnectingWatch listening; // while there are subscriptions

  private PgNotificationHub(DataSource dataSource, String channel) {
    this.dataSource = dataSource;
    this.channel = channel;
  }

  static PgNotificationHub of(DataSource dataSource, String channel) {
    synchronized (HUBS) {
      return HUBS.computeIfAbsent(dataSource, d -> new ConcurrentHashMap<>())
          .computeIfAbsent(channel, c -> new PgNotificationHub(dataSource, c));
    }
  }

  LockWatch subscribe(String lockName, String table, LockWatcher watcher) {
    Subscription s = new Subscription(lockName, table, watcher);
    byLock.computeIfAbsent(lockName, n -> new CopyOnWriteArrayList<>()).add(s);
    synchronized (this) {
      if (subscriptions++ == 0) {
        listening = ReconnectingWatch.open("LISTEN " + channel, all -> toAll(), this::listen);
      }
    }
    return s;
  }

  private void unsubscribe(Subscription s) {
    List<Subscription> list = byLock.get(s.lockName);
    if (list == null || !list.remove(s)) {
      return;
    }
    ReconnectingWatch stopping = null;
    synchronized (this) {
      if (--subscriptions == 0) {
        stopping = listening;
        listening = null;
      }
    }
    if (stopping != null) {
      stopping.close();
      synchronized (HUBS) {
        Map<String, PgNotificationHub> hubs = HUBS.get(dataSource);
        if (hubs != null && hubs.get(channel) == this) {
          hubs.remove(channel);
          if (hubs.isEmpty()) {
            HUBS.remove(dataSource);
          }
        }
      }
    }
  }

  /**
   * Opens one LISTEN connection, on a thread of its own that dispatches its notifications until the
   * connection fails or the session ends (within {@value #POLL_MILLIS} ms of it).
   */
  private AutoCloseable listen(ReconnectingWatch.Session session) {
    DaemonThreads.start("leasehold-pg-listen-" + channel, () -> receive(session));
    return () -> {}; // the thread sees that its session ended, and closes its connection
  }

  private void receive(ReconnectingWatch.Session session) {
    try (Connection c = dataSource.getConnection()) {
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN \"" + channel + "\"");
      }
      PGConnection pg = c.unwrap(PGConnection.class);
      session.opened();
      while (session.isCurrent()) {
        PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
        if (batch != null) {
          for (PGNotification n : batch) {
            dispatch(n.getParameter());
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      session.broke(e);
    }
  }

  private void dispatch(String payload) {
    Map<String, String> row = LeaseRow.parsePayload(payload);
    if (row == null) {
      return;
    }
    String lockName = row.get("name");
    for (Subscription s : byLock.getOrDefault(lockName, List.of())) {
      LockSnapshot snapshot;
      try {
        snapshot = LeaseRow.decode(s.table, lockName, row::get).snapshot(s.table);
      } catch (CorruptRecordException | SQLException e) {
        snapshot = null;
      }
      s.deliver(snapshot);
    }
  }

  /** An unknown change for every watch: the connection came up, or went down. */
  private void toAll() {
    byLock.values().forEach(list -> list.forEach(s -> s.deliver(null)));
  }

  /** One lock's watch on the shared connection. */
  private final class Subscription implements LockWatch {
    final String lockName;
    final String table;
    private final LockWatcher watcher;
    private volatile boolean closed;

    Subscription(String lockName, String table, LockWatcher watcher) {
      this.lockName = lockName;
      this.table = table;
      this.watcher = watcher;
    }

    void deliver(LockSnapshot snapshot) {
      if (closed) {
        return;
      }
      try {
        watcher.changed(snapshot);
      } catch (RuntimeException e) {
        log.warn("a watcher of {} threw", lockName, e);
      }
    }

    @Override
    public boolean isHealthy() {
      ReconnectingWatch l = listening;
      return !closed && l != null && l.isHealthy();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        unsubscribe(this);
      }
    }
  }
}
