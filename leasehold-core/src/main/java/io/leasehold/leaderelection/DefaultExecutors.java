package io.leasehold.leaderelection;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executors shared by all electors of a JVM unless a config names its own. Threads are daemons
 * and exist only while they have work: an idle JVM with ten thousand followers holds no thread per
 * elector.
 */
final class DefaultExecutors {
  static final int MAX_LOCK_CALL_THREADS = 32;

  /**
   * Where lock calls run. They block on I/O but are bounded by their timeouts, so a pool of at most
   * {@value #MAX_LOCK_CALL_THREADS} threads, created on demand and retired when idle, serves ten
   * thousand electors; tasks queue when all are busy.
   */
  static final Executor LOCK_CALLS = boundedPool("leasehold-io", MAX_LOCK_CALL_THREADS);

  /** Where callbacks run; onStartedLeading keeps its thread for as long as it runs. */
  static final Executor CALLBACKS = cachedPool("leasehold-callback");

  private DefaultExecutors() {}

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static Executor boundedPool(String prefix, int threads) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemonThreads(prefix));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static Executor cachedPool(String prefix) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemonThreads(prefix));
    return pool;
  }
}
