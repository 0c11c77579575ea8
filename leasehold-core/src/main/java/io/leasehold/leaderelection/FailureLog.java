package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.LockConflictException;
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

  // guarded by this
  private String last;
  private long warnedAt;
  private int repeats;

  FailureLog(String who, ElectionClock clock, long repeatNanos) {
    this.who = who;
    this.clock = clock;
    this.repeatNanos = repeatNanos;
  }

  /** Logs that {@code what} failed with {@code error}. */
  void failed(String what, Throwable error) {
    Throwable cause = BoundedCalls.unwrap(error);
    String text = what + ": " + message(cause);
    boolean warn;
    int times;
    synchronized (this) {
      long now = clock.nanoTime();
      boolean repeat = text.equals(last);
      repeats = repeat ? repeats + 1 : 0;
      times = repeats;
      warn =
          !(cause instanceof LockConflictException) && (!repeat || now - warnedAt >= repeatNanos);
      if (warn) {
        warnedAt = now;
        repeats = 0;
      }
      last = text;
    }
    if (!warn) {
      log.debug("{}: {}", who, text);
    } else if (times > 0) {
      log.warn("{}: {} (still failing; {} more times since the last warning)", who, text, times);
    } else {
      log.warn("{}: {}", who, text);
    }
  }

  /** A call succeeded: the next failure is news again. */
  synchronized void succeeded() {
    last = null;
    repeats = 0;
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
