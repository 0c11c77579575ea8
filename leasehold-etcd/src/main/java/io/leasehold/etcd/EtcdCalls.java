package io.leasehold.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.leasehold.leaderelection.resourcelock.LockException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for a jetcd call within the elector's time budget and explains what went wrong. */
final class EtcdCalls {
  private EtcdCalls() {}

  static <T> T await(CompletableFuture<T> call, Duration timeout, String what)
      throws LockException {
    long nanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), timeout.toNanos());
    try {
      return call.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new LockException(
          "etcd did not answer to " + what + " within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new LockException(what + " was interrupted", e);
    } catch (ExecutionException e) {
      throw translate(what, e.getCause());
    }
  }

  static LockException translate(String what, Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String code =
        cause instanceof EtcdException
            ? ((EtcdException) cause).getErrorCode().name()
            : Status.fromThrowable(cause).getCode().name();
    String detail = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    switch (code) {
      case "PERMISSION_DENIED":
        return new LockException(
            "etcd refused to " + what + ": permission denied; the user needs read and write"
                + " access to the key (" + detail + ")",
            cause);
      case "UNAUTHENTICATED":
        return new LockException(
            "etcd refused to " + what + ": authentication failed; check the user name and"
                + " password (" + detail + ")",
            cause);
      case "UNKNOWN":
        break;
      default:
        return new LockException("etcd could not " + what + " (" + code + "): " + detail, cause);
    }
    return new LockException("etcd could not " + what + ": " + cause, cause);
  }
}
