package io.leasehold.leaderelection.resourcelock;

/**
 * Records events about a lock (client-go's {@code resourcelock.EventRecorder}). Kubernetes locks
 * write Events on the lock object; other backends may log or count. Implementations must not throw.
 */
@FunctionalInterface
public interface EventRecorder {

  /**
   * Records one event.
   *
   * @param subject the backend's object the event is about (a fabric8 {@code Lease}, a lock
   *     name...)
   * @param type the event type, such as {@code "Normal"}
   * @param reason a short machine-readable reason, such as {@code "LeaderElection"}
   * @param message the human-readable message, such as {@code "pod-1 became leader"}
   */
  void event(Object subject, String type, String reason, String message);
}
