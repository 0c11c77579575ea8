package io.leasehold.leaderelection.resourcelock;

/** A live subscription returned by {@link Lock#watch}. Closing it stops the stream. */
public interface LockWatch extends AutoCloseable {

  /**
   * Whether the stream is currently delivering changes. While it is, followers rely on it instead
   * of polling; while it is not, they poll every retry period.
   */
  boolean isHealthy();

  /** Stops the subscription and releases its resources. Idempotent; never throws. */
  @Override
  void close();
}
