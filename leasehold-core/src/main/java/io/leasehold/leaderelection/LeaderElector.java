package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A candidate in a leader election: client-go's {@code LeaderElector}, algorithm for algorithm.
 *
 * <p>The candidate tries to acquire the lease every retry period (jittered). Once it holds it, it
 * renews every retry period and keeps retrying a failed renewal until the renew deadline; then it
 * stops leading. Followers take over only after a full lease duration has passed, on their own
 * monotonic clock, since they last observed the record change. What one attempt writes is decided
 * by {@link TryAcquireOrRenew}; this class is the driver: it schedules attempts, holds the state
 * ({@code NEW → FOLLOWING ⇄ LEADING → STOPPING → STOPPED}), starts and ends terms, and delivers the
 * callbacks.
 *
 * <p>What Leasehold adds, each documented where it is configured: a fencing token per term, a
 * leader deadline that cancels leadership on time whatever the renew loop is doing, a
 * keep-competing mode, watch-driven followers, and no thread per elector (timers on one shared
 * thread, lock calls and callbacks on shared pools).
 *
 * <pre>{@code
 * LeaderElector elector = new LeaderElector(config);
 * elector.run();                      // blocks until leadership is lost or the elector is stopped
 * // or
 * CompletableFuture<Void> done = elector.start();
 * ...
 * elector.close();                    // stops, releases if configured, waits until stopped
 * }</pre>
 *
 * <p>An elector runs once; create a new one to compete again. Thread-safe.
 */
public final class LeaderElector implements AutoCloseable {

  /** The jitter factor of acquisition retries, as in client-go. */
  public static final double JITTER_FACTOR = 1.2;

  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

  /** A failure that lasts is logged at WARN again every this many retry periods. */
  private static final int REPEAT_WARNING_PERIODS = 10;

  private enum State {
    NEW,
    FOLLOWING,
    LEADING,
    STOPPING,
    STOPPED
  }

  /** What the elector does once a term has ended. */
  private enum Then {
    /** Stop (the elector was stopped). */
    EXIT,
    /** As the config's {@link WhenLost} says (leadership was lost). */
    LOST,
    /** Compete again (the leader yielded). */
    COMPETE
  }

  /** One acquire-or-renew attempt: when it started, and the term it renews (null: acquiring). */
  private record Attempt(long start, Instant wallStart, long deadline, Term term) {}

  private final LeaderElectionConfig config;
  private final String identity;
  private final String name;
  private final String desc;
  private final ElectionClock clock;
  private final LockView view;
  private final Callbacks callbacks;
  private final Release release;
  private final AttemptSchedule schedule;
  private final LeaderMetric metric;
  private final long retryNanos;
  private final long renewNanos;
  private final long authorityNanos;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  // ---- state, guarded by this
  private State state = State.NEW;
  private volatile Term term; // the current term, while LEADING
  private Term lastTerm; // the latest term, current or ended
  private Attempt inFlight;
  private boolean again; // an event asked for another attempt while one was in flight
  private long stopDeadline;
  private String workFailure; // why onStartedLeading failed, reported by check()

  /**
   * Creates an elector (client-go's {@code NewLeaderElector}). The config was validated when built;
   * this only checks that the leader deadline leaves the leader time to renew.
   *
   * @throws IllegalArgumentException if the leader deadline is enforced and would end the leader's
   *     authority before it could renew even once
   */
  public LeaderElector(LeaderElectionConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    Lock lock = config.lock();
    this.identity = lock.identity();
    this.name = config.name();
    this.desc = lock.describe();
    this.clock = config.clock();
    this.metric = config.metricsProvider().newLeaderMetric();
    this.retryNanos = config.retryPeriod().toNanos();
    this.renewNanos = config.renewDeadline().toNanos();
    this.authorityNanos = config.authorityNanos(lock.changeDetectionGranularity());
    BoundedCalls calls = new BoundedCalls(clock, config.executor(), config.lockCallTimeout());
    String who = identity + " (" + name + ")";
    FailureLog failures = new FailureLog(who, clock, REPEAT_WARNING_PERIODS * retryNanos);
    this.view = new LockView(config, calls, failures, () -> metric.slowpathExercised(name));
    this.release = new Release(config, calls, failures, view);
    this.callbacks =
        new Callbacks(
            config, who, () -> view.observation().holder(), l -> metric.leaderChanged(name, l));
    this.schedule = new AttemptSchedule(config, this::attempt);
    metric.off(name);
    if (config.watchDog() != null) {
      config.watchDog().setLeaderElection(this);
    }
  }

  /**
   * Creates an elector from {@code config} and runs it until leadership is lost or the calling
   * thread is interrupted (client-go's {@code RunOrDie}; an invalid config already failed to
   * build).
   */
  public static void runOrDie(LeaderElectionConfig config) {
    new LeaderElector(config).run();
  }

  // ================================================================== lifecycle

  /**
   * Starts competing in the background and returns at once: every backend call, opening the watch
   * included, runs off the caller's thread. The returned future completes when the elector has
   * stopped: after leadership was lost (unless {@link WhenLost#COMPETE_AGAIN}), or after {@link
   * #stop()}; cancelling it stops the elector.
   *
   * @throws IllegalStateException if this elector was already started
   */
  public CompletableFuture<Void> start() {
    synchronized (this) {
      if (state != State.NEW) {
        throw new IllegalStateException("a LeaderElector runs only once; create a new one");
      }
      state = State.FOLLOWING;
      schedule.in(0);
    }
    log.debug("{}: trying to acquire lease {}", identity, desc);
    view.offload(this::subscribe, "opening the watch");
    CompletableFuture<Void> handle =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            stop();
            return cancelled;
          }
        };
    terminated.whenComplete((v, e) -> handle.complete(null));
    return handle;
  }

  /**
   * Runs the election on the calling thread's behalf and blocks until the elector stops
   * (client-go's {@code Run}). Interrupting the calling thread stops the elector; the method then
   * still waits for the orderly stop and returns with the interrupt flag set.
   */
  public void run() {
    start();
    try {
      terminated.get();
    } catch (InterruptedException e) {
      stop().join();
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // never completed exceptionally
    }
  }

  /**
   * Asks the elector to stop, without waiting: leadership (if held) ends at once, then the lock is
   * released if so configured (once onStartedLeading has returned, within renewDeadline), then
   * onStoppedLeading runs. Idempotent.
   *
   * @return a future completed when the elector has stopped
   */
  public CompletableFuture<Void> stop() {
    boolean stopping;
    synchronized (this) {
      stopping = state == State.FOLLOWING || state == State.LEADING;
      if (state == State.NEW) {
        state = State.STOPPED;
        terminated.complete(null);
      }
    }
    if (stopping) {
      endTerm(term, "the elector was stopped", Then.EXIT);
    }
    return terminated.copy();
  }

  /**
   * Stops the elector and waits until it has stopped: at most renewDeadline (for the leader's work
   * to return and the release) plus retryPeriod (for onStoppedLeading), whatever the callbacks do.
   * Called from one of this elector's callbacks, it only asks the elector to stop, to avoid waiting
   * on itself.
   */
  @Override
  public void close() {
    CompletableFuture<Void> stopped = stop();
    if (!Callbacks.inCallback()) {
      stopped.join();
    }
  }

  // ================================================================== queries

  /**
   * Whether this candidate is the acting leader: it holds a term that has not ended and whose
   * deadline has not passed.
   */
  public boolean isLeader() {
    Term t = term;
    return t != null && !t.context.isCancelled();
  }

  /**
   * The identity of the last observed holder, or the empty string when none was observed or the
   * lock was released (client-go's {@code GetLeader}); informational.
   */
  public String getLeader() {
    return view.observation().holder();
  }

  /** The last observed record, for status displays. */
  public LeaderElectionRecord getObservedRecord() {
    return view.observation().record();
  }

  /** The fencing token of the current term, or empty when not leading. */
  public OptionalLong fencingToken() {
    Term t = term;
    return t == null || t.context.isCancelled() ? OptionalLong.empty() : OptionalLong.of(t.token);
  }

  /** The config this elector runs with. */
  public LeaderElectionConfig config() {
    return config;
  }

  /**
   * Health check (client-go's {@code Check}): fails when the last observed holder is this candidate
   * but the record has not been renewed for longer than leaseDuration + {@code
   * maxTolerableExpiredLease} (a stuck leader that should be restarted), and, until a new term
   * starts, after the leader's work ({@code onStartedLeading}) failed. Followers are otherwise
   * healthy.
   *
   * @return the failure reason, or empty when healthy
   */
  public Optional<String> check(Duration maxTolerableExpiredLease) {
    synchronized (this) {
      if (workFailure != null) {
        return Optional.of(workFailure);
      }
    }
    Duration tolerated = config.leaseDuration().plus(maxTolerableExpiredLease);
    return HealthzAdaptor.stuckLeader(view.observation(), identity, name, clock, tolerated);
  }

  // ================================================================== the loop

  /** Runs one acquire or renew attempt; started by a timer, on the clock's thread. */
  private void attempt(Object timer) {
    Attempt a;
    synchronized (this) {
      if (!schedule.fired(timer)
          || inFlight != null
          || (state != State.FOLLOWING && state != State.LEADING)
          || !schedule.admit()) {
        return;
      }
      long now = clock.nanoTime();
      Term t = term;
      a =
          new Attempt(
              now, clock.now(), t != null ? t.renewBy(now, renewNanos) : now + renewNanos, t);
      inFlight = a;
      again = false;
    }
    view.attempt(a.start(), a.wallStart(), a.deadline(), a.term() == null ? 0 : a.term().token)
        .whenComplete((won, error) -> afterAttempt(a, Boolean.TRUE.equals(won), error));
  }

  private void afterAttempt(Attempt a, boolean won, Throwable error) {
    if (error != null) {
      log.error("{}: unexpected error in the election loop of {}", identity, desc, error);
    }
    callbacks.leaderMaybeChanged();
    Term renewing = a.term();
    Term started = null;
    String lost = null;
    boolean exitNow = false;
    synchronized (this) {
      inFlight = null;
      schedule.ended();
      long now = clock.nanoTime();
      if (state == State.STOPPING) {
        exitNow = true;
      } else if (renewing == null) { // acquiring
        started = won && state == State.FOLLOWING ? startTermLocked(a, now) : null;
        long poll = schedule.jittered();
        schedule.in(started != null ? retryNanos : again ? 0 : view.followerDelay(now, poll));
      } else if (term != renewing) { // the term ended while this attempt ran
        if (state == State.FOLLOWING && !schedule.pending()) {
          schedule.inJitteredRetryPeriod();
        }
      } else if (won) {
        // the record carries the attempt's start time: authority counts from then (SAFETY.md)
        renewing.renewed(a.start() + authorityNanos);
        schedule.in(retryNanos);
      } else if (!view.observation().holder().equals(identity)) {
        String holder = view.observation().holder();
        lost = "the lease is now held by " + (holder.isEmpty() ? "nobody" : holder);
      } else if (renewing.renewalOverdue(now)) {
        lost = "failed to renew the lease within renewDeadline " + config.renewDeadline();
      } else {
        schedule.in(again ? 0 : Math.min(retryNanos, renewing.untilRenewalOverdue(now)));
      }
    }
    if (renewing != null && !exitNow) {
      if (won) {
        metric.renewed(name, Duration.ofNanos(clock.nanoTime() - a.start()));
      } else if (lost == null) {
        metric.renewFailed(name);
      }
    }
    if (started != null) {
      onTermStarted(started);
    } else if (lost != null) {
      endTerm(renewing, lost, Then.LOST);
    } else if (exitNow) {
      exit();
    }
  }

  // ================================================================== terms

  /** Starts a term after a successful acquisition, or returns null if it came too late to act. */
  private Term startTermLocked(Attempt a, long now) {
    // the record carries the attempt's start time: authority counts from then (docs/SAFETY.md)
    long authorityEnd = a.start() + authorityNanos;
    if (config.enforceLeaderDeadline() && authorityEnd - now <= 0) {
      log.warn("{}: acquired lease {} too late to act on it; retrying", identity, desc);
      return null;
    }
    long token = view.observation().record().fencingToken();
    term = Term.start(config, identity, token, authorityEnd, this::onDeadline);
    lastTerm = term;
    workFailure = null;
    state = State.LEADING;
    return term;
  }

  private void onTermStarted(Term t) {
    metric.on(name);
    log.info("{}: acquired lease {} (fencing token {})", identity, desc, t.token);
    view.recordEvent("became leader");
    callbacks.startedLeading(t, "leasehold-leader-" + name, e -> onWorkFailed(t, e));
  }

  /** The leader deadline: runs on the clock's thread so that it is never queued behind work. */
  private void onDeadline(Term t) {
    synchronized (this) {
      if (term == t && t.deadlineMoved()) {
        return; // renewed meanwhile
      }
    }
    String reason =
        "leader deadline passed: no successful renewal for " + Duration.ofNanos(authorityNanos);
    endTerm(t, reason, Then.LOST);
  }

  /** onStartedLeading threw or could not start: the term ends, released, as WhenLost says. */
  private void onWorkFailed(Term t, Throwable e) {
    synchronized (this) {
      workFailure = "onStartedLeading of " + name + " failed: " + e;
      schedule.holdOff(); // do not take the lease straight back
    }
    if (endTerm(t, "onStartedLeading failed: " + e, Then.LOST) && config.releaseOnCancel()) {
      release.after(t.workDone, clock.nanoTime() + renewNanos);
    }
  }

  /**
   * Gives up leadership without stopping (Spring Integration's {@code Context.yield()}): the term
   * ends, the lease is released once the work has returned (whatever releaseOnCancel says), and
   * this candidate competes again after a jittered retry period, so that another takes over first.
   * Does nothing when not leading.
   *
   * @return completed when the release was written, or given up on by renewDeadline
   */
  public CompletableFuture<Void> yieldLeadership() {
    Term t = term;
    synchronized (this) {
      if (t == null || term != t) {
        return completed(null);
      }
      schedule.holdOff();
    }
    return endTerm(t, "yielded", Then.COMPETE)
        ? release.after(t.workDone, clock.nanoTime() + renewNanos)
        : completed(null);
  }

  /**
   * Ends term {@code t} if it is still the current one (any term when exiting), then competes again
   * or exits as {@code then} says. The term's context is cancelled, its work interrupted, and
   * onStoppedLeading delivered (at exit, after the release).
   *
   * @return whether the elector goes on competing
   */
  private boolean endTerm(Term t, String reason, Then then) {
    boolean stopping = then == Then.EXIT;
    boolean exitNow = false;
    boolean competing;
    Term ended = null;
    synchronized (this) {
      if (state != State.FOLLOWING && state != State.LEADING) {
        return false;
      }
      if (term != null && (term == t || stopping)) {
        ended = term;
        term = null;
        ended.end(reason);
      } else if (!stopping) {
        return false; // that term had ended already
      }
      competing = then == Then.COMPETE || then == Then.LOST && config.whenLost().competes();
      if (ended != null) {
        ended.stopDelivered = competing; // otherwise delivered at exit, after the release
      }
      schedule.cancel();
      if (competing) {
        state = State.FOLLOWING;
        if (inFlight == null) {
          schedule.inJitteredRetryPeriod();
        }
      } else {
        state = State.STOPPING;
        stopDeadline = clock.nanoTime() + renewNanos;
        exitNow = inFlight == null; // otherwise the attempt in flight exits when it ends
      }
    }
    if (ended != null) {
      ended.cancelWork();
      metric.off(name);
      log.info("{}: stopped leading {}: {}", identity, desc, ended.context.cancellationReason());
      view.recordEvent("stopped leading");
      if (competing) {
        callbacks.stoppedLeading();
      }
    }
    if (exitNow) {
      exit();
    }
    return competing;
  }

  // ================================================================== exit

  /**
   * Releases the lease if configured (once the last term's work has returned, by the stop
   * deadline), closes the watch (after the release: closing a watch while its server sends it our
   * own release must not delay that release), then delivers onStoppedLeading and completes.
   */
  private void exit() {
    Term last;
    long deadline;
    synchronized (this) {
      last = lastTerm;
      deadline = stopDeadline;
    }
    CompletableFuture<Void> work = last == null ? completed(null) : last.workDone;
    boolean notify = last != null ? !last.stopDelivered : config.stoppedLeading().evenIfNeverLed();
    (config.releaseOnCancel() ? release.after(work, deadline) : completed(null))
        .thenRun(view::closeWatch)
        .thenCompose(v -> notify ? callbacks.stoppedLeading() : completed(null))
        .whenComplete(
            (v, e) -> {
              synchronized (this) {
                state = State.STOPPED;
              }
              metric.off(name);
              log.debug("{}: elector for {} stopped", identity, desc);
              terminated.complete(null);
            });
  }

  // ================================================================== watch

  private void subscribe() {
    if (view.subscribe(this::onWatchEvent) && !running()) {
      view.closeWatch(); // stopped meanwhile: exit may have closed the watch before it opened
    }
  }

  private synchronized boolean running() {
    return state == State.FOLLOWING || state == State.LEADING;
  }

  /** A change pushed by the lock: followers act on it at once; the leader checks a takeover. */
  private void onWatchEvent(LockSnapshot snapshot) {
    synchronized (this) {
      if (state != State.FOLLOWING && state != State.LEADING) {
        return;
      }
      boolean attemptNow = view.pushed(snapshot, state == State.FOLLOWING);
      if (inFlight != null) {
        again |= attemptNow;
      } else if (attemptNow) {
        schedule.in(0);
      } else if (state == State.FOLLOWING) {
        schedule.in(view.followerDelay(clock.nanoTime(), schedule.jittered()));
      }
    }
    callbacks.leaderMaybeChanged();
  }

  // ================================================================== helpers

  private static <T> CompletableFuture<T> completed(T value) {
    return CompletableFuture.completedFuture(value);
  }

  @Override
  public String toString() {
    return "LeaderElector{" + name + ", identity=" + identity + ", leader=" + isLeader() + "}";
  }
}
