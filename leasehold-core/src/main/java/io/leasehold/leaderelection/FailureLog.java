package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.LockConflictException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs an elector's failed lock calls so that a lasting problem is seen without flooding the log: a
 * new kind of failure at WARN, its repeats at DEBUG, and again at WARN (with how often it happened)
 * every so often while it lasts; lost compare-and-swap races only at DEBUG.
 */
final class FailureLog {
  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

  private final String who;
  private final ElectionClock clock;
  private final long repeatNanos;

  /** Per kind of failure seen since the last success: when it was last warned of, and since. */
  private static final class Seen {
    long warnedAt;
    int repeats;
  }

  private static final int KINDS = 8;

  // guarded by this
  private final Map<String, Seen> seen =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
          return size() > KINDS;
        }
      };

  FailureLog(String who, ElectionClock clock, long repeatNanos) {
    this.who = who;
    this.clock = clock;
    this.repeatNanos = repeatNanos;
  }

  /** Logs that {@code what} failed with {@code error}; returns whether at WARN. */
  boolean failed(String what, Throwable error) {
    Throwable cause = BoundedCalls.unwrap(error);
    String text = what + ": " + message(cause);
    boolean warn;
    int times;
    synchronized (this) {
      long now = clock.nanoTime();
      Seen kind = seen.get(text);
      boolean repeat = kind != null;
      if (kind == null) {
        kind = new Seen();
        seen.put(text, kind);
      } else {
        kind.repeats++;
      }
      times = kind.repeats;
      warn =
          !(cause instanceof LockConflictException)
              && (!repeat || now - kind.warnedAt >= repeatNanos);
      if (warn) {
        kind.warnedAt = now;
        kind.repeats = 0;
      }
    }
    if (!warn) {
      log.debug("{}: {}", who, text);
    } else if (times > 0) {
      log.warn("{}: {} (still failing; {} more times since the last warning)", who, text, times);
    } else {
      log.warn("{}: {}", who, text);
    }
    return warn;
  }

  /** A call succeeded: the next failure is news again. */
  synchronized void succeeded() {
    seen.clear();
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
