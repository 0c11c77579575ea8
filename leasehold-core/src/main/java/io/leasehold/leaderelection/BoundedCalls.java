package io.leasehold.leaderelection;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * Runs lock calls within a deadline on the elector's clock: each call gets the time left before the
 * deadline, but never more than the lock-call timeout, and is given up on when that passes (its
 * late answer is ignored; with versions in the open it cannot move anything the elector relies on).
 * A call that waited in the executor's queue gets its time from when it starts running, still
 * within the deadline, so that thousands of electors starting at once do not time out in the queue.
 */
final class BoundedCalls {
  private final ElectionClock clock;
  private final Executor executor;
  private final long callTimeoutNanos;

  BoundedCalls(ElectionClock clock, Executor executor, Duration callTimeout) {
    this.clock = clock;
    this.executor = executor;
    this.callTimeoutNanos = callTimeout.toNanos();
  }

  /**
   * Starts {@code call} with the time it may take and the executor it may run on; the result fails
   * with a {@link TimeoutException} when that time passes first.
   */
  <T> CompletableFuture<T> run(
      BiFunction<Duration, Executor, CompletableFuture<T>> call, long deadline) {
    long untilDeadline = deadline - clock.nanoTime();
    if (untilDeadline <= 0) {
      return CompletableFuture.failedFuture(
          new TimeoutException("no time left before the deadline"));
    }
    long remaining = Math.min(untilDeadline, callTimeoutNanos);
    // the lock gets 90% of the time, so that its own error (connection refused, a server's
    // answer) arrives before the elector gives up and reports only a timeout
    Duration timeout = Duration.ofNanos(remaining / 10 * 9);
    CompletableFuture<T> result = new CompletableFuture<>();
    AtomicBoolean settled = new AtomicBoolean();
    Runnable giveUp =
        () -> {
          if (settled.compareAndSet(false, true)) {
            result.completeExceptionally(
                new TimeoutException("lock call timed out after " + Duration.ofNanos(remaining)));
          }
        };
    AtomicReference<ElectionClock.Timer> timer =
        new AtomicReference<>(clock.schedule(giveUp, remaining));
    Executor counting =
        task ->
            executor.execute(
                () -> {
                  // it starts running now: its time counts from here, within the deadline
                  long left = Math.min(deadline - clock.nanoTime(), remaining);
                  if (!settled.get()) {
                    timer.getAndSet(clock.schedule(giveUp, Math.max(0, left))).cancel();
                  }
                  task.run();
                });
    CompletableFuture<T> sent;
    try {
      sent = call.apply(timeout, counting);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (value, failure) -> {
          timer.get().cancel();
          if (settled.compareAndSet(false, true)) {
            if (failure == null) {
              result.complete(value);
            } else {
              result.completeExceptionally(unwrap(failure));
            }
          }
        });
    return result;
  }

  /** The cause inside completion wrappers. */
  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
