package io.leasehold.testing;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wraps a lock, counting the requests it sends (get, create, update) and keeping the last failure,
 * so tests can assert how many requests a candidate made and why an attempt failed.
 */
public final class CountingLock implements Lock {
  private final Lock lock;
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong successfulWrites = new AtomicLong();
  private final AtomicReference<String> lastFailure = new AtomicReference<>("");

  public CountingLock(Lock lock) {
    this.lock = lock;
  }

  /** Requests sent so far: reads and writes. */
  public long calls() {
    return gets.get() + writes.get();
  }

  /** Reads sent so far. */
  public long gets() {
    return gets.get();
  }

  /** Writes (create or update) that succeeded. */
  public long successfulWrites() {
    return successfulWrites.get();
  }

  /** The message of the last failed call, or "". */
  public String lastFailure() {
    return lastFailure.get();
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    gets.incrementAndGet();
    try {
      return lock.get(timeout);
    } catch (LockException | RuntimeException e) {
      lastFailure.set(String.valueOf(e.getMessage()));
      throw e;
    }
  }

  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    return write(() -> lock.create(record, timeout));
  }

  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    return write(() -> lock.update(current, record, timeout));
  }

  private interface Write {
    LockSnapshot run() throws LockException;
  }

  private LockSnapshot write(Write w) throws LockException {
    writes.incrementAndGet();
    try {
      LockSnapshot written = w.run();
      successfulWrites.incrementAndGet();
      return written;
    } catch (LockException | RuntimeException e) {
      lastFailure.set(String.valueOf(e.getMessage()));
      throw e;
    }
  }

  // the asynchronous calls go to the wrapped lock's own (an etcd lock answers without a pool
  // thread)

  @Override
  public CompletableFuture<Optional<LockSnapshot>> getAsync(Duration timeout, Executor executor) {
    gets.incrementAndGet();
    return noteFailure(lock.getAsync(timeout, executor));
  }

  @Override
  public CompletableFuture<LockSnapshot> createAsync(
      LeaderElectionRecord record, Duration timeout, Executor executor) {
    writes.incrementAndGet();
    return countWrite(lock.createAsync(record, timeout, executor));
  }

  @Override
  public CompletableFuture<LockSnapshot> updateAsync(
      LockSnapshot current, LeaderElectionRecord record, Duration timeout, Executor executor) {
    writes.incrementAndGet();
    return countWrite(lock.updateAsync(current, record, timeout, executor));
  }

  private CompletableFuture<LockSnapshot> countWrite(CompletableFuture<LockSnapshot> call) {
    return noteFailure(call)
        .whenComplete(
            (written, e) -> {
              if (e == null) {
                successfulWrites.incrementAndGet();
              }
            });
  }

  private <T> CompletableFuture<T> noteFailure(CompletableFuture<T> call) {
    return call.whenComplete(
        (v, e) -> {
          if (e != null) {
            Throwable cause =
                e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            lastFailure.set(String.valueOf(cause.getMessage()));
          }
        });
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
