package io.leasehold.leaderelection;

import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When an elector's next attempt runs: at most one is pending; a timer on the elector's clock hands
 * it to the lock-call executor. A refused hand-over is logged when it happens and the attempt is
 * tried again a jittered retry period later. The elector calls it under its own monitor.
 */
final class AttemptSchedule {
  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

  private final ElectionClock clock;
  private final Executor executor;
  private final long retryNanos;
  private final Random random;
  private final String who;
  private final Runnable attempt;
  private ElectionClock.Timer next;
  private long notBefore;

  AttemptSchedule(LeaderElectionConfig config, String who, Runnable attempt) {
    this.clock = config.clock();
    this.executor = config.executor();
    this.retryNanos = config.retryPeriod().toNanos();
    this.random = config.random();
    this.who = who;
    this.attempt = attempt;
  }

  /** Runs the attempt {@code delayNanos} from now (no earlier than a hold-off), replacing any. */
  void in(long delayNanos) {
    cancel();
    long delay = Math.max(delayNanos, notBefore - clock.nanoTime());
    next = clock.schedule(this::handOver, delay);
  }

  /** Runs the attempt after a retry period jittered as client-go's. */
  void inJitteredRetryPeriod() {
    in(jittered());
  }

  /** Holds every attempt off for a jittered retry period from now. */
  void holdOff() {
    notBefore = clock.nanoTime() + jittered();
  }

  /** Whether an attempt is pending. */
  boolean pending() {
    return next != null;
  }

  /** Called by the attempt when it starts: none is pending any more. */
  void started() {
    next = null;
  }

  /** Cancels the pending attempt, if any. */
  void cancel() {
    if (next != null) {
      next.cancel();
      next = null;
    }
  }

  /** A retry period plus up to {@link LeaderElector#JITTER_FACTOR} times it, as client-go. */
  long jittered() {
    double r = random != null ? random.nextDouble() : ThreadLocalRandom.current().nextDouble();
    return retryNanos + (long) (r * LeaderElector.JITTER_FACTOR * retryNanos);
  }

  private void handOver() {
    try {
      executor.execute(attempt);
    } catch (RuntimeException e) {
      log.error("{}: the executor refused an attempt: {}; retrying later", who, e.toString());
      clock.schedule(this::handOver, jittered());
    }
  }
}
