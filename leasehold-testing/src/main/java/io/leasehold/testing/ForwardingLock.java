package io.leasehold.testing;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** A lock that forwards every call to another: the base of the wrappers in this module. */
abstract class ForwardingLock implements Lock {
  final Lock lock;

  ForwardingLock(Lock lock) {
    this.lock = Objects.requireNonNull(lock, "lock");
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    return lock.get(timeout);
  }

  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    return lock.create(record, timeout);
  }

  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    return lock.update(current, record, timeout);
  }

  @Override
  public void recordEvent(String event) {
    lock.recordEvent(event);
  }

  @Override
  public String identity() {
    return lock.identity();
  }

  @Override
  public String describe() {
    return lock.describe();
  }

  @Override
  public Duration changeDetectionGranularity() {
    return lock.changeDetectionGranularity();
  }

  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    return lock.watch(watcher);
  }
}
