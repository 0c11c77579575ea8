package io.leasehold.leaderelection;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one elector's callbacks without letting any of them hold anything back. Each runs as its
 * own task of the callback executor, handed over at the moment of its event:
 *
 * <ul>
 *   <li>{@code onStartedLeading} at once when a term starts;
 *   <li>{@code onStoppedLeading} at once when a term ends (at the end of the elector, after the
 *       release);
 *   <li>{@code onNewLeader} one at a time, in order, the latest leader only when several changes
 *       came while one call ran; a call still running after the patience (the retry period) no
 *       longer holds back the next one.
 * </ul>
 *
 * An exception thrown by a callback is logged; one thrown by {@code onStartedLeading}, or an
 * executor that refuses its task, is handed to the elector, which ends the term. A refused {@code
 * onNewLeader} or {@code onStoppedLeading} is logged as an error when it happens.
 */
final class Callbacks {
  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);
  private static final ThreadLocal<Boolean> IN_CALLBACK = ThreadLocal.withInitial(() -> false);

  private final LeaderCallbacks callbacks;
  private final Executor executor;
  private final Executor workExecutor;
  private final ElectionClock clock;
  private final long patienceNanos;
  private final String who;
  private final Supplier<String> observedLeader;
  private final Consumer<String> leaderChanged;

  // guarded by this: the onNewLeader lane
  private String reportedLeader = "";
  private String pendingLeader;
  private boolean delivering;

  /**
   * @param observedLeader the holder the elector observes now
   * @param leaderChanged told of each change first (the metric), on the same lane
   */
  Callbacks(
      LeaderElectionConfig config,
      String who,
      Supplier<String> observedLeader,
      Consumer<String> leaderChanged) {
    this.callbacks = config.callbacks();
    this.executor = config.callbackExecutor();
    // by default the leader's work gets a thread of its own, apart from the bounded callback pool
    this.workExecutor =
        executor == DefaultExecutors.CALLBACKS ? DefaultExecutors.LEADER_WORK : executor;
    this.clock = config.clock();
    this.patienceNanos = config.retryPeriod().toNanos(); // how long one callback may hold the next
    this.who = who;
    this.observedLeader = observedLeader;
    this.leaderChanged = leaderChanged;
  }

  /** Whether the calling thread is running one of the elector's callbacks. */
  static boolean inCallback() {
    return IN_CALLBACK.get();
  }

  /** Starts {@code onStartedLeading} for {@code term}; {@code failed} hears if it threw. */
  void startedLeading(Term term, String threadName, Consumer<Throwable> failed) {
    Consumer<LeadershipContext> work = callbacks.onStartedLeading();
    boolean handed =
        hand(
            workExecutor,
            "onStartedLeading",
            () -> {
              IN_CALLBACK.set(true);
              try {
                term.runWork(work, threadName);
              } catch (Throwable e) {
                log.error("{}: onStartedLeading threw; ending the term", who, e);
                failed.accept(e);
              } finally {
                IN_CALLBACK.set(false);
              }
            },
            failed);
    if (!handed) {
      term.workDone.complete(null);
    }
  }

  /**
   * Runs {@code onStoppedLeading}.
   *
   * @return completed when it returned, threw or was refused, or after the patience has passed
   */
  CompletableFuture<Void> stoppedLeading() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ElectionClock.Timer patience =
        clock.schedule(
            () -> {
              if (!done.isDone()) {
                log.warn(
                    "{}: onStoppedLeading still runs after {}; not waiting for it",
                    who,
                    Duration.ofNanos(patienceNanos));
                done.complete(null);
              }
            },
            patienceNanos);
    Runnable onStopped = callbacks.onStoppedLeading();
    Runnable task =
        () -> {
          try {
            run("onStoppedLeading", onStopped);
          } finally {
            patience.cancel();
            done.complete(null);
          }
        };
    if (!hand("onStoppedLeading", task, e -> {})) {
      patience.cancel();
      done.complete(null);
    }
    return done;
  }

  /**
   * Reports the observed holder to {@code onNewLeader} if it changed since the last report: in
   * order, coalesced. The holder is read under this object's monitor, so that a late caller never
   * reports an older holder over a newer one.
   */
  void leaderMaybeChanged() {
    synchronized (this) {
      String leader = observedLeader.get();
      if (leader.equals(reportedLeader)) {
        return;
      }
      reportedLeader = leader;
      pendingLeader = leader;
      if (delivering) {
        return;
      }
      delivering = true;
    }
    nextLeader();
  }

  private void nextLeader() {
    String leader;
    synchronized (this) {
      leader = pendingLeader;
      pendingLeader = null;
      if (leader == null) {
        delivering = false;
        return;
      }
    }
    AtomicBoolean moved = new AtomicBoolean();
    ElectionClock.Timer patience =
        clock.schedule(
            () -> {
              if (moved.compareAndSet(false, true)) {
                log.warn(
                    "{}: onNewLeader({}) still runs after {}; delivering the next change beside it",
                    who,
                    leader,
                    Duration.ofNanos(patienceNanos));
                nextLeader();
              }
            },
            patienceNanos);
    Runnable task =
        () -> {
          try {
            leaderChanged.accept(leader);
            if (callbacks.onNewLeader() != null) {
              run("onNewLeader", () -> callbacks.onNewLeader().accept(leader));
            }
          } finally {
            patience.cancel();
            if (moved.compareAndSet(false, true)) {
              nextLeader();
            }
          }
        };
    if (!hand("onNewLeader", task, e -> {})) {
      patience.cancel();
      if (moved.compareAndSet(false, true)) {
        nextLeader();
      }
    }
  }

  /** Hands {@code task} to the executor; false (logged, {@code refused} told) when refused. */
  private boolean hand(String what, Runnable task, Consumer<Throwable> refused) {
    return hand(executor, what, task, refused);
  }

  private boolean hand(Executor on, String what, Runnable task, Consumer<Throwable> refused) {
    try {
      on.execute(task);
      return true;
    } catch (RuntimeException e) {
      log.error("{}: the callback executor refused {}: {}", who, what, e.toString());
      refused.accept(e);
      return false;
    }
  }

  private void run(String what, Runnable callback) {
    IN_CALLBACK.set(true);
    try {
      callback.run();
    } catch (Throwable e) {
      log.error("{}: {} threw", who, what, e);
    } finally {
      IN_CALLBACK.set(false);
    }
  }
}
