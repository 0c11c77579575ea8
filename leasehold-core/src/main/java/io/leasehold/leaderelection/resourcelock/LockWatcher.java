package io.leasehold.leaderelection.resourcelock;

/** Receives changes pushed by a {@link Lock#watch watched} lock. */
@FunctionalInterface
public interface LockWatcher {

  /**
   * Called when the stored object changed, or when the watch's health changed.
   *
   * @param snapshot what the backend observed, or null when it only knows that something changed
   *     (the object was deleted, could not be decoded, or the watch was re-established); the
   *     elector then reads the lock itself
   */
  void changed(LockSnapshot snapshot);
}
