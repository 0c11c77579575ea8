package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
 * One LISTEN connection and one daemon thread per data source and channel, shared by every watching
 * {@link JdbcLock} of the JVM: a thousand followers cost one connection, not a thousand. Each
 * NOTIFY carries the whole row, so watchers get the snapshot without a query. When the connection
 * breaks the hub reports itself unhealthy (followers poll), reconnects with backoff, and tells
 * every watcher to re-read once it is back. The thread ends when the last watch closes.
 */
final class PgNotificationHub {
  private static final Logger log = LoggerFactory.getLogger(PgNotificationHub.class);
  private static final Map<DataSource, Map<String, PgNotificationHub>> HUBS =
      new IdentityHashMap<>();
  private static final int POLL_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  private final DataSource dataSource;
  private final String channel;
  private final Map<String, List<Subscription>> byLock = new ConcurrentHashMap<>();
  private int subscriptions;
  private Thread thread;
  private volatile boolean healthy;
  private volatile boolean running;

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
      subscriptions++;
      if (thread == null) {
        running = true;
        thread = new Thread(this::listen, "leasehold-pg-listen-" + channel);
        thread.setDaemon(true);
        thread.start();
      }
    }
    return s;
  }

  private void unsubscribe(Subscription s) {
    List<Subscription> list = byLock.get(s.lockName);
    if (list == null || !list.remove(s)) {
      return;
    }
    Thread stopping = null;
    synchronized (this) {
      if (--subscriptions == 0) {
        running = false;
        stopping = thread;
        thread = null;
      }
    }
    if (stopping != null) {
      stopping.interrupt();
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

  private void listen() {
    long backoff = 100;
    while (running) {
      try (Connection c = dataSource.getConnection()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN \"" + channel + "\"");
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        boolean wasHealthy = healthy;
        healthy = true;
        backoff = 100;
        if (!wasHealthy) {
          dispatchAll(); // missed changes while down: everyone re-reads
        }
        while (running) {
          PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
          if (batch != null) {
            for (PGNotification n : batch) {
              dispatch(n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          break;
        }
        if (healthy) {
          log.warn(
              "LISTEN on {} broke, followers poll until it is back: {}", channel, e.getMessage());
        }
        healthy = false;
        dispatchAll();
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
    healthy = false;
  }

  private void dispatch(String payload) {
    Map<String, String> row = LeaseRow.parsePayload(payload);
    if (row == null) {
      return;
    }
    String lockName = row.get("name");
    List<Subscription> list = byLock.get(lockName);
    if (list == null) {
      return;
    }
    for (Subscription s : list) {
      LockSnapshot snapshot;
      try {
        snapshot = LeaseRow.decode(s.table, lockName, row::get).snapshot(s.table);
      } catch (CorruptRecordException | SQLException e) {
        snapshot = null;
      }
      s.deliver(snapshot);
    }
  }

  private void dispatchAll() {
    List<Subscription> all = new ArrayList<>();
    for (List<Subscription> list : byLock.values()) {
      all.addAll(list);
    }
    for (Subscription s : all) {
      s.deliver(null);
    }
  }

  private final class Subscription implements LockWatch {
    final String lockName;
    final String table;
    final LockWatcher watcher;
    volatile boolean closed;

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
        log.debug("a watcher of {} failed: {}", lockName, e.getMessage());
      }
    }

    @Override
    public boolean isHealthy() {
      return healthy && !closed;
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
