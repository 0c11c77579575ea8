package io.leasehold.leaderelection;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One term of leadership: its context and token, its leader deadline, its renew cycle, and the
 * thread running {@code onStartedLeading} (interrupted when the term ends). The elector changes it
 * under its own monitor; the work thread's fields are guarded by the term itself.
 */
final class Term {
  final LeadershipContext context;
  final long token;

  /** Completed when {@code onStartedLeading} has returned (or thrown, or could not start). */
  final CompletableFuture<Void> workDone = new CompletableFuture<>();

  /** The timer that ends the term at its leader deadline; null when the deadline is off. */
  private ElectionClock.Timer deadlineTimer;

  private Consumer<Term> onDeadline;

  // the renew cycle: open from the first renewal attempt after a success, until renewDeadline
  private boolean renewing;
  private long renewBy;

  /** Whether onStoppedLeading was delivered for this term already. */
  boolean stopDelivered;

  private Thread workThread;
  private boolean interrupted;

  Term(LeadershipContext context) {
    this.context = context;
    this.token = context.fencingToken();
  }

  /**
   * A new term of {@code identity} with {@code token}, whose authority ends at {@code authorityEnd}
   * (monotonic); with the leader deadline enforced, a timer calls {@code onDeadline} then.
   */
  static Term start(
      LeaderElectionConfig config,
      String identity,
      long token,
      long authorityEnd,
      Consumer<Term> onDeadline) {
    ElectionClock clock = config.clock();
    boolean enforced = config.enforceLeaderDeadline();
    Term t =
        new Term(
            new LeadershipContext(identity, config.name(), token, clock, enforced, authorityEnd));
    if (enforced) {
      t.onDeadline = onDeadline;
      t.deadlineTimer = clock.schedule(() -> onDeadline.accept(t), authorityEnd - clock.nanoTime());
    }
    return t;
  }

  /**
   * Called when the deadline timer fires: whether the deadline has moved since (a renewal), in
   * which case the timer is set again for it.
   */
  boolean deadlineMoved() {
    ElectionClock clock = clock();
    long left = context.authorityEnd() - clock.nanoTime();
    if (left <= 0) {
      return false;
    }
    deadlineTimer = clock.schedule(() -> onDeadline.accept(this), left);
    return true;
  }

  private ElectionClock clock() {
    return context.clock();
  }

  /**
   * The end of the current renew cycle (client-go retries a renewal until renewDeadline from the
   * cycle's first attempt), opening a cycle at {@code now} if none is open.
   */
  long renewBy(long now, long renewNanos) {
    if (!renewing) {
      renewing = true;
      renewBy = now + renewNanos;
    }
    return renewBy;
  }

  /** Whether the renew cycle has run out at {@code now}. */
  boolean renewalOverdue(long now) {
    return now - renewBy >= 0;
  }

  /** Nanoseconds left in the renew cycle. */
  long untilRenewalOverdue(long now) {
    return renewBy - now;
  }

  /** A renewal succeeded: the cycle closes and authority extends to {@code authorityEnd}. */
  void renewed(long authorityEnd) {
    renewing = false;
    context.extendAuthority(authorityEnd);
  }

  /** Runs the leader's work on the calling thread, which is interrupted if the term ends. */
  void runWork(Consumer<LeadershipContext> work, String threadName) {
    Thread thread = Thread.currentThread();
    String name = thread.getName();
    synchronized (this) {
      workThread = thread;
    }
    thread.setName(threadName);
    try {
      work.accept(context);
    } finally {
      synchronized (this) {
        workThread = null;
        if (interrupted) {
          Thread.interrupted(); // the pool thread goes back clean
        }
      }
      thread.setName(name);
      workDone.complete(null);
    }
  }

  /** Marks the term ended and stops its deadline timer; cheap, under the elector's monitor. */
  void end(String reason) {
    context.markEnded(reason);
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
    }
  }

  /**
   * Tells the work that the term ended: interrupts its thread if it still runs and completes the
   * context's cancellation future (which runs dependants: never under the elector's monitor).
   */
  void cancelWork() {
    synchronized (this) {
      if (workThread != null) {
        interrupted = true;
        workThread.interrupt();
      }
    }
    context.fireCancelled();
  }
}
