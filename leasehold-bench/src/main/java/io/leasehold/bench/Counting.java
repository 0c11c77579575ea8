package io.leasehold.bench;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** A lock that counts the requests its candidate sends. */
final class Counting implements Lock {
  private final Lock lock;
  final AtomicLong requests = new AtomicLong();

  Counting(Lock lock) {
    this.lock = lock;
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    requests.incrementAndGet();
    return lock.get(timeout);
  }

  @Override
  public void create(LeaderElectionRecord record, Duration timeout) throws LockException {
    requests.incrementAndGet();
    lock.create(record, timeout);
  }

  @Override
  public void update(LeaderElectionRecord record, Duration timeout) throws LockException {
    requests.incrementAndGet();
    lock.update(record, timeout);
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
