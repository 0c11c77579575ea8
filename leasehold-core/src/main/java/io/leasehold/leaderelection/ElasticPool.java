package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import java.time.Duration;
import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A pool whose threads exist only while there is work: a task goes to an idle thread if one is
 * waiting, otherwise to a new thread while fewer than {@code max} exist, otherwise it queues; idle
 * threads retire after {@code keepAlive}. The thread that went idle last is the one given the next
 * task, so that under a light, steady load the others stay idle and retire. (A plain {@link
 * ThreadPoolExecutor} starts a new thread for every task until it has its core size, however many
 * are idle, and hands tasks to idle threads in turn, so none retires; a cached pool has no bound.)
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
        DaemonThreads.factory(name),
        (task, pool) -> ((HandOff) pool.getQueue()).queue(task, pool));
    ((HandOff) getQueue()).pool = this;
  }

  /** How many threads wait for a task. */
  int idleThreads() {
    return ((HandOff) getQueue()).waiting();
  }

  /**
   * The pool's queue: hands a task to the thread that waited last, or declines it (so that the pool
   * starts a thread) while below the maximum, or keeps it in order until a thread asks.
   */
  private static final class HandOff extends AbstractQueue<Runnable>
      implements BlockingQueue<Runnable> {

    /** A thread waiting for a task. */
    private static final class Waiter {
      final Thread thread = Thread.currentThread();
      Runnable task;
    }

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // the last to wait first
    private ThreadPoolExecutor pool;

    @Override
    public synchronized boolean offer(Runnable task) {
      if (handToWaiter(task)) {
        return true;
      }
      if (pool.getPoolSize() < pool.getMaximumPoolSize()) {
        return false; // the pool starts a thread for it
      }
      return tasks.add(task);
    }

    /** The pool reached its maximum between our check and its attempt to add a thread. */
    synchronized void queue(Runnable task, ThreadPoolExecutor executor) {
      if (executor.isShutdown()) {
        throw new RejectedExecutionException("the pool is shut down");
      }
      if (!handToWaiter(task)) {
        tasks.add(task);
      }
    }

    private boolean handToWaiter(Runnable task) {
      Waiter w = waiters.pollFirst();
      if (w == null) {
        return false;
      }
      w.task = task;
      LockSupport.unpark(w.thread);
      return true;
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
      Waiter w;
      synchronized (this) {
        Runnable queued = tasks.poll();
        if (queued != null) {
          return queued;
        }
        w = new Waiter();
        waiters.addFirst(w);
      }
      long deadline = System.nanoTime() + unit.toNanos(timeout);
      while (true) {
        synchronized (this) {
          if (w.task != null) {
            return w.task;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0 || Thread.interrupted()) {
            waiters.remove(w);
            if (left > 0) {
              throw new InterruptedException();
            }
            return null;
          }
        }
        LockSupport.parkNanos(this, deadline - System.nanoTime());
      }
    }

    @Override
    public Runnable take() throws InterruptedException {
      Runnable task;
      do {
        task = poll(1, TimeUnit.DAYS);
      } while (task == null);
      return task;
    }

    @Override
    public void put(Runnable task) {
      offer(task);
    }

    @Override
    public boolean offer(Runnable task, long timeout, TimeUnit unit) {
      return offer(task);
    }

    synchronized int waiting() {
      return waiters.size();
    }

    @Override
    public synchronized Runnable poll() {
      return tasks.poll();
    }

    @Override
    public synchronized Runnable peek() {
      return tasks.peek();
    }

    @Override
    public synchronized int size() {
      return tasks.size();
    }

    @Override
    public synchronized Iterator<Runnable> iterator() {
      return new ArrayList<>(tasks).iterator();
    }

    @Override
    public int remainingCapacity() {
      return Integer.MAX_VALUE;
    }

    @Override
    public int drainTo(Collection<? super Runnable> into) {
      return drainTo(into, Integer.MAX_VALUE);
    }

    @Override
    public synchronized int drainTo(Collection<? super Runnable> into, int max) {
      int n = 0;
      while (n < max && !tasks.isEmpty()) {
        into.add(tasks.poll());
        n++;
      }
      return n;
    }
  }
}
