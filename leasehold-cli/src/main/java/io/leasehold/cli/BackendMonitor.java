package io.leasehold.cli;

import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports on the backend while {@code run} competes, because the elector logs a failure once and
 * then keeps retrying quietly. It reads the lock on a lock instance of its own, once at start and
 * then every probe interval, and logs each change (the backend fails, fails differently, works
 * again) at once, and a lasting problem again every report interval: its cause, the servers'
 * addresses and whether they accept connections, or for a record nobody can read, that candidates
 * keep waiting and how to repair it (leasehold repair). It never writes.
 */
final class BackendMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("leasehold");

  private final LockSpec spec;
  private final Lock lock;
  private final Duration callTimeout;
  private final Duration reportEvery;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("leasehold-monitor"));

  // touched by one thread at a time: the caller of the first probe, then the timer's
  private String problem;
  private long problemSince;
  private long reportedAt;
  private volatile boolean started;
  private volatile boolean closed;

  BackendMonitor(LockSpec spec, String identity, Duration callTimeout, Duration reportEvery) {
    this.spec = spec;
    this.lock = spec.lock(identity);
    this.callTimeout = callTimeout;
    this.reportEvery = reportEvery;
  }

  /**
   * Reads the lock now and reports; returns the failure, if any. Before {@link #start}, a
   * misconfiguration is returned without being logged: the caller refuses to run.
   */
  Optional<LockException> probe() {
    try {
      lock.get(callTimeout);
      recovered();
      return Optional.empty();
    } catch (LockException e) {
      failed(e);
      return Optional.of(e);
    } catch (RuntimeException e) {
      LockException wrapped = new LockException(Leasehold.message(e), e);
      failed(wrapped);
      return Optional.of(wrapped);
    }
  }

  /** Probes every {@code interval} from now on, in the background. */
  void start(Duration interval) {
    started = true;
    long nanos = interval.toNanos();
    timer.scheduleWithFixedDelay(this::probe, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  private void recovered() {
    if (problem != null && !closed) {
      log.info(
          "{} works again, after {}",
          spec.display(),
          Durations.format(Duration.ofNanos(System.nanoTime() - problemSince)));
      problem = null;
    }
  }

  private void failed(LockException e) {
    if (closed || !started && spec.isMisconfiguration(e)) {
      return; // closing, or the first probe's: run refuses to start and says why
    }
    long now = System.nanoTime();
    // the same problem whatever its figures (elapsed milliseconds, ports): not a change
    String key = e.getClass().getName() + Leasehold.message(e).replaceAll("\\d+", "#");
    if (!key.equals(problem)) {
      problem = key;
      problemSince = now;
      reportedAt = now;
      log.warn("{} fails: {}", spec.display(), spec.explain(e));
    } else if (now - reportedAt >= reportEvery.toNanos()) {
      reportedAt = now;
      log.warn(
          "{} still fails, for {} now: {}",
          spec.display(),
          Durations.format(Duration.ofSeconds(Duration.ofNanos(now - problemSince).toSeconds())),
          spec.explain(e));
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
  }
}
