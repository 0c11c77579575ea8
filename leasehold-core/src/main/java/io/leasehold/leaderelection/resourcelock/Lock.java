package io.leasehold.leaderelection.resourcelock;

import java.time.Duration;
import java.util.Optional;

/**
 * The store an election is run on: client-go's {@code resourcelock.Interface} in Java.
 *
 * <p>A {@code Lock} instance belongs to one candidate: it knows that candidate's {@link
 * #identity()} and caches what its last {@link #get} read, so that {@link #update} can be
 * optimistic (compare-and-swap against that cached version). Many candidates share one stored
 * object, each through its own {@code Lock} instance.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>{@link #get} returns {@link Optional#empty()} when the object does not exist, and a {@link
 *       LockSnapshot} otherwise; a stored object that cannot be decoded raises {@link
 *       CorruptRecordException}, never an empty or made-up record.
 *   <li>{@link #create} fails with {@link LockConflictException} when the object already exists.
 *   <li>{@link #update} writes only if the stored object is still the version the last {@code get}
 *       (or successful {@code create}/{@code update}) saw, and fails with {@link
 *       LockConflictException} otherwise. Before any {@code get} or {@code create} it fails with a
 *       clear {@link LockException}.
 *   <li>Every call should finish within the {@code timeout} it is given (the elector passes the time
 *       left before its renew deadline). The elector stops waiting when the timeout passes, so a call
 *       that overruns is harmless to the election but holds a thread.
 *   <li>Implementations must be thread-safe: a call that the elector abandoned after its timeout may
 *       still be running when the next one starts.
 * </ul>
 */
public interface Lock {

  /**
   * Reads the record.
   *
   * @param timeout how long the call may take
   * @return the record and its raw bytes, or empty when the object does not exist
   * @throws CorruptRecordException when the object exists but holds no valid record
   * @throws LockException when the store could not be read
   */
  Optional<LockSnapshot> get(Duration timeout) throws LockException;

  /**
   * Creates the object holding {@code record}.
   *
   * @throws LockConflictException when the object already exists
   * @throws LockException when the store refused or could not be reached
   */
  void create(LeaderElectionRecord record, Duration timeout) throws LockException;

  /**
   * Replaces the record, only if the stored object did not change since this lock last read or
   * wrote it.
   *
   * @throws LockConflictException when the stored object changed
   * @throws LockException when the store refused or could not be reached, or when this lock has not
   *     read or created the object yet
   */
  void update(LeaderElectionRecord record, Duration timeout) throws LockException;

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
   * Subscribes to changes of the stored object, when the backend can push them (a Kubernetes
   * watch, an etcd watch, PostgreSQL's LISTEN/NOTIFY...). The elector then reacts to a change at
   * once instead of at its next poll, and followers need not poll while the watch is healthy.
   *
   * <p>The watcher is called from the backend's own thread with every snapshot the backend
   * observes; an implementation that sees a change it cannot decode passes {@code null}, which
   * makes the elector read the lock. When the stream breaks, the implementation reports it through
   * {@link LockWatch#isHealthy()} and re-establishes the stream itself.
   *
   * @return the subscription, or empty (the default) when this lock cannot push changes
   */
  default Optional<LockWatch> watch(LockWatcher watcher) {
    return Optional.empty();
  }
}
