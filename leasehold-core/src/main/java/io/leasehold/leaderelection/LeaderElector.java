package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A candidate in a leader election: client-go's {@code LeaderElector}, algorithm for algorithm.
 *
 * <p>The candidate tries to acquire the lease every retry period (jittered). Once it holds it, it
 * renews every retry period and keeps retrying a failed renewal until the renew deadline; then it
 * stops leading. Followers take over only after a full lease duration has passed, on their own
 * monotonic clock, since they last observed the record change. The leader updates optimistically
 * (fast path) and falls back to reading the lock first (slow path) when that fails.
 *
 * <p>What Leasehold adds, each documented where it is configured: a fencing token per term, a
 * leader deadline that cancels leadership on time whatever the renew loop is doing, a keep-competing
 * mode, watch-driven followers when the lock can push changes, and a threading model with no thread
 * per elector (timers on one shared thread, lock calls on a shared pool).
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
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final ThreadLocal<Boolean> IN_CALLBACK = ThreadLocal.withInitial(() -> false);

  private enum Phase {
    NEW,
    ACQUIRING,
    LEADING,
    EXITING,
    STOPPED
  }

  /** One term of leadership. */
  private static final class Term {
    final LeadershipContext context;
    final long fencingToken;
    final CompletableFuture<Void> callbackDone = new CompletableFuture<>();
    ElectionClock.Timer deadlineTimer;
    Thread callbackThread;
    boolean interrupted;

    Term(LeadershipContext context, long fencingToken) {
      this.context = context;
      this.fencingToken = fencingToken;
    }
  }

  @FunctionalInterface
  private interface LockCall<T> {
    CompletableFuture<T> call(Lock lock, Duration timeout);
  }

  private final LeaderElectionConfig config;
  private final Lock lock;
  private final String identity;
  private final String name;
  private final String desc;
  private final ElectionClock clock;
  private final Executor executor;
  private final SerialExecutor callbacks;
  private final Executor leaderExecutor;
  private final LeaderMetric metric;
  private final long retryNanos;
  private final long renewNanos;
  private final int leaseSeconds;
  private final long authorityNanos;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  // ---- state, guarded by this
  private Phase phase = Phase.NEW;
  private volatile LeaderElectionRecord observedRecord = LeaderElectionRecord.EMPTY;
  private LockSnapshot observedSnapshot;
  private long observedTime;
  private long lastWriteSentAt;
  private long highestTokenSeen;
  private String reportedLeader = "";
  private volatile Term term;
  private Term lastTerm;
  private boolean everLed;
  private boolean stoppedOwed;
  private boolean ending;
  private boolean attemptRunning;
  private boolean attemptAgain;
  private ElectionClock.Timer nextAttempt;
  private boolean renewWindowOpen;
  private long renewWindowEnd;
  private LockWatch watch;
  private volatile String lastFailure;


  /**
   * Creates an elector (client-go's {@code NewLeaderElector}). The config was validated when built;
   * this only checks that the leader deadline leaves the leader time to renew.
   *
   * @throws IllegalArgumentException if the leader deadline is enforced and would end the leader's
   *     authority before it could renew even once
   */
  public LeaderElector(LeaderElectionConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.lock = config.lock();
    this.identity = lock.identity();
    this.name = config.name();
    this.desc = lock.describe();
    this.clock = config.clock();
    this.executor = config.executor();
    this.callbacks = new SerialExecutor(config.callbackExecutor());
    this.leaderExecutor = config.callbackExecutor();
    this.metric = config.metricsProvider().newLeaderMetric();
    this.retryNanos = config.retryPeriod().toNanos();
    this.renewNanos = config.renewDeadline().toNanos();
    long leaseNanos = config.leaseDuration().toNanos();
    this.leaseSeconds = (int) ((leaseNanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
    // followers wait leaseSeconds on their clock; the leader may act leaseSeconds / rho on its own
    this.authorityNanos =
        (long) (leaseSeconds * NANOS_PER_SECOND / config.clockRateTolerance())
            - config.leaderDeadlineMargin().toNanos()
            - lock.changeDetectionGranularity().toNanos();
    if (config.enforceLeaderDeadline() && authorityNanos <= retryNanos) {
      throw new IllegalArgumentException(
          "the leader deadline (renewDeadline - leaderDeadlineMargin - lock granularity = "
              + Duration.ofNanos(authorityNanos)
              + ") must be longer than retryPeriod ("
              + config.retryPeriod()
              + "); lengthen renewDeadline or shorten retryPeriod");
    }
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
   * Starts competing in the background. The returned future completes when the elector has
   * stopped: after leadership was lost (unless keepCompeting), or after {@link #stop()}; cancelling
   * it stops the elector.
   *
   * @throws IllegalStateException if this elector was already started
   */
  public CompletableFuture<Void> start() {
    synchronized (this) {
      if (phase != Phase.NEW) {
        throw new IllegalStateException("a LeaderElector runs only once; create a new one");
      }
      phase = Phase.ACQUIRING;
    }
    log.info("{}: trying to acquire lease {}", identity, desc);
    LockWatch w = subscribe();
    boolean closeWatch = false;
    synchronized (this) {
      if (phase == Phase.EXITING || phase == Phase.STOPPED) {
        closeWatch = true;
      } else {
        watch = w;
        if (!attemptRunning && nextAttempt == null && !ending) {
          scheduleAttempt(0);
        }
      }
    }
    if (closeWatch && w != null) {
      w.close();
    }
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
   * Runs the election on the calling thread's behalf and blocks until the elector stops (client-go's
   * {@code Run}). Interrupting the calling thread stops the elector; the method then still waits for
   * the orderly stop and returns with the interrupt flag set.
   */
  public void run() {
    start();
    boolean interrupted = false;
    while (true) {
      try {
        terminated.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        stop();
      } catch (ExecutionException e) {
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Asks the elector to stop, without waiting: leadership (if held) ends at once, then the lock is
   * released if so configured, then onStoppedLeading runs. Idempotent.
   *
   * @return a future completed when the elector has stopped
   */
  public CompletableFuture<Void> stop() {
    Term ended = null;
    boolean exitNow = false;
    synchronized (this) {
      if (phase == Phase.NEW) {
        phase = Phase.STOPPED;
        terminated.complete(null);
      } else if (!ending) {
        ending = true;
        cancelNextAttempt();
        ended = endTermLocked("the elector was stopped");
        exitNow = exitIfIdleLocked();
      }
    }
    afterTermEnded(ended);
    if (exitNow) {
      exit();
    }
    return terminated.copy();
  }

  /**
   * Stops the elector and waits until it has stopped (releasing the lock first if configured).
   * Called from one of this elector's callbacks, it only asks the elector to stop, to avoid waiting
   * on itself.
   */
  @Override
  public void close() {
    CompletableFuture<Void> stopped = stop();
    if (!IN_CALLBACK.get()) {
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
    return observedRecord.holderIdentity();
  }

  /** The last observed record, for status displays. */
  public LeaderElectionRecord getObservedRecord() {
    return observedRecord;
  }

  /** The fencing token of the current term, or empty when not leading. */
  public OptionalLong fencingToken() {
    Term t = term;
    return t == null || t.context.isCancelled()
        ? OptionalLong.empty()
        : OptionalLong.of(t.fencingToken);
  }

  /** The config this elector runs with. */
  public LeaderElectionConfig config() {
    return config;
  }

  /**
   * Health check (client-go's {@code Check}): fails when the last observed holder is this candidate
   * but the record has not been renewed for longer than leaseDuration + {@code
   * maxTolerableExpiredLease} (a stuck leader that should be restarted). Followers are healthy.
   *
   * @return the failure reason, or empty when healthy
   */
  public Optional<String> check(Duration maxTolerableExpiredLease) {
    synchronized (this) {
      if (!observedHolderIsMe()) {
        return Optional.empty();
      }
      long since = clock.nanoTime() - observedTime;
      if (since > config.leaseDuration().plus(maxTolerableExpiredLease).toNanos()) {
        return Optional.of(
            "failed election to renew leadership on lease "
                + name
                + ": last renewal "
                + Duration.ofNanos(since)
                + " ago");
      }
      return Optional.empty();
    }
  }

  // ================================================================== the loop

  /** Runs one acquire or renew attempt; started by a timer. */
  private void attempt() {
    Phase p;
    Term t;
    synchronized (this) {
      nextAttempt = null;
      if (attemptRunning || ending || (phase != Phase.ACQUIRING && phase != Phase.LEADING)) {
        return;
      }
      attemptRunning = true;
      attemptAgain = false;
      p = phase;
      t = term;
    }
    if (p == Phase.ACQUIRING) {
      acquire();
    } else {
      renew(t);
    }
  }

  // ---- acquire: try until the lease is ours

  private void acquire() {
    long deadline = clock.nanoTime() + renewNanos;
    tryAcquireOrRenew(deadline, null)
        .whenComplete((acquired, error) -> afterAcquire(Boolean.TRUE.equals(acquired), error));
  }

  private void afterAcquire(boolean acquired, Throwable error) {
    logUnexpected(error);
    maybeReportTransition();
    Term started = null;
    boolean exitNow;
    synchronized (this) {
      attemptRunning = false;
      exitNow = exitIfIdleLocked();
      if (!exitNow && phase == Phase.ACQUIRING) {
        if (acquired) {
          started = startTermLocked();
        }
        if (started != null) {
          scheduleAttempt(retryNanos);
        } else {
          scheduleAttempt(attemptAgain ? 0 : followerDelayLocked());
        }
      }
    }
    if (started != null) {
      onTermStarted(started);
    }
    if (exitNow) {
      exit();
    }
  }

  // ---- renew: every retry period; retry a failure until the renew deadline

  private void renew(Term t) {
    long now = clock.nanoTime();
    long windowEnd;
    synchronized (this) {
      if (!renewWindowOpen) {
        renewWindowOpen = true;
        renewWindowEnd = now + renewNanos;
      }
      windowEnd = renewWindowEnd;
    }
    if (now - windowEnd >= 0) {
      afterRenew(t, false, now, null);
      return;
    }
    tryAcquireOrRenew(windowEnd, t)
        .whenComplete((renewed, error) -> afterRenew(t, Boolean.TRUE.equals(renewed), now, error));
  }

  private void afterRenew(Term t, boolean renewed, long startedAt, Throwable error) {
    logUnexpected(error);
    maybeReportTransition();
    Term lost = null;
    boolean exitNow;
    boolean continues = false;
    synchronized (this) {
      attemptRunning = false;
      if (!ending && term == t) {
        long now = clock.nanoTime();
        if (renewed) {
          renewWindowOpen = false;
          t.context.extendAuthority(lastWriteSentAt + authorityNanos);
          metric.renewed(name, Duration.ofNanos(now - startedAt));
          scheduleAttempt(retryNanos);
        } else if (!observedHolderIsMe()) {
          lost = loseLocked("the lease is now held by " + describeHolder());
        } else if (now - renewWindowEnd >= 0) {
          lost = loseLocked("failed to renew the lease within renewDeadline " + config.renewDeadline());
        } else {
          metric.renewFailed(name);
          scheduleAttempt(attemptAgain ? 0 : Math.min(retryNanos, renewWindowEnd - now));
        }
      } else if (!ending && phase == Phase.ACQUIRING && nextAttempt == null) {
        // the term ended while this attempt ran; compete again
        scheduleAttempt(jittered());
      }
      continues = lost != null && !ending;
      exitNow = exitIfIdleLocked();
    }
    afterTermEnded(lost);
    if (continues) {
      notifyStoppedLeading();
    }
    if (exitNow) {
      exit();
    }
  }

  /** The leader deadline: runs on the clock's thread so that it is never queued behind work. */
  private void onDeadline(Term t) {
    Term lost;
    boolean exitNow;
    synchronized (this) {
      if (term != t) {
        return;
      }
      long left = t.context.authorityEnd() - clock.nanoTime();
      if (left > 0) {
        t.deadlineTimer = clock.schedule(() -> onDeadline(t), left);
        return;
      }
      lost =
          loseLocked(
              "leader deadline passed: no successful renewal for "
                  + Duration.ofNanos(authorityNanos));
      exitNow = exitIfIdleLocked();
    }
    afterTermEnded(lost);
    if (lost != null && !exitNow && config.keepCompeting()) {
      notifyStoppedLeading();
    }
    if (exitNow) {
      exit();
    }
  }

  // ---- tryAcquireOrRenew: one attempt, exactly as client-go

  /**
   * Tries to acquire the lease if it is not ours, or to renew it if it is.
   *
   * @param deadline monotonic time by which every lock call of this attempt must finish
   * @param leading the current term when renewing, null when acquiring
   * @return true when the lease is ours after this attempt
   */
  private CompletableFuture<Boolean> tryAcquireOrRenew(long deadline, Term leading) {
    // start is read first: it is no later than the instant the record's times describe
    long start = clock.nanoTime();
    Instant now = clock.now();

    // 1. fast path: the leader updates optimistically, assuming the record it saw last is current
    LeaderElectionRecord observed;
    LockSnapshot base;
    boolean fastPath;
    synchronized (this) {
      observed = observedRecord;
      base = observedSnapshot;
      fastPath = base != null && observedHolderIsMe() && isLeaseValid(start);
    }
    if (!fastPath) {
      return slowPath(deadline, leading, now, start);
    }
    LeaderElectionRecord renewal =
        desired(now)
            .acquireTime(observed.acquireTime())
            .leaderTransitions(observed.leaderTransitions())
            .fencingToken(leading != null ? leading.fencingToken : nextToken(observed))
            .build();
    return write(base, renewal, start, deadline, "failed to update lock optimistically")
        .thenCompose(ok -> ok ? completed(true) : slowPath(deadline, leading, now, start));
  }

  private CompletableFuture<Boolean> slowPath(
      long deadline, Term leading, Instant now, long start) {
    // 2. obtain or create the record
    return call((l, timeout) -> l.getAsync(timeout, executor), deadline)
        .handle(
            (found, error) -> {
              if (error != null) {
                logFailure("error retrieving lock " + desc, error);
                return completed(false);
              }
              if (found.isEmpty()) {
                LeaderElectionRecord created =
                    desired(now).fencingToken(nextToken(LeaderElectionRecord.EMPTY)).build();
                return write(
                    null, created, start, deadline, "error initially creating lock " + desc);
              }
              return takeOverOrRenew(found.get(), deadline, leading, now, start);
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<Boolean> takeOverOrRenew(
      LockSnapshot snapshot, long deadline, Term leading, Instant now, long start) {
    LeaderElectionRecord old = snapshot.record();
    LeaderElectionRecord.Builder next = desired(now);
    synchronized (this) {
      // 3. record obtained: restart the expiry countdown only if the record changed
      observeLocked(snapshot);
      if (old.hasHolder() && isLeaseValid(start) && !observedHolderIsMe()) {
        log.debug("{}: lock {} is held by {} and has not yet expired", identity, desc, describeHolder());
        return completed(false);
      }
      // 4. a renewal keeps acquire time and transitions; a takeover counts one more transition
      if (observedHolderIsMe()) {
        next.acquireTime(old.acquireTime()).leaderTransitions(old.leaderTransitions());
        metric.slowpathExercised(name);
      } else {
        next.leaderTransitions(old.leaderTransitions() + 1);
      }
      if (leading == null) {
        next.fencingToken(nextToken(old));
      } else if (old.fencingToken() == leading.fencingToken) {
        next.fencingToken(leading.fencingToken);
      } else {
        log.error(
            "{}: lock {} names us as holder but carries fencing token {} instead of our {};"
                + " is another process using identity {}?",
            identity,
            desc,
            old.fencingToken(),
            leading.fencingToken,
            identity);
        return completed(false);
      }
    }
    return write(snapshot, next.build(), start, deadline, "failed to update lock " + desc);
  }

  /**
   * Sends one write. {@code recordTime} is the monotonic time no later than the instant the
   * record's times describe: the leader's authority is counted from it, not from the send time,
   * because on a lock of coarse granularity an earlier write with the same bytes (the same second)
   * may already have started a follower's countdown, and a slow-path write is sent well after its
   * attempt began.
   */
  private CompletableFuture<Boolean> write(
      LockSnapshot base,
      LeaderElectionRecord record,
      long recordTime,
      long deadline,
      String failure) {
    long sentAt = Math.min(recordTime, clock.nanoTime());
    return call(
            (l, timeout) ->
                base == null
                    ? l.createAsync(record, timeout, executor)
                    : l.updateAsync(base, record, timeout, executor),
            deadline)
        .handle(
            (written, error) -> {
              if (error != null) {
                logFailure(failure, error);
                return false;
              }
              synchronized (this) {
                observedSnapshot = written;
                observedRecord = written.record();
                observedTime = clock.nanoTime();
                lastWriteSentAt = sentAt;
                highestTokenSeen = Math.max(highestTokenSeen, written.record().fencingToken());
              }
              lastFailure = null;
              return true;
            });
  }

  private LeaderElectionRecord.Builder desired(Instant now) {
    return LeaderElectionRecord.builder()
        .holderIdentity(identity)
        .leaseDurationSeconds(leaseSeconds)
        .acquireTime(now)
        .renewTime(now);
  }

  /** A token greater than any this candidate has seen, so tokens never go back. */
  private synchronized long nextToken(LeaderElectionRecord stored) {
    return Math.max(stored.fencingToken(), highestTokenSeen) + 1;
  }

  // ---- release: write an empty holder so a follower need not wait out the lease

  private CompletableFuture<Void> release() {
    CompletableFuture<Void> released = new CompletableFuture<>();
    releaseAttempt(clock.nanoTime() + renewNanos, released);
    return released;
  }

  private void releaseAttempt(long deadline, CompletableFuture<Void> released) {
    call((l, timeout) -> l.getAsync(timeout, executor), deadline)
        .whenComplete(
            (found, error) -> {
              if (error != null) {
                retryRelease(deadline, released, error);
                return;
              }
              if (found.isEmpty() || !identity.equals(found.get().record().holderIdentity())) {
                log.info("{}: lock {} is not ours any more; nothing to release", identity, desc);
                released.complete(null);
                return;
              }
              LeaderElectionRecord stored = found.get().record();
              Instant now = clock.now();
              LeaderElectionRecord empty =
                  LeaderElectionRecord.builder()
                      .leaseDurationSeconds(1)
                      .acquireTime(now)
                      .renewTime(now)
                      .leaderTransitions(stored.leaderTransitions())
                      .fencingToken(stored.fencingToken())
                      .build();
              write(found.get(), empty, clock.nanoTime(), deadline, "failed to release lock " + desc)
                  .whenComplete(
                      (ok, e) -> {
                        if (Boolean.TRUE.equals(ok)) {
                          log.info("{}: released lease {}", identity, desc);
                          released.complete(null);
                        } else {
                          retryRelease(deadline, released, e);
                        }
                      });
            });
  }

  private void retryRelease(long deadline, CompletableFuture<Void> released, Throwable error) {
    if (clock.nanoTime() + retryNanos - deadline >= 0) {
      log.warn(
          "{}: could not release lease {} within renewDeadline{}; it will expire instead",
          identity,
          desc,
          error == null ? "" : ": " + message(error));
      released.complete(null);
      return;
    }
    clock.schedule(() -> executor.execute(() -> releaseAttempt(deadline, released)), retryNanos);
  }

  // ================================================================== terms

  /** Starts a term after a successful acquisition, or returns null if it came too late to act. */
  private Term startTermLocked() {
    long authorityEnd = lastWriteSentAt + authorityNanos;
    if (config.enforceLeaderDeadline() && authorityEnd - clock.nanoTime() <= 0) {
      log.warn("{}: acquired lease {} too late to act on it; retrying", identity, desc);
      return null;
    }
    long token = observedRecord.fencingToken();
    LeadershipContext context =
        new LeadershipContext(
            identity, name, token, clock, config.enforceLeaderDeadline(), authorityEnd);
    Term t = new Term(context, token);
    term = t;
    lastTerm = t;
    everLed = true;
    phase = Phase.LEADING;
    renewWindowOpen = false;
    metric.on(name);
    if (config.enforceLeaderDeadline()) {
      t.deadlineTimer = clock.schedule(() -> onDeadline(t), authorityEnd - clock.nanoTime());
    }
    return t;
  }

  private void onTermStarted(Term t) {
    log.info("{}: acquired lease {} (fencing token {})", identity, desc, t.fencingToken);
    recordEvent("became leader");
    callbacks.execute(() -> leaderExecutor.execute(() -> runLeaderCallback(t)));
  }

  private void runLeaderCallback(Term t) {
    Thread thread = Thread.currentThread();
    String threadName = thread.getName();
    synchronized (t) {
      t.callbackThread = thread;
    }
    thread.setName("leasehold-leader-" + name);
    IN_CALLBACK.set(true);
    try {
      config.callbacks().onStartedLeading().accept(t.context);
    } catch (Throwable e) {
      log.error("{}: onStartedLeading of {} threw", identity, name, e);
    } finally {
      IN_CALLBACK.set(false);
      synchronized (t) {
        t.callbackThread = null;
        if (t.interrupted) {
          Thread.interrupted();
        }
      }
      thread.setName(threadName);
      t.callbackDone.complete(null);
    }
  }

  /** Ends the current term, if any, under the lock; its effects follow in afterTermEnded. */
  private Term endTermLocked(String reason) {
    Term t = term;
    if (t == null) {
      return null;
    }
    term = null;
    renewWindowOpen = false;
    stoppedOwed = true;
    t.context.markEnded(reason);
    if (t.deadlineTimer != null) {
      t.deadlineTimer.cancel();
    }
    metric.off(name);
    return t;
  }

  /** Leadership was lost: compete again (keepCompeting) or end the elector. */
  private Term loseLocked(String reason) {
    Term t = endTermLocked(reason);
    if (t == null) {
      return null;
    }
    cancelNextAttempt();
    if (config.keepCompeting()) {
      phase = Phase.ACQUIRING;
      stoppedOwed = false;
      if (!attemptRunning) {
        scheduleAttempt(jittered());
      }
    } else {
      ending = true;
    }
    return t;
  }

  private void afterTermEnded(Term t) {
    if (t == null) {
      return;
    }
    synchronized (t) {
      if (t.callbackThread != null) {
        t.interrupted = true;
        t.callbackThread.interrupt();
      }
    }
    t.context.fireCancelled();
    log.info("{}: stopped leading {}: {}", identity, desc, t.context.cancellationReason());
    recordEvent("stopped leading");
  }

  // ================================================================== exit

  /** Under the lock: when ending and no attempt runs, enter EXITING; the caller then calls exit(). */
  private boolean exitIfIdleLocked() {
    if (!ending || attemptRunning || phase == Phase.EXITING || phase == Phase.STOPPED) {
      return false;
    }
    phase = Phase.EXITING;
    cancelNextAttempt();
    return true;
  }

  /** Closes the watch, releases the lease if configured, then runs onStoppedLeading. */
  private void exit() {
    LockWatch w;
    Term last;
    boolean release;
    synchronized (this) {
      w = watch;
      watch = null;
      last = lastTerm;
      release = config.releaseOnCancel() && observedHolderIsMe();
    }
    if (w != null) {
      closeQuietly(w); // before the release: a watch need not report our own last write
    }
    CompletableFuture<Void> released;
    if (!release) {
      released = completed(null);
    } else {
      released =
          awaitLeaderCallback(last)
              .thenCompose(
                  returned -> {
                    if (returned) {
                      return release();
                    }
                    log.warn(
                        "{}: onStartedLeading of {} still runs after renewDeadline; not releasing,"
                            + " the lease will expire instead",
                        identity,
                        name);
                    return completed(null);
                  });
    }
    released.whenComplete((v, e) -> finish());
  }

  /** Completes with true when the last term's callback has returned, false after renewDeadline. */
  private CompletableFuture<Boolean> awaitLeaderCallback(Term last) {
    if (last == null || last.callbackDone.isDone()) {
      return completed(true);
    }
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    ElectionClock.Timer timer = clock.schedule(() -> result.complete(false), renewNanos);
    last.callbackDone.whenComplete(
        (v, e) -> {
          timer.cancel();
          result.complete(true);
        });
    return result;
  }

  private void finish() {
    boolean notify;
    synchronized (this) {
      notify = stoppedOwed || (!everLed && !config.stoppedLeadingOnlyIfLed());
      stoppedOwed = false;
    }
    metric.off(name);
    Runnable onStopped = config.callbacks().onStoppedLeading();
    callbacks.execute(
        () -> {
          if (notify) {
            runCallback("onStoppedLeading", onStopped);
          }
          synchronized (this) {
            phase = Phase.STOPPED;
          }
          log.info("{}: elector for {} stopped", identity, desc);
          terminated.complete(null);
        });
  }

  private void notifyStoppedLeading() {
    Runnable onStopped = config.callbacks().onStoppedLeading();
    callbacks.execute(() -> runCallback("onStoppedLeading", onStopped));
  }

  // ================================================================== watch

  private LockWatch subscribe() {
    try {
      return lock.watch(this::onWatchEvent).orElse(null);
    } catch (RuntimeException e) {
      log.warn("{}: could not watch lock {}; polling instead: {}", identity, desc, message(e));
      return null;
    }
  }

  /** A change pushed by the lock: followers act on it at once; the leader checks on a takeover. */
  private void onWatchEvent(LockSnapshot snapshot) {
    synchronized (this) {
      if (ending || (phase != Phase.ACQUIRING && phase != Phase.LEADING)) {
        return;
      }
      boolean now;
      if (snapshot == null) {
        now = true;
      } else if (phase == Phase.LEADING) {
        now = !identity.equals(snapshot.record().holderIdentity());
      } else {
        observeLocked(snapshot);
        now = !observedRecord.hasHolder();
      }
      if (attemptRunning) {
        attemptAgain |= now;
      } else if (now) {
        scheduleAttempt(0);
      } else if (phase == Phase.ACQUIRING) {
        scheduleAttempt(followerDelayLocked());
      }
    }
    maybeReportTransition();
  }

  // ================================================================== helpers

  private void observeLocked(LockSnapshot snapshot) {
    boolean changed = !snapshot.sameRaw(observedSnapshot);
    observedSnapshot = snapshot;
    if (changed) {
      observedRecord = snapshot.record();
      observedTime = clock.nanoTime();
      highestTokenSeen = Math.max(highestTokenSeen, observedRecord.fencingToken());
    }
  }

  private boolean observedHolderIsMe() {
    return identity.equals(observedRecord.holderIdentity());
  }

  private boolean isLeaseValid(long nanos) {
    return observedTime + observedRecord.leaseDurationSeconds() * NANOS_PER_SECOND - nanos > 0;
  }

  private String describeHolder() {
    String holder = observedRecord.holderIdentity();
    return holder.isEmpty() ? "nobody" : holder;
  }

  /**
   * When a follower tries next: at the lease's expiry if a healthy watch will report changes before
   * then, otherwise after a jittered retry period.
   */
  private long followerDelayLocked() {
    long jittered = jittered();
    LockWatch w = watch;
    if (w == null || !observedRecord.hasHolder() || observedHolderIsMe() || !w.isHealthy()) {
      return jittered;
    }
    long untilExpiry =
        observedTime
            + observedRecord.leaseDurationSeconds() * NANOS_PER_SECOND
            - clock.nanoTime();
    return untilExpiry > 0 ? untilExpiry : jittered;
  }

  private long jittered() {
    Random random = config.random();
    double r = random != null ? random.nextDouble() : ThreadLocalRandom.current().nextDouble();
    return retryNanos + (long) (r * JITTER_FACTOR * retryNanos);
  }

  private void scheduleAttempt(long delayNanos) {
    cancelNextAttempt();
    nextAttempt = clock.schedule(() -> executor.execute(this::attempt), delayNanos);
  }

  private void cancelNextAttempt() {
    if (nextAttempt != null) {
      nextAttempt.cancel();
      nextAttempt = null;
    }
  }

  private void maybeReportTransition() {
    String holder;
    synchronized (this) {
      holder = observedRecord.holderIdentity();
      if (holder.equals(reportedLeader)) {
        return;
      }
      reportedLeader = holder;
    }
    metric.leaderChanged(name, holder);
    Consumer<String> onNewLeader = config.callbacks().onNewLeader();
    if (onNewLeader != null) {
      callbacks.execute(() -> runCallback("onNewLeader", () -> onNewLeader.accept(holder)));
    }
  }

  private void runCallback(String what, Runnable callback) {
    IN_CALLBACK.set(true);
    try {
      callback.run();
    } catch (Throwable e) {
      log.error("{}: {} of {} threw", identity, what, name, e);
    } finally {
      IN_CALLBACK.set(false);
    }
  }

  private void recordEvent(String event) {
    try {
      executor.execute(
          () -> {
            try {
              lock.recordEvent(event);
            } catch (RuntimeException e) {
              log.debug("{}: could not record event '{}': {}", identity, event, message(e));
            }
          });
    } catch (RuntimeException e) {
      log.debug("{}: could not record event '{}': {}", identity, event, message(e));
    }
  }

  /**
   * Runs a lock call on the executor, bounded by {@code deadline} on this elector's clock and by the
   * config's lock-call timeout: when either passes first, the returned future fails with a
   * TimeoutException and the call's late result is ignored.
   */
  private <T> CompletableFuture<T> call(LockCall<T> op, long deadline) {
    CompletableFuture<T> result = new CompletableFuture<>();
    long untilDeadline = deadline - clock.nanoTime();
    if (untilDeadline <= 0) {
      result.completeExceptionally(new TimeoutException("no time left before the deadline"));
      return result;
    }
    long remaining = Math.min(untilDeadline, config.lockCallTimeout().toNanos());
    Duration timeout = Duration.ofNanos(remaining);
    AtomicBoolean settled = new AtomicBoolean();
    ElectionClock.Timer timer =
        clock.schedule(
            () -> {
              if (settled.compareAndSet(false, true)) {
                result.completeExceptionally(
                    new TimeoutException("lock call timed out after " + timeout));
              }
            },
            remaining);
    CompletableFuture<T> sent;
    try {
      sent = op.call(lock, timeout);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (value, failure) -> {
          timer.cancel();
          if (settled.compareAndSet(false, true)) {
            if (failure == null) {
              result.complete(value);
            } else {
              result.completeExceptionally(failure);
            }
          }
        });
    return result;
  }

  private static <T> CompletableFuture<T> completed(T value) {
    return CompletableFuture.completedFuture(value);
  }

  /** Logs a failed lock call: a new kind of failure at WARN, repeats and conflicts at DEBUG. */
  private void logFailure(String what, Throwable error) {
    Throwable cause = unwrap(error);
    String text = what + ": " + message(cause);
    if (cause instanceof LockConflictException || text.equals(lastFailure)) {
      log.debug("{}: {}", identity, text);
    } else {
      log.warn("{}: {}", identity, text);
    }
    lastFailure = text;
  }

  private void logUnexpected(Throwable error) {
    if (error != null) {
      log.error("{}: unexpected error in the election loop of {}", identity, desc, unwrap(error));
    }
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static String message(Throwable e) {
    Throwable cause = unwrap(e);
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }

  private void closeQuietly(LockWatch w) {
    try {
      w.close();
    } catch (RuntimeException e) {
      log.debug("{}: closing the watch of {} failed: {}", identity, desc, message(e));
    }
  }

  @Override
  public String toString() {
    return "LeaderElector{" + name + ", identity=" + identity + ", leader=" + isLeader() + "}";
  }
}
