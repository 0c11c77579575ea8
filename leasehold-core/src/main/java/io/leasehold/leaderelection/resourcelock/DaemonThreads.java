package io.leasehold.leaderelection.resourcelock;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads Leasehold starts, for the elector's pools and for lock implementations (a watch's
 * listening thread, an event sender): daemons, so that they never keep a JVM alive, named so that a
 * thread dump says whose they are, and logging what escapes their task instead of printing it to
 * standard error.
 */
public final class DaemonThreads {
  private static final Logger log = LoggerFactory.getLogger(DaemonThreads.class);

  private DaemonThreads() {}

  /** A factory of daemon threads named {@code <prefix>-1}, {@code <prefix>-2}, and so on. */
  public static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return task -> daemon(prefix + "-" + n.incrementAndGet(), task);
  }

  /** Starts a daemon thread named {@code name} that runs {@code task}. */
  public static Thread start(String name, Runnable task) {
    Thread t = daemon(name, task);
    t.start();
    return t;
  }

  private static Thread daemon(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.setUncaughtExceptionHandler(
        (thread, e) -> log.error("uncaught exception in thread {}", thread.getName(), e));
    return t;
  }
}
