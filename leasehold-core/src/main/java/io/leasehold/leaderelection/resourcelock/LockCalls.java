package io.leasehold.leaderelection.resourcelock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Runs a blocking lock call on an executor: the default of {@link Lock}'s asynchronous methods. */
final class LockCalls {
  private LockCalls() {}

  /** A blocking lock call. */
  @FunctionalInterface
  interface Call<T> {
    T call() throws LockException;
  }

  /**
   * Runs {@code call} on {@code executor}; the future fails with what the call threw, or with the
   * executor's rejection.
   */
  static <T> CompletableFuture<T> supply(Call<T> call, Executor executor) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try {
              result.complete(call.call());
            } catch (Throwable e) {
              result.completeExceptionally(e);
            }
          });
    } catch (RuntimeException rejected) {
      result.completeExceptionally(rejected);
    }
    return result;
  }
}
