package io.leasehold.leaderelection.resourcelock;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LockWatch} over a change stream that breaks now and then (a Kubernetes watch, an etcd
 * watch, a PostgreSQL LISTEN connection): it opens the stream through a {@link Connector}, reports
 * its health, and opens it again after every break. Every backend's watch follows its rules:
 *
 * <ul>
 *   <li><b>Health</b>: healthy from the moment the backend confirms a stream ({@link
 *       Session#opened()}) until that stream breaks or the watch closes.
 *   <li><b>Nothing missed</b>: every confirmation, the first one included, reaches the watcher as
 *       an unknown change ({@code null}), because changes made before it were not pushed; so does
 *       the break of a healthy stream. The elector then reads the lock once.
 *   <li><b>Backoff</b>: after the n-th failure in a row (a stream that could not be opened, or that
 *       broke), the next attempt waits a random time between half and all of min(250 ms ×
 *       2<sup>n−1</sup>, 10 s). The count starts again only once a stream has stayed up for 10 s,
 *       so a stream that breaks as soon as it opens backs off like one that cannot be opened.
 *   <li><b>Logging</b>: the first failure with an error, at WARN (followers poll meanwhile); the
 *       next ones, and a stream the backend ended without an error (a routine timeout), at DEBUG;
 *       the recovery after a warning, at INFO.
 *   <li><b>Errors</b>: whatever the connector, the stream or the watcher throws is caught and
 *       logged. {@link #close()} is idempotent, stops the stream and any pending attempt, and never
 *       throws.
 * </ul>
 *
 * <p>The first attempt runs on the thread that calls {@link #open}; later attempts on a small
 * shared pool of daemon threads ({@code leasehold-watch-<n>}) whose threads retire when idle.
 */
public final class ReconnectingWatch implements LockWatch {
  private static final Logger log = LoggerFactory.getLogger(ReconnectingWatch.class);

  /** The wait after the first failure in a row, before jitter. */
  static final Duration FIRST_DELAY = Duration.ofMillis(250);

  /** The longest wait between attempts, before jitter; also how long a stream must stay up. */
  static final Duration MAX_DELAY = Duration.ofSeconds(10);

  /** Opens one change stream of a backend. */
  @FunctionalInterface
  public interface Connector {
    /**
     * Opens a stream that reports to {@code session}, from any thread and even before this method
     * returns: {@link Session#opened()} once the backend confirms the stream, {@link
     * Session#changed} for every change, {@link Session#broke} when it ends. Should take no longer
     * than one request to the backend.
     *
     * @return what stops the stream; closed once, when the stream broke or the watch closed
     * @throws Exception when the stream cannot be opened: a failure, tried again after the backoff
     */
    AutoCloseable open(Session session) throws Exception;
  }

  /** Where the watch's time and its jitter come from: the system's, or a test's. */
  interface Clock {
    long nanoTime();

    /** Runs {@code task} once after {@code delayNanos}; returns what cancels it. */
    Runnable schedule(Runnable task, long delayNanos);

    /** A number drawn in [0, 1), for the jitter. */
    double random();
  }

  private final String description;
  private final LockWatcher watcher;
  private final Connector connector;
  private final Clock clock;

  // guarded by this
  private Session current;
  private int failures; // in a row
  private long openedAt;
  private Runnable pending;
  private boolean warned; // a failure was logged at WARN since the stream was last stable
  private boolean saidBack; // and its recovery at INFO

  private volatile boolean closed;
  private volatile boolean healthy;

  private ReconnectingWatch(
      String description, LockWatcher watcher, Connector connector, Clock clock) {
    this.description = description;
    this.watcher = watcher;
    this.connector = connector;
    this.clock = clock;
  }

  /**
   * Opens a watch: the first attempt runs on the calling thread, so a stream the backend confirms
   * while it opens is healthy when this returns.
   *
   * @param description what is watched, for log messages ({@code "Lease ns/name"})
   * @param watcher receives the changes, and {@code null} for an unknown change
   * @param connector opens each stream
   */
  public static ReconnectingWatch open(
      String description, LockWatcher watcher, Connector connector) {
    return open(description, watcher, connector, SystemTimer.CLOCK);
  }

  /** {@link #open} on {@code clock}. */
  static ReconnectingWatch open(
      String description, LockWatcher watcher, Connector connector, Clock clock) {
    ReconnectingWatch w = new ReconnectingWatch(description, watcher, connector, clock);
    w.attempt();
    return w;
  }

  @Override
  public boolean isHealthy() {
    return healthy;
  }

  @Override
  public void close() {
    Runnable cancel;
    AutoCloseable stream = null;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      healthy = false;
      cancel = pending;
      pending = null;
      if (current != null) {
        stream = current.stream;
        current.stream = null;
        current = null;
      }
    }
    if (cancel != null) {
      cancel.run();
    }
    closeQuietly(stream);
  }

  @Override
  public String toString() {
    return "ReconnectingWatch{" + description + ", healthy=" + healthy + "}";
  }

  /**
   * How long to wait after the {@code failures}-th failure in a row: between half and all of
   * min({@link #FIRST_DELAY} × 2<sup>failures−1</sup>, {@link #MAX_DELAY}), as {@code random} (in
   * [0, 1)) says.
   */
  static long backoffNanos(int failures, double random) {
    long full = Math.min(MAX_DELAY.toNanos(), FIRST_DELAY.toNanos() << Math.min(failures - 1, 16));
    long half = full / 2;
    return half + (long) (random * (full - half));
  }

  // ---------------------------------------------------------------- plumbing

  private void attempt() {
    Session s;
    synchronized (this) {
      pending = null;
      if (closed) {
        return;
      }
      s = new Session();
      current = s;
    }
    AutoCloseable stream;
    try {
      stream = connector.open(s);
    } catch (Exception e) {
      s.broke(e);
      return;
    }
    boolean kept;
    synchronized (this) {
      kept = current == s;
      if (kept) {
        s.stream = stream;
      }
    }
    if (!kept) {
      closeQuietly(stream); // it broke, or the watch closed, while it opened
    }
  }

  private void deliver(LockSnapshot snapshot) {
    if (closed) {
      return;
    }
    try {
      watcher.changed(snapshot);
    } catch (RuntimeException e) {
      log.warn("{}: the watcher threw", description, e);
    }
  }

  private void closeQuietly(AutoCloseable stream) {
    if (stream == null) {
      return;
    }
    try {
      stream.close();
    } catch (Exception e) {
      log.debug("{}: closing a stream failed: {}", description, e.toString());
    }
  }

  /** One stream's line to its watch; what a stream that is no longer current reports is ignored. */
  public final class Session {
    private AutoCloseable stream; // guarded by the watch

    private Session() {}

    /** The backend confirmed the stream: the watch is healthy, and the watcher reads once. */
    public void opened() {
      boolean back;
      synchronized (ReconnectingWatch.this) {
        if (current != this || healthy) {
          return;
        }
        healthy = true;
        openedAt = clock.nanoTime();
        back = warned && !saidBack;
        saidBack |= back;
      }
      if (back) {
        log.info("{}: watching again", description);
      } else {
        log.debug("{}: watching", description);
      }
      deliver(null);
    }

    /** The stream reported {@code snapshot}, or {@code null} for a change it cannot decode. */
    public void changed(LockSnapshot snapshot) {
      if (isCurrent()) {
        deliver(snapshot);
      }
    }

    /**
     * The stream ended: with {@code cause}, or {@code null} when the backend ended it without an
     * error. The watch turns unhealthy, closes the stream and opens another after the backoff.
     */
    public void broke(Throwable cause) {
      AutoCloseable ended;
      boolean wasHealthy;
      boolean warn;
      long delay;
      synchronized (ReconnectingWatch.this) {
        if (current != this) {
          return;
        }
        current = null;
        ended = stream;
        stream = null;
        wasHealthy = healthy;
        healthy = false;
        if (wasHealthy && clock.nanoTime() - openedAt >= MAX_DELAY.toNanos()) {
          failures = 0; // the stream was stable: this is a new run of failures
          warned = false;
          saidBack = false;
        }
        failures++;
        warn = cause != null && !warned;
        warned |= warn;
        saidBack &= !warn;
        delay = backoffNanos(failures, clock.random());
        pending = clock.schedule(ReconnectingWatch.this::attempt, delay);
      }
      closeQuietly(ended);
      String retry = "; trying again in " + delay / 1_000_000 + " ms";
      if (warn) {
        log.warn(
            "{}: {}: {}; polling until it is back",
            description,
            wasHealthy ? "the watch broke" : "cannot watch",
            message(cause));
      } else if (cause != null) {
        log.debug("{}: the watch failed again: {}{}", description, message(cause), retry);
      } else {
        log.debug("{}: the watch ended{}", description, retry);
      }
      if (wasHealthy) {
        deliver(null);
      }
    }

    /** Whether this is the watch's current stream (false once it broke or the watch closed). */
    public boolean isCurrent() {
      synchronized (ReconnectingWatch.this) {
        return current == this;
      }
    }
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** The shared pool that runs the attempts after the first, created when first needed. */
  private static final class SystemTimer {
    private static final ScheduledThreadPoolExecutor POOL = pool();

    static final Clock CLOCK =
        new Clock() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public Runnable schedule(Runnable task, long delayNanos) {
            ScheduledFuture<?> f = POOL.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
          }

          @Override
          public double random() {
            return ThreadLocalRandom.current().nextDouble();
          }
        };

    private static ScheduledThreadPoolExecutor pool() {
      // a few threads, so that one attempt hung on a dead server does not hold up the others
      ScheduledThreadPoolExecutor p =
          new ScheduledThreadPoolExecutor(4, DaemonThreads.factory("leasehold-watch"));
      p.setRemoveOnCancelPolicy(true);
      p.setKeepAliveTime(5, TimeUnit.SECONDS);
      p.allowCoreThreadTimeOut(true);
      return p;
    }
  }
}
