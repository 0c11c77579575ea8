package io.leasehold.bench;

import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * What the candidates of one child process count: terms started and lost, renewals, failed renewal
 * attempts, and how late each renewal attempt started after it was due (a histogram in
 * milliseconds). A lost term is one that ended before the process was told to stop. JDK only.
 */
final class ElectionCounters {
  private static final int MAX_DELAY_MS = 60_000;

  final AtomicLong started = new AtomicLong();
  final AtomicLong lost = new AtomicLong();
  final AtomicLong renewals = new AtomicLong();
  final AtomicLong failedRenewals = new AtomicLong();
  final AtomicLong lateRenewals = new AtomicLong();
  private final AtomicLongArray delays = new AtomicLongArray(MAX_DELAY_MS + 1);
  private final long[] marked = new long[MAX_DELAY_MS + 1];
  private final long lateNanos;
  private volatile boolean stopping;
  private volatile LongSupplier lockCalls = () -> -1;

  /**
   * @param lateNanos a renewal attempt that starts more than this after it was due is late
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

  /** A renewal attempt that started {@code delayNanos} after it was due, and succeeded. */
  void renewed(long delayNanos) {
    renewals.incrementAndGet();
    if (delayNanos > lateNanos) {
      lateRenewals.incrementAndGet();
    }
    int ms = (int) Math.max(0, Math.min(MAX_DELAY_MS, delayNanos / 1_000_000));
    delays.incrementAndGet(ms);
  }

  /** The counters as {@code key=value} pairs; {@code mark} adds the delays since the last mark. */
  synchronized String line(boolean mark) {
    StringJoiner j = new StringJoiner(" ");
    long s = started.get();
    long l = lost.get();
    j.add("started=" + s).add("lost=" + l).add("leading=" + (s - l));
    j.add("renewals=" + renewals.get()).add("failed=" + failedRenewals.get());
    j.add("late=" + lateRenewals.get()).add("calls=" + lockCalls.getAsLong());
    if (mark) {
      StringJoiner h = new StringJoiner(",");
      for (int ms = 0; ms <= MAX_DELAY_MS; ms++) {
        long now = delays.get(ms);
        if (now != marked[ms]) {
          h.add(ms + ":" + (now - marked[ms]));
          marked[ms] = now;
        }
      }
      j.add("delays=" + h);
    }
    return j.toString();
  }
}
