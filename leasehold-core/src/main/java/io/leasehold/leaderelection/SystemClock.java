package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The real clock, with one shared daemon timer thread, which retires when no timer is pending and
 * comes back with the next one.
 */
final class SystemClock implements ElectionClock {
  static final SystemClock INSTANCE = new SystemClock();

  private final ScheduledThreadPoolExecutor timer;

  private SystemClock() {
    timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("leasehold-timer"));
    // thousands of electors reschedule timers constantly: drop cancelled ones at once
    timer.setRemoveOnCancelPolicy(true);
    // no thread while no timer is pending (every elector closed)
    timer.setKeepAliveTime(DefaultExecutors.KEEP_ALIVE.toNanos(), TimeUnit.NANOSECONDS);
    timer.allowCoreThreadTimeOut(true);
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Timer schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> f = timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public String toString() {
    return "ElectionClock.system()";
  }
}
