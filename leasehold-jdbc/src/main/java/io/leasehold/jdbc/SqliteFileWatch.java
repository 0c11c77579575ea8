package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change notification for SQLite lease files: the operating system reports every write to the
 * database or its WAL (inotify on Linux, through the JDK's {@link WatchService}), and each watching
 * lock then reads its own row once and hands the snapshot to its elector. One daemon thread per JVM
 * serves every watched file; it ends when the last watch closes. Other processes' writes are seen
 * as soon as the OS reports them, so followers need not poll.
 *
 * <p>The OS reports a write to the WAL before the transaction is visible: a writer in full
 * synchronous mode then syncs the WAL to disk, and only after that publishes the commit. So before
 * reading, the watch waits for any write in progress: it takes the file's write lock and lets it go
 * at once ({@code BEGIN IMMEDIATE; ROLLBACK}, on one connection per watched file), which returns
 * only once the writer has committed.
 */
final class SqliteFileWatch {
  private static final Logger log = LoggerFactory.getLogger(SqliteFileWatch.class);
  private static final Object LOCK = new Object();
  private static WatchService service;
  private static Thread thread;
  private static final Map<Path, WatchKey> FOLDERS = new HashMap<>();
  private static final Map<Path, List<Subscription>> BY_FILE = new HashMap<>();
  private static final int BARRIER_TIMEOUT_MILLIS = 2_000;
  private static int subscriptions;

  /** Per watched file, the connection that waits for writes in progress; opened on first use. */
  private static final Map<Path, Connection> BARRIERS = new HashMap<>();

  private SqliteFileWatch() {}

  /**
   * Watches {@code database}: on each change, {@code read} is called (it returns the lock's current
   * snapshot, or null when it cannot) and the result goes to {@code watcher}.
   *
   * @throws IOException when the folder cannot be watched
   */
  static LockWatch subscribe(Path database, Supplier<LockSnapshot> read, LockWatcher watcher)
      throws IOException {
    Path file = database.toAbsolutePath().normalize();
    Path folder = file.getParent();
    Subscription s = new Subscription(file, read, watcher);
    synchronized (LOCK) {
      if (service == null) {
        service = FileSystems.getDefault().newWatchService();
        thread = new Thread(SqliteFileWatch::run, "leasehold-sqlite-watch");
        thread.setDaemon(true);
        thread.start();
      }
      if (!FOLDERS.containsKey(folder)) {
        FOLDERS.put(
            folder,
            folder.register(
                service,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY));
      }
      BY_FILE.computeIfAbsent(file, f -> new CopyOnWriteArrayList<>()).add(s);
      subscriptions++;
    }
    return s;
  }

  private static void unsubscribe(Subscription s) {
    WatchService closing = null;
    Connection barrier = null;
    synchronized (LOCK) {
      List<Subscription> list = BY_FILE.get(s.file);
      if (list == null || !list.remove(s)) {
        return;
      }
      if (list.isEmpty()) {
        BY_FILE.remove(s.file);
        barrier = BARRIERS.remove(s.file);
        Path folder = s.file.getParent();
        if (BY_FILE.keySet().stream().noneMatch(f -> f.getParent().equals(folder))) {
          WatchKey key = FOLDERS.remove(folder);
          if (key != null) {
            key.cancel();
          }
        }
      }
      if (--subscriptions == 0) {
        closing = service;
        service = null;
        thread = null;
      }
    }
    if (barrier != null) {
      try {
        barrier.close();
      } catch (SQLException e) {
        log.debug("closing the watch connection of {} failed: {}", s.file, e.toString());
      }
    }
    if (closing != null) {
      try {
        closing.close(); // ends the thread
      } catch (IOException e) {
        log.debug("closing the SQLite watch service failed: {}", e.toString());
      }
    }
  }

  /** Returns once no write to {@code file} is in progress (or after the timeout). */
  private static void awaitWriter(Path file) {
    Connection c;
    synchronized (LOCK) {
      if (!BY_FILE.containsKey(file)) {
        return; // unsubscribed meanwhile
      }
      c = BARRIERS.get(file);
      if (c == null) {
        try {
          c = DriverManager.getConnection("jdbc:sqlite:" + file);
          try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + BARRIER_TIMEOUT_MILLIS);
          }
        } catch (SQLException e) {
          log.debug("cannot open {} to wait for writers: {}", file, e.toString());
          return;
        }
        BARRIERS.put(file, c);
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      s.execute("ROLLBACK");
    } catch (SQLException e) {
      // busy past the timeout, or closed by unsubscribe: read anyway
      log.debug("waiting for writers of {} failed: {}", file, e.toString());
    }
  }

  private static void run() {
    WatchService mine;
    synchronized (LOCK) {
      mine = service;
    }
    while (true) {
      WatchKey key;
      try {
        key = mine.take();
      } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
        return;
      }
      Path folder = (Path) key.watchable();
      List<Subscription> due = new ArrayList<>();
      boolean everything = false;
      for (WatchEvent<?> event : key.pollEvents()) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
          everything = true;
          continue;
        }
        String name = event.context().toString();
        String base = name.endsWith("-wal") ? name.substring(0, name.length() - 4) : name;
        synchronized (LOCK) {
          List<Subscription> list = BY_FILE.get(folder.resolve(base));
          if (list != null) {
            for (Subscription s : list) {
              if (!due.contains(s)) {
                due.add(s);
              }
            }
          }
        }
      }
      if (everything) {
        synchronized (LOCK) {
          BY_FILE.forEach((f, list) -> {
            if (f.getParent().equals(folder)) {
              list.stream().filter(s -> !due.contains(s)).forEach(due::add);
            }
          });
        }
      }
      key.reset();
      Map<Path, List<Subscription>> byFile = new LinkedHashMap<>();
      for (Subscription s : due) {
        byFile.computeIfAbsent(s.file, f -> new ArrayList<>()).add(s);
      }
      byFile.forEach(
          (file, subscribers) -> {
            awaitWriter(file);
            subscribers.forEach(Subscription::deliver);
          });
    }
  }

  private static final class Subscription implements LockWatch {
    final Path file;
    final Supplier<LockSnapshot> read;
    final LockWatcher watcher;
    volatile boolean closed;

    Subscription(Path file, Supplier<LockSnapshot> read, LockWatcher watcher) {
      this.file = file;
      this.read = read;
      this.watcher = watcher;
    }

    void deliver() {
      if (closed) {
        return;
      }
      try {
        watcher.changed(read.get());
      } catch (RuntimeException e) {
        log.debug("a watcher of {} failed: {}", file, e.toString());
      }
    }

    @Override
    public boolean isHealthy() {
      return !closed;
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
