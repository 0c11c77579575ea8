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
  ElectionClock.Timer deadlineTimer;

  /** Whether a renew cycle is open (a renewal failed or is due), and until when it may retry. */
  boolean renewing;

  long renewBy;

  /** Whether onStoppedLeading was delivered for this term already. */
  boolean stopDelivered;

  private Thread workThread;
  private boolean interrupted;

  Term(LeadershipContext context) {
    this.context = context;
    this.token = context.fencingToken();
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

  /** Interrupts the work thread, if the work still runs. */
  void interruptWork() {
    synchronized (this) {
      if (workThread != null) {
        interrupted = true;
        workThread.interrupt();
      }
    }
  }
}
