package io.leasehold.leaderelection;

import java.time.Duration;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A pool whose threads exist only while there is work: a task goes to an idle thread if one is
 * waiting, otherwise to a new thread while fewer than {@code max} exist, otherwise it queues. Idle
 * threads retire after {@code keepAlive}. (A plain {@link ThreadPoolExecutor} starts a new thread
 * for every task until it has its core size, however many are idle; a cached pool has no bound.)
 * Threads are daemons named {@code <name>-<n>}.
 */
final class ElasticPool extends ThreadPoolExecutor {

  ElasticPool(String name, int max, Duration keepAlive) {
    super(
        0,
        max,
        keepAlive.toNanos(),
        TimeUnit.NANOSECONDS,
        new HandOff(),
        DefaultExecutors.daemonThreads(name),
        (task, pool) -> ((HandOff) pool.getQueue()).queue(task, pool));
    ((HandOff) getQueue()).pool = this;
  }

  /** Hands a task to a waiting thread, or asks for a new one, or queues it once at the maximum. */
  private static final class HandOff extends LinkedTransferQueue<Runnable> {
    private static final long serialVersionUID = 1L;
    private transient ThreadPoolExecutor pool;

    @Override
    public boolean offer(Runnable task) {
      if (tryTransfer(task)) {
        return true; // an idle thread took it
      }
      // false makes the pool start a thread for it, up to its maximum
      return pool.getPoolSize() >= pool.getMaximumPoolSize() && super.offer(task);
    }

    /** The pool reached its maximum between our check and its attempt to add a thread. */
    void queue(Runnable task, ThreadPoolExecutor executor) {
      if (executor.isShutdown()) {
        throw new RejectedExecutionException("the pool is shut down");
      }
      super.offer(task);
    }
  }
}
