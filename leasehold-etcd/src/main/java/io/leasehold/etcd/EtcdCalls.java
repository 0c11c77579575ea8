package io.leasehold.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.leasehold.leaderelection.resourcelock.LockException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds jetcd calls by the elector's time budget and explains what went wrong, without holding a
 * thread while etcd answers.
 */
final class EtcdCalls {
  private EtcdCalls() {}

  /**
   * The answer of {@code call}, delivered on {@code executor} (so that nobody's follow-up work runs
   * on the etcd client's own threads); or a {@link LockException}: the call's failure explained, or
   * a timeout when no answer came within {@code timeout}. No thread waits in between.
   *
   * @param what what the call does, for messages ("read etcd:/leasehold/leases/x")
   */
  static <T> CompletableFuture<T> bounded(
      CompletableFuture<T> call, Duration timeout, String what, Executor executor) {
    long nanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), timeout.toNanos());
    CompletableFuture<T> answer = new CompletableFuture<>();
    call.orTimeout(nanos, TimeUnit.NANOSECONDS)
        .whenComplete(
            (value, failure) -> {
              Runnable deliver =
                  failure == null
                      ? () -> answer.complete(value)
                      : () -> answer.completeExceptionally(explain(what, timeout, failure));
              try {
                executor.execute(deliver);
              } catch (RuntimeException rejected) {
                answer.completeExceptionally(rejected);
              }
            });
    return answer;
  }

  /**
   * Waits for an answer of {@link #bounded} (which ends by itself) and throws its failure.
   *
   * @throws LockException as the call failed, or when interrupted
   */
  static <T> T await(CompletableFuture<T> answer, String what) throws LockException {
    try {
      return answer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LockException(what + " was interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof LockException le) {
        throw le;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new LockException("etcd could not " + what + ": " + cause, cause);
    }
  }

  private static Throwable explain(String what, Duration timeout, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof TimeoutException) {
      return new LockException(
          "etcd did not answer to " + what + " within " + timeout.toMillis() + " ms");
    }
    if (cause instanceof LockException || cause instanceof IllegalArgumentException) {
      return cause;
    }
    return translate(what, cause);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static LockException translate(String what, Throwable failure) {
    Throwable cause = unwrap(failure);
    String code =
        cause instanceof EtcdException etcd
            ? etcd.getErrorCode().name()
            : Status.fromThrowable(cause).getCode().name();
    String detail = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    String message =
        switch (code) {
          case "PERMISSION_DENIED" ->
              "etcd refused to "
                  + what
                  + ": permission denied; the user needs read and write access to the key ("
                  + detail
                  + ")";
          case "UNAUTHENTICATED" ->
              "etcd refused to "
                  + what
                  + ": authentication failed; check the user name and password ("
                  + detail
                  + ")";
          case "UNKNOWN" -> "etcd could not " + what + ": " + cause;
          default -> "etcd could not " + what + " (" + code + "): " + detail;
        };
    return new LockException(message, cause);
  }
}
