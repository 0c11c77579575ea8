package io.leasehold.leaderelection;

import io.leasehold.leaderelection.TryAcquireOrRenew.Decision;
import io.leasehold.leaderelection.TryAcquireOrRenew.Wait;
import io.leasehold.leaderelection.TryAcquireOrRenew.Write;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One candidate's view of its lock: what it has observed, whether a watch keeps that current, and
 * the lock calls of one acquire-or-renew attempt (the fast path on the observation, the slow path
 * after a read, the compare-and-swap write), each bounded by the attempt's deadline. The decision
 * itself is {@link TryAcquireOrRenew}'s. Thread-safe; it never calls the elector back while holding
 * its own monitor.
 */
final class LockView {
  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

  private final Lock lock;
  private final ElectionClock clock;
  private final Executor executor;
  private final BoundedCalls calls;
  private final FailureLog failures;
  private final TryAcquireOrRenew decision;
  private final Runnable slowPathRenewal;
  private final String desc;

  private volatile Observation observation = Observation.NONE;
  private volatile LockWatch watch;
  private boolean mustRead = true; // guarded by this: read before trusting the observation

  /**
   * @param slowPathRenewal told when the leader renews through the slow path (the metric)
   */
  LockView(
      LeaderElectionConfig config,
      BoundedCalls calls,
      FailureLog failures,
      Runnable slowPathRenewal) {
    this.lock = config.lock();
    this.clock = config.clock();
    this.executor = config.executor();
    this.calls = calls;
    this.failures = failures;
    this.decision = new TryAcquireOrRenew(lock.identity(), config.leaseSeconds());
    this.slowPathRenewal = slowPathRenewal;
    this.desc = lock.describe();
  }

  /** What the candidate has observed last. */
  Observation observation() {
    return observation;
  }

  /** Whether a healthy watch reports changes, so that a follower need not poll. */
  boolean watched() {
    LockWatch w = watch;
    return w != null && w.isHealthy();
  }

  /**
   * How long a follower waits before its next attempt: until the observed lease expires, when a
   * healthy watch will report any change before then; otherwise {@code poll}, the jittered retry
   * period.
   */
  long followerDelay(long now, long poll) {
    Observation o = observation;
    if (!o.record().hasHolder() || holderIsMe(o.snapshot()) || !watched()) {
      return poll;
    }
    long untilExpiry = o.untilExpiry(now);
    return untilExpiry > 0 ? untilExpiry : poll;
  }

  /** Records an event on the lock, off the caller's thread; a failure is only logged. */
  void recordEvent(String event) {
    offload(
        () -> {
          try {
            lock.recordEvent(event);
          } catch (RuntimeException e) {
            log.debug("{}: could not record event '{}': {}", lock.identity(), event, e.toString());
          }
        },
        "recording an event");
  }

  /** Runs {@code task} on the lock-call executor; a refusal is logged when it happens. */
  void offload(Runnable task, String what) {
    try {
      executor.execute(task);
    } catch (RuntimeException e) {
      log.error(
          "{}: the executor refused {} for {}: {}", lock.identity(), what, desc, e.toString());
    }
  }

  /**
   * Runs one attempt: client-go's tryAcquireOrRenew with its lock calls.
   *
   * @param start monotonic time at which the attempt started; the record carries its wall time
   * @param deadline monotonic time by which every call of the attempt must be done
   * @param term the fencing token of the term being renewed, or 0 when acquiring
   * @return true when this candidate holds the lease after the attempt
   */
  CompletableFuture<Boolean> attempt(long start, Instant wallStart, long deadline, long term) {
    boolean trusted;
    synchronized (this) {
      trusted = !mustRead && term == 0;
    }
    boolean watchCurrent = trusted && watched(); // the watch's own code runs outside our monitor
    Optional<Decision> fast =
        decision.withoutRead(observation, start, wallStart, term, watchCurrent);
    if (fast.isEmpty()) {
      return slowPath(start, wallStart, deadline, term);
    }
    return act(fast.get(), deadline)
        .thenCompose(ok -> ok ? completed(true) : slowPath(start, wallStart, deadline, term));
  }

  private CompletableFuture<Boolean> slowPath(
      long start, Instant wallStart, long deadline, long term) {
    return calls
        .run((timeout, ex) -> lock.getAsync(timeout, ex), deadline)
        .handle(
            (read, error) -> {
              if (error != null) {
                failures.failed("error retrieving lock " + desc, error);
                return completed(false);
              }
              Decision d;
              synchronized (this) {
                if (read.isPresent()) {
                  observation = observation.observe(read.get(), clock.nanoTime());
                }
                mustRead = false;
                d = decision.afterRead(observation, read, start, wallStart, term);
              }
              if (d instanceof Write && read.isPresent() && holderIsMe(read.get())) {
                slowPathRenewal.run(); // client-go's slowpathExercised: the holder had to read
              }
              return act(d, deadline);
            })
        .thenCompose(f -> f);
  }

  /** Carries out a decision: true when the write it asked for succeeded. */
  private CompletableFuture<Boolean> act(Decision d, long deadline) {
    if (d instanceof Wait w) {
      if (w.alarming()) {
        failures.failed("not writing lock " + desc, new IllegalStateException(w.reason()));
      } else {
        log.debug("{}: {} ({})", lock.identity(), w.reason(), desc);
      }
      return completed(false);
    }
    Write w = (Write) d;
    LockSnapshot base = w.base();
    LeaderElectionRecord record = w.record();
    return calls
        .run(
            (timeout, ex) ->
                base == null
                    ? lock.createAsync(record, timeout, ex)
                    : lock.updateAsync(base, record, timeout, ex),
            deadline)
        .handle(
            (written, error) -> {
              if (error != null) {
                String what = base == null ? "error initially creating lock " : "failed to update";
                failures.failed(what + (base == null ? desc : " lock " + desc), error);
                return false;
              }
              written(written);
              return true;
            });
  }

  /** This candidate wrote {@code s}: it is the observation now. */
  synchronized void written(LockSnapshot s) {
    observation = observation.written(s, clock.nanoTime());
    failures.succeeded();
  }

  /**
   * A snapshot pushed by the watch: a follower observes it (null: something changed that must be
   * read). Returns whether the follower should attempt at once (a released or expired lease, or an
   * unknown change).
   */
  synchronized boolean pushed(LockSnapshot s, boolean follower) {
    if (s == null) {
      mustRead = true;
      return true;
    }
    if (!follower) {
      return !holderIsMe(s);
    }
    long now = clock.nanoTime();
    observation = observation.observe(s, now);
    return !observation.record().hasHolder() || !observation.leaseValid(now);
  }

  /**
   * Opens the watch, off the elector's caller thread.
   *
   * @return false when the lock cannot push changes (the elector then polls)
   */
  boolean subscribe(LockWatcher watcher) {
    try {
      LockWatch w = lock.watch(watcher).orElse(null);
      synchronized (this) {
        mustRead = true; // changes before the watch started were not pushed
        watch = w;
      }
      return w != null;
    } catch (RuntimeException e) {
      log.warn(
          "{}: could not watch lock {}; polling instead: {}",
          lock.identity(),
          desc,
          FailureLog.message(e));
      return false;
    }
  }

  /** Closes the watch, if any. Idempotent. */
  void closeWatch() {
    LockWatch w;
    synchronized (this) {
      w = watch;
      watch = null;
    }
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.debug("{}: closing the watch of {} failed: {}", lock.identity(), desc, e.toString());
      }
    }
  }

  private boolean holderIsMe(LockSnapshot s) {
    return s.record().holderIdentity().equals(lock.identity());
  }

  private static <T> CompletableFuture<T> completed(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
