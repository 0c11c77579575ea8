package io.leasehold.leaderelection;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * When an elector's next attempt runs: at most one is pending, and a timer on the elector's clock
 * runs it on the clock's thread (an attempt only decides and hands its lock calls over, so it never
 * blocks the timer). The elector calls it under its own monitor.
 *
 * <p>Thousands of electors started at once would all send their first attempt at the same instant
 * and queue their lock calls behind each other. So, on the real clock, at most {@value
 * #MAX_FIRST_ATTEMPTS} electors of a JVM are in their first attempt at a time; the others try again
 * a little later, spread over a few milliseconds.
 */
final class AttemptSchedule {
  /** How many electors of the JVM may be in their first attempt at once. */
  static final int MAX_FIRST_ATTEMPTS = 64;

  private static final AtomicInteger FIRST_ATTEMPTS = new AtomicInteger();
  private static final long SPREAD_NANOS = 5_000_000L;

  private final ElectionClock clock;
  private final long retryNanos;
  private final Random random;
  private final Consumer<Object> attempt;
  private ElectionClock.Timer next;
  private Object nextKey; // identifies the pending timer, so that a superseded one is ignored
  private long notBefore;
  private boolean firstDone;
  private boolean admitted;

  /**
   * @param attempt runs an attempt; it is passed the key of the timer that fired, to hand to {@link
   *     #fired}
   */
  AttemptSchedule(LeaderElectionConfig config, Consumer<Object> attempt) {
    this.clock = config.clock();
    this.retryNanos = config.retryPeriod().toNanos();
    this.random = config.random();
    this.attempt = attempt;
  }

  /** Runs the attempt {@code delayNanos} from now (no earlier than a hold-off), replacing any. */
  void in(long delayNanos) {
    cancel();
    long delay = Math.max(delayNanos, notBefore - clock.nanoTime());
    Object key = new Object();
    nextKey = key;
    next = clock.schedule(() -> attempt.accept(key), delay);
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

  /**
   * Called when a timer fires, with its key: whether it is the pending one (none is then pending
   * any more). A timer replaced while it was already firing is stale and must be ignored, or the
   * elector would run on two schedules at once.
   */
  boolean fired(Object key) {
    if (key != nextKey) {
      return false;
    }
    next = null;
    nextKey = null;
    return true;
  }

  /**
   * Whether an attempt about to run may go ahead: a first attempt over the JVM's limit is
   * rescheduled a few milliseconds later instead. One that goes ahead must be followed by {@link
   * #ended()}.
   */
  boolean admit() {
    if (firstDone || admitted || clock != ElectionClock.system()) {
      return true;
    }
    if (FIRST_ATTEMPTS.incrementAndGet() <= MAX_FIRST_ATTEMPTS) {
      admitted = true;
      return true;
    }
    FIRST_ATTEMPTS.decrementAndGet();
    in(1 + (long) (ThreadLocalRandom.current().nextDouble() * SPREAD_NANOS));
    return false;
  }

  /** Called when an attempt ended: a first attempt frees its place. */
  void ended() {
    firstDone = true;
    if (admitted) {
      admitted = false;
      FIRST_ATTEMPTS.decrementAndGet();
    }
  }

  /** Cancels the pending attempt, if any. */
  void cancel() {
    if (next != null) {
      next.cancel();
      next = null;
      nextKey = null;
    }
  }

  /** A retry period plus up to {@link LeaderElector#JITTER_FACTOR} times it, as client-go. */
  long jittered() {
    double r = random != null ? random.nextDouble() : ThreadLocalRandom.current().nextDouble();
    return retryNanos + (long) (r * LeaderElector.JITTER_FACTOR * retryNanos);
  }
}
