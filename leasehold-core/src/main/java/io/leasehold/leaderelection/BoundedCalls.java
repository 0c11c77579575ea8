package io.leasehold.leaderelection;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Runs lock calls within a deadline on the elector's clock: each call gets the time left before the
 * deadline, but never more than the lock-call timeout, and is given up on when that passes (its
 * late answer is ignored; with versions in the open it cannot move anything the elector relies on).
 */
final class BoundedCalls {
  private final ElectionClock clock;
  private final long callTimeoutNanos;

  BoundedCalls(ElectionClock clock, Duration callTimeout) {
    this.clock = clock;
    this.callTimeoutNanos = callTimeout.toNanos();
  }

  /**
   * Starts {@code call} with the time it may take; the result fails with a {@link TimeoutException}
   * when that time passes first.
   */
  <T> CompletableFuture<T> run(Function<Duration, CompletableFuture<T>> call, long deadline) {
    long untilDeadline = deadline - clock.nanoTime();
    if (untilDeadline <= 0) {
      return CompletableFuture.failedFuture(
          new TimeoutException("no time left before the deadline"));
    }
    long remaining = Math.min(untilDeadline, callTimeoutNanos);
    Duration timeout = Duration.ofNanos(remaining);
    CompletableFuture<T> result = new CompletableFuture<>();
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
      sent = call.apply(timeout);
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
