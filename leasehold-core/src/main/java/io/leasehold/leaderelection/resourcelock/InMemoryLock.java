package io.leasehold.leaderelection.resourcelock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One candidate's lock in an {@link InMemoryLockStore}: {@link #update} succeeds only while the
 * stored object is still the version of the snapshot it is given. Create it with {@link
 * InMemoryLockStore#lock(String, String)}. Thread-safe.
 */
public final class InMemoryLock implements Lock {
  private final InMemoryLockStore store;
  private final String name;
  private final ResourceLockConfig config;
  private final boolean watchable;

  InMemoryLock(InMemoryLockStore store, String name, ResourceLockConfig config) {
    this(store, name, config, true);
  }

  private InMemoryLock(
      InMemoryLockStore store, String name, ResourceLockConfig config, boolean watchable) {
    this.store = Objects.requireNonNull(store, "store");
    this.name = Objects.requireNonNull(name, "name");
    this.config = Objects.requireNonNull(config, "config");
    this.watchable = watchable;
  }

  /**
   * The same lock without change notifications: {@link #watch} returns empty, so an elector using
   * it polls like client-go does.
   */
  public InMemoryLock withoutWatch() {
    return new InMemoryLock(store, name, config, false);
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    return Optional.ofNullable(store.read(name));
  }

  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    return store.create(name, record);
  }

  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(record, "record");
    return store.update(name, current, record);
  }

  @Override
  public void recordEvent(String event) {
    String message = config.identity() + " " + event;
    store.recordEvent(name, message);
    config.recordEvent(name, event);
  }

  @Override
  public String identity() {
    return config.identity();
  }

  @Override
  public String describe() {
    return "memory/" + name;
  }

  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    if (!watchable) {
      return Optional.empty();
    }
    return Optional.of(store.watch(name, watcher));
  }

  @Override
  public String toString() {
    return "InMemoryLock{" + describe() + ", identity=" + config.identity() + "}";
  }
}
