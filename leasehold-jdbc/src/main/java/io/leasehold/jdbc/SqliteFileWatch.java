package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.DaemonThreads;
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
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change notification for SQLite lease files: the operating system reports every write to the
 * database or its WAL (inotify on Linux, through the JDK's {@link WatchService}). The watch then
 * finds what changed with one statement per table (every row's version), and only the watching
 * locks whose row changed read it and hand the snapshot to their elector: a write costs each
 * process a constant number of reads, however many elections share the file. While writes keep
 * coming, it looks on average at most every {@value #MIN_INTERVAL_MILLIS} ms, with bursts of up to
 * {@value #BURST} looks at once, so that a change that follows another closely (a release just
 * after a renewal) is still seen at once. One daemon thread per JVM serves every watched file; it
 * ends when the last watch closes. Followers need not poll.
 *
 * <p>The OS reports a write to the WAL before the transaction is visible: a writer in full
 * synchronous mode then syncs the WAL to disk, and only after that publishes the commit. So when a
 * look finds nothing changed, the watch waits for any write in progress: it takes the file's write
 * lock and lets it go at once ({@code BEGIN IMMEDIATE; ROLLBACK}, on one connection per watched
 * file), which returns only once the writer has committed; then it looks again. Renewals commit in
 * normal synchronous mode, without a sync between the WAL write and the commit, so their change is
 * almost always visible by the time the watch looks, and they seldom make it take the lock.
 */
final class SqliteFileWatch {
  private static final Logger log = LoggerFactory.getLogger(SqliteFileWatch.class);
  static final long MIN_INTERVAL_MILLIS = 20;
  static final int BURST = 4;
  private static final Object LOCK = new Object();
  private static WatchService service;
  private static final Map<Path, WatchKey> FOLDERS = new HashMap<>();
  private static final Map<Path, List<Subscription>> BY_FILE = new HashMap<>();
  private static final int BARRIER_TIMEOUT_MILLIS = 2_000;

  /** Per watched file, the connection that waits for writes in progress; opened on first use. */
  private static final Map<Path, Connection> BARRIERS = new HashMap<>();

  private static int subscriptions;

  /** Per file and table, the versions the last look found; dropped with the file's last watch. */
  private static final Map<Table, Map<String, Long>> LAST_LOOK = new ConcurrentHashMap<>();

  private record Table(Path file, String name) {}

  private SqliteFileWatch() {}

  /**
   * Watches {@code database} for {@code lock}: when its row's version changed, the lock's row is
   * read (a snapshot, or null when it cannot be read or is gone) and goes to {@code watcher}.
   *
   * @throws IOException when the folder cannot be watched
   */
  static LockWatch subscribe(Path database, Dialect.Watched lock, LockWatcher watcher)
      throws IOException {
    Path file = database.toAbsolutePath().normalize();
    Path folder = file.getParent();
    Subscription s = new Subscription(file, lock, watcher);
    synchronized (LOCK) {
      if (service == null) {
        service = FileSystems.getDefault().newWatchService();
        DaemonThreads.start("leasehold-sqlite-watch", SqliteFileWatch::run);
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
        LAST_LOOK.keySet().removeIf(t -> t.file().equals(s.file));
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
    Pace pace = new Pace(BURST, MIN_INTERVAL_MILLIS);
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
          BY_FILE.forEach(
              (f, list) -> {
                if (f.getParent().equals(folder)) {
                  list.stream().filter(s -> !due.contains(s)).forEach(due::add);
                }
              });
        }
      }
      key.reset();
      deliver(due);
      try {
        pace.afterLook();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Finds which rows changed, one statement per file and table, and has the subscriptions of those
   * rows read them; if the versions cannot be read, every subscription reads its row. The OS may
   * report a write before its commit is visible (a commit in full synchronous mode syncs the WAL
   * first): unless a row of the file changed since the last look, the watch waits for any write in
   * progress and looks again.
   */
  private static void deliver(List<Subscription> due) {
    Map<Path, Map<String, List<Subscription>>> byFile = new LinkedHashMap<>();
    for (Subscription s : due) {
      byFile
          .computeIfAbsent(s.file, f -> new HashMap<>())
          .computeIfAbsent(s.lock.table().name, t -> new ArrayList<>())
          .add(s);
    }
    byFile.forEach(
        (file, tables) -> {
          Map<Table, Map<String, Long>> seen = look(file, tables);
          if (seen.entrySet().stream().noneMatch(SqliteFileWatch::changedSinceLastLook)) {
            awaitWriter(file); // nothing visible yet: a commit may be syncing the WAL
            seen = look(file, tables);
          }
          for (List<Subscription> group : tables.values()) {
            Table key = new Table(file, group.get(0).lock.table().name);
            Map<String, Long> versions = seen.get(key);
            if (versions == null) {
              LAST_LOOK.remove(key);
            } else {
              LAST_LOOK.put(key, versions);
            }
            for (Subscription s : group) {
              s.deliverIfChanged(versions);
            }
          }
        });
  }

  /**
   * Whether a table's versions differ from those of an earlier look; a first look compares with
   * nothing, so it cannot tell.
   */
  private static boolean changedSinceLastLook(Map.Entry<Table, Map<String, Long>> look) {
    Map<String, Long> last = LAST_LOOK.get(look.getKey());
    return last != null && look.getValue() != null && !last.equals(look.getValue());
  }

  /** Every watched table's versions in {@code file}. */
  private static Map<Table, Map<String, Long>> look(
      Path file, Map<String, List<Subscription>> tables) {
    Map<Table, Map<String, Long>> seen = new HashMap<>();
    tables.forEach((name, group) -> seen.put(new Table(file, name), versions(group.get(0).lock)));
    return seen;
  }

  /** Every row's version of the lock's table, or null when it cannot be read. */
  private static Map<String, Long> versions(Dialect.Watched lock) {
    try (Connection c = lock.dataSource().getConnection()) {
      return lock.table().versions(c);
    } catch (SQLException | RuntimeException e) {
      log.debug("reading the versions of {} failed: {}", lock.table().name, e.toString());
      return null;
    }
  }

  /**
   * Paces the looks: bursts of up to {@code burst} looks in a row, and on average at most one per
   * {@code interval} (a token bucket in the form of a virtual schedule); only the watch thread.
   */
  static final class Pace {
    private final long burstNanos;
    private final long intervalNanos;
    private long next = Long.MIN_VALUE; // when the next look is due on an even schedule

    Pace(int burst, long intervalMillis) {
      this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
      this.burstNanos = burst * intervalNanos;
    }

    /** Sleeps as long as the last look used up the burst; returns at once otherwise. */
    void afterLook() throws InterruptedException {
      long now = System.nanoTime();
      next = Math.max(next, now - burstNanos) + intervalNanos;
      long wait = next - now;
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }

  private static final class Subscription implements LockWatch {
    private static final Long UNKNOWN = Long.MIN_VALUE;

    final Path file;
    final Dialect.Watched lock;
    final LockWatcher watcher;
    volatile boolean closed;
    private Long delivered = UNKNOWN; // the version last handed over; only the watch thread

    Subscription(Path file, Dialect.Watched lock, LockWatcher watcher) {
      this.file = file;
      this.lock = lock;
      this.watcher = watcher;
    }

    /**
     * Reads and delivers the row if the look's version of it is not the one delivered last (or
     * unknown), and the row read is not that one either.
     */
    void deliverIfChanged(Map<String, Long> versions) {
      Long now = versions == null ? UNKNOWN : versions.get(lock.lockName());
      if (closed || (versions != null && Objects.equals(now, delivered))) {
        return;
      }
      LockSnapshot read = lock.read().get();
      // the look may predate the row's last write: what was read is what was delivered
      Long version = read == null ? now : Long.valueOf(read.version());
      if (read != null && version.equals(delivered)) {
        return;
      }
      delivered = version;
      try {
        watcher.changed(read);
      } catch (RuntimeException e) {
        log.warn("a watcher of {} in {} threw", lock.lockName(), file, e);
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
