package io.leasehold.leaderelection.resourcelock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The store an election is run on: client-go's {@code resourcelock.Interface} in Java, with the
 * version it compares against in the open.
 *
 * <p>Every read returns a {@link LockSnapshot}: the record, the raw bytes used for change
 * detection, and the stored object's version. A write names the snapshot it means to replace, and
 * succeeds only if the stored object is still that version (compare-and-swap); it returns the
 * snapshot of what it wrote. A lock therefore keeps no state about what a candidate saw: one
 * instance may serve any number of threads, and a call that finishes late cannot move the version
 * that the next write is compared with.
 *
 * <p>Contract for implementations (every backend runs {@code LockContractTest}):
 *
 * <ul>
 *   <li>{@link #get} returns {@link Optional#empty()} when the object does not exist; a stored
 *       object that cannot be decoded raises {@link CorruptRecordException}, never an empty or
 *       made-up record.
 *   <li>{@link #create} fails with {@link LockConflictException} when the object already exists.
 *   <li>{@link #update} fails with {@link LockConflictException} when the stored object is not the
 *       version of the snapshot it was given (written since, or deleted).
 *   <li>A version never repeats for one lock name, across deletion and re-creation of the object
 *       too, so a snapshot taken before a deletion can never be written against again.
 *   <li>Fencing tokens never go back: where the backend can keep a high-water mark apart from the
 *       record, a write that starts a new term (a token above the stored one, or a create) stores a
 *       token above every token this lock name ever had, raising the one it was given if needed;
 *       the returned snapshot carries the token actually stored.
 *   <li>Every call should finish within the {@code timeout} it is given. The elector stops waiting
 *       when the timeout passes, so a call that overruns is harmless but holds a thread.
 *   <li>Implementations are thread-safe.
 * </ul>
 */
public interface Lock {

  /**
   * Reads the record.
   *
   * @param timeout how long the call may take
   * @return the snapshot of the stored object, or empty when the object does not exist
   * @throws CorruptRecordException when the object exists but holds no valid record
   * @throws LockException when the store could not be read
   */
  Optional<LockSnapshot> get(Duration timeout) throws LockException;

  /**
   * Creates the object holding {@code record}.
   *
   * @return the snapshot of what was stored
   * @throws LockConflictException when the object already exists
   * @throws LockException when the store refused or could not be reached
   */
  LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException;

  /**
   * Replaces the record, only if the stored object is still the version of {@code current}.
   *
   * @param current a snapshot this lock returned (from {@link #get}, {@link #create}, {@link
   *     #update} or its watch)
   * @return the snapshot of what was stored
   * @throws LockConflictException when the stored object is another version or was deleted
   * @throws LockException when the store refused or could not be reached
   * @throws IllegalArgumentException when {@code current} did not come from a lock of this kind
   */
  LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException;

  /**
   * Records an event about this lock, such as {@code "became leader"}; implementations prefix the
   * identity. Must never throw and should not block for long: the elector calls it off its
   * schedule, and failures to record are only logged.
   */
  void recordEvent(String event);

  /** The identity of the candidate using this lock instance. */
  String identity();

  /** A short human-readable description of the lock, such as {@code namespace/name}. */
  String describe();

  /**
   * The coarsest interval within which two successive writes may produce identical raw bytes, so
   * that a reader cannot tell them apart. Zero (the default) when every write changes the raw
   * bytes. client-go's Kubernetes locks compare JSON with times in whole seconds and so return one
   * second. The elector shortens its own authority by this much, because a follower may have
   * started its countdown up to that long before the holder's last write.
   */
  default Duration changeDetectionGranularity() {
    return Duration.ZERO;
  }

  /**
   * Subscribes to changes of the stored object, when the backend can push them (a Kubernetes watch,
   * an etcd watch, PostgreSQL's LISTEN/NOTIFY...). The elector then reacts to a change at once
   * instead of at its next poll, and followers need not poll while the watch is healthy.
   *
   * <p>The watcher is called from the backend's own thread with every snapshot the backend
   * observes; an implementation that sees a change it cannot decode passes {@code null}, which
   * makes the elector read the lock. A snapshot pushed late or out of order is harmless: a write
   * against it fails the compare-and-swap. When the stream breaks, the implementation reports it
   * through {@link LockWatch#isHealthy()} and re-establishes the stream itself.
   *
   * @return the subscription, or empty (the default) when this lock cannot push changes
   */
  default Optional<LockWatch> watch(LockWatcher watcher) {
    return Optional.empty();
  }

  // ---------------------------------------------------------------- how the elector calls

  /**
   * {@link #get} without blocking the caller: the elector calls the lock only through this method
   * and its two siblings. The default runs {@link #get} on {@code executor}; a lock whose client is
   * asynchronous may answer from its own threads instead, and a simulation may deliver the answer
   * whenever its model says.
   */
  default CompletableFuture<Optional<LockSnapshot>> getAsync(Duration timeout, Executor executor) {
    return LockCalls.supply(() -> get(timeout), executor);
  }

  /** {@link #create} without blocking the caller; see {@link #getAsync}. */
  default CompletableFuture<LockSnapshot> createAsync(
      LeaderElectionRecord record, Duration timeout, Executor executor) {
    return LockCalls.supply(() -> create(record, timeout), executor);
  }

  /** {@link #update} without blocking the caller; see {@link #getAsync}. */
  default CompletableFuture<LockSnapshot> updateAsync(
      LockSnapshot current, LeaderElectionRecord record, Duration timeout, Executor executor) {
    return LockCalls.supply(() -> update(current, record, timeout), executor);
  }
}
