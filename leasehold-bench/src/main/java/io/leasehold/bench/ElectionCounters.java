package io.leasehold.bench;

import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * What the candidates of one child process count: terms started and lost, renewals, failed renewal
 * attempts, how late each renewal attempt started after it was due and how long it took (two
 * histograms in milliseconds; an attempt that started more than 100 ms before it was due counts as
 * early). A lost term is one that ended before the process was told to stop. Each report carries
 * the process's {@code System.nanoTime()} (the machine's monotonic clock, the same in every
 * process). JDK only.
 */
final class ElectionCounters {
  /** A renewal attempt that starts more than this before it was due is early. */
  private static final long EARLY_NANOS = 100_000_000;

  final AtomicLong started = new AtomicLong();
  final AtomicLong lost = new AtomicLong();
  final AtomicLong renewals = new AtomicLong();
  final AtomicLong failedRenewals = new AtomicLong();
  final AtomicLong lateRenewals = new AtomicLong();
  final AtomicLong slowRenewals = new AtomicLong();
  final AtomicLong earlyRenewals = new AtomicLong();
  final AtomicLong slowPathRenewals = new AtomicLong();
  final AtomicLong outOfTurn = new AtomicLong();
  private final Histogram delays = new Histogram();
  private final Histogram durations = new Histogram();
  private final long lateNanos;
  private volatile boolean stopping;
  private volatile LongSupplier lockCalls = () -> -1;

  /**
   * @param lateNanos a renewal attempt that starts more than this after it was due is late, one
   *     that takes more than this is slow
   */
  ElectionCounters(long lateNanos) {
    this.lateNanos = lateNanos;
  }

  void lockCalls(LongSupplier calls) {
    this.lockCalls = calls;
  }

  void startedLeading() {
    started.incrementAndGet();
  }

  /** A term ended: lost, unless the process is stopping its candidates. */
  void stoppedLeading() {
    if (!stopping) {
      lost.incrementAndGet();
    }
  }

  void stopping() {
    stopping = true;
  }

  /**
   * A renewal attempt that succeeded, started {@code delayNanos} after it was due and took {@code
   * durationNanos}.
   */
  void renewed(long delayNanos, long durationNanos) {
    renewals.incrementAndGet();
    if (delayNanos > lateNanos) {
      lateRenewals.incrementAndGet();
    } else if (delayNanos < -EARLY_NANOS) {
      earlyRenewals.incrementAndGet();
    }
    if (durationNanos > lateNanos) {
      slowRenewals.incrementAndGet();
    }
    delays.add(delayNanos);
    durations.add(durationNanos);
  }

  /**
   * The counters as {@code key=value} pairs; {@code mark} adds the histograms of the renewals since
   * the last mark.
   */
  synchronized String line(boolean mark) {
    StringJoiner j = new StringJoiner(" ");
    long s = started.get();
    long l = lost.get();
    j.add("started=" + s).add("lost=" + l).add("leading=" + (s - l));
    j.add("renewals=" + renewals.get()).add("failed=" + failedRenewals.get());
    j.add("late=" + lateRenewals.get()).add("slow=" + slowRenewals.get());
    j.add("early=" + earlyRenewals.get()).add("readFirst=" + slowPathRenewals.get());
    j.add("outOfTurn=" + outOfTurn.get()).add("calls=" + lockCalls.getAsLong());
    j.add("at=" + System.nanoTime());
    if (mark) {
      j.add("delays=" + delays.sinceMark()).add("durations=" + durations.sinceMark());
    }
    return j.toString();
  }

  /** Counts per millisecond, 0 to 60 s (beyond counts as 60 s, below 0 as 0). */
  private static final class Histogram {
    private static final int MAX_MS = 60_000;
    private final AtomicLongArray counts = new AtomicLongArray(MAX_MS + 1);
    private final long[] marked = new long[MAX_MS + 1];

    void add(long nanos) {
      counts.incrementAndGet((int) Math.max(0, Math.min(MAX_MS, nanos / 1_000_000)));
    }

    /** The counts since the last call, as {@code ms:count,ms:count}; called under the lock. */
    String sinceMark() {
      StringJoiner h = new StringJoiner(",");
      for (int ms = 0; ms <= MAX_MS; ms++) {
        long now = counts.get(ms);
        if (now != marked[ms]) {
          h.add(ms + ":" + (now - marked[ms]));
          marked[ms] = now;
        }
      }
      return h.toString();
    }
  }
}
