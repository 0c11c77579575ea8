package io.leasehold.leaderelection.resourcelock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One candidate's view of a lock in an {@link InMemoryLockStore}. Caches the version its last read
 * or write saw, so that {@link #update} fails when another candidate wrote in between. Create it
 * with {@link InMemoryLockStore#lock(String, String)}. Thread-safe.
 */
public final class InMemoryLock implements Lock {
  private static final long UNKNOWN = -1;

  private final InMemoryLockStore store;
  private final String name;
  private final ResourceLockConfig config;
  private final boolean watchable;
  private long cachedVersion = UNKNOWN;

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
    store.beforeCall(InMemoryLockStore.Operation.GET, name, config.identity());
    InMemoryLockStore.Versioned read = store.read(name);
    if (read == null) {
      return Optional.empty();
    }
    setCachedVersion(read.version());
    return Optional.of(read.snapshot());
  }

  @Override
  public void create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    store.beforeCall(InMemoryLockStore.Operation.CREATE, name, config.identity());
    setCachedVersion(store.create(name, record));
  }

  @Override
  public void update(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    long expected = cachedVersion();
    if (expected == UNKNOWN) {
      throw new LockException(
          "in-memory lock '" + name + "' not initialized: call get or create before update");
    }
    store.beforeCall(InMemoryLockStore.Operation.UPDATE, name, config.identity());
    setCachedVersion(store.update(name, record, expected));
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

  private synchronized long cachedVersion() {
    return cachedVersion;
  }

  private synchronized void setCachedVersion(long version) {
    cachedVersion = version;
  }

  @Override
  public String toString() {
    return "InMemoryLock{" + describe() + ", identity=" + config.identity() + "}";
  }
}
