package io.leasehold.leaderelection;

import java.time.Duration;
import java.time.Instant;

/**
 * All the time a {@link LeaderElector} uses: wall-clock instants for the timestamps it writes into
 * records, a monotonic clock for every duration it measures, and timers. Inject {@code FakeClock}
 * (leasehold-testing) to run elections in virtual time; production code uses {@link #system()}.
 *
 * <p>The elector never compares wall-clock times across candidates: lease expiry is judged on the
 * monotonic clock, from the moment a change was observed locally, so wall-clock skew between hosts
 * does not matter (only the rate at which their clocks run).
 */
public interface ElectionClock {

  /** The wall-clock time, written into records as acquire and renew times. */
  Instant now();

  /** A monotonic reading in nanoseconds, for durations only (like {@link System#nanoTime()}). */
  long nanoTime();

  /**
   * Runs {@code task} once, {@code delayNanos} from now on this clock. The task must be short: the
   * elector only hands work to its executor from timers.
   */
  Timer schedule(Runnable task, long delayNanos);

  /** Runs {@code task} once after {@code delay}. */
  default Timer schedule(Runnable task, Duration delay) {
    return schedule(task, delay.toNanos());
  }

  /** A scheduled task. */
  interface Timer {
    /** Cancels the task if it has not run yet. Idempotent. */
    void cancel();
  }

  /**
   * The real clock: {@link Instant#now()}, {@link System#nanoTime()}, and one shared daemon timer
   * thread for all electors in the JVM.
   */
  static ElectionClock system() {
    return SystemClock.INSTANCE;
  }
}
