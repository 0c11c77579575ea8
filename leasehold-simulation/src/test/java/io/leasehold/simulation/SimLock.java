package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One incarnation's {@link Lock} on a {@link SimStore}, reached over the {@link Network}. It keeps
 * no state about what its candidate saw: an update is a compare-and-swap against the version of the
 * snapshot it is given, checked by the store when the request arrives.
 *
 * <p>The elector calls locks only through the asynchronous methods, which this lock overrides to
 * send a message: the request is applied at the store when it arrives, and the returned future
 * completes when the response reaches the caller, or at the lock's timeout, or (a lock with late
 * responses) whenever the response comes, or never. The executor they are given is not used: there
 * is no blocking call to run. The blocking methods, which a lock composed of other locks may call
 * from a task, block that task while the world runs on.
 */
final class SimLock implements Lock {
  private final World world;
  private final Incarnation owner;
  private final SimStore store;

  /** The version of the last response received; used only by cached-version locks. */
  private long cachedVersion = -1;

  /**
   * Where the elector got the versions it may write against: from this lock's watch (fresh or
   * already stale when delivered), unless a response of this lock carried the same version. The
   * last few only: an update names one of the snapshots it was handed shortly before.
   */
  private final Map<Long, Network.Watched> origins =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Network.Watched> eldest) {
          return size() > 32;
        }
      };

  SimLock(World world, Incarnation owner, SimStore store) {
    this.world = world;
    this.owner = owner;
    this.store = store;
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletableFuture<Optional<LockSnapshot>> getAsync(Duration timeout, Executor executor) {
    return world
        .network
        .send(owner, store, Network.Op.GET, null, null, timeout, false, Network.Watched.NO)
        .thenApply(r -> (Optional<LockSnapshot>) r)
        .whenComplete(
            (r, e) -> {
              if (r != null) {
                r.ifPresent(this::cache);
              }
            });
  }

  @Override
  public CompletableFuture<LockSnapshot> createAsync(
      LeaderElectionRecord record, Duration timeout, Executor executor) {
    Objects.requireNonNull(record, "record");
    return world
        .network
        .send(owner, store, Network.Op.CREATE, null, record, timeout, false, Network.Watched.NO)
        .thenApply(r -> (LockSnapshot) r)
        .whenComplete((r, e) -> cache(r));
  }

  @Override
  public CompletableFuture<LockSnapshot> updateAsync(
      LockSnapshot current, LeaderElectionRecord record, Duration timeout, Executor executor) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(record, "record");
    SimStore.Stamp stamp;
    try {
      stamp = current.source(SimStore.Stamp.class);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (stamp.store() != store) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "a snapshot of " + stamp.store().name + " passed to a lock on " + store.name));
    }
    LockSnapshot base = current;
    if (world.scenario.model.cachedVersionLocks() && cachedVersion >= 0) {
      base =
          new LockSnapshot(
              current.record(),
              current.raw(),
              Long.toString(cachedVersion),
              new SimStore.Stamp(store, cachedVersion));
    }
    return world
        .network
        .send(owner, store, Network.Op.UPDATE, base, record, timeout, false, origin(current))
        .thenApply(r -> (LockSnapshot) r)
        .whenComplete((r, e) -> cache(r));
  }

  /**
   * Remembers the version of a response (late ones too), for cached-version locks; that version is
   * no longer one known from the watch alone.
   */
  private void cache(LockSnapshot s) {
    if (s != null) {
      cachedVersion = SimStore.version(s);
      answered(s);
    }
  }

  /** A response carried {@code s}: its version is not known from the watch alone. */
  private void answered(LockSnapshot s) {
    if (s != null) {
      origins.put(SimStore.version(s), Network.Watched.NO);
    }
  }

  /** Whether an update against {@code base} is a write against a watched snapshot. */
  private Network.Watched origin(LockSnapshot base) {
    return origins.getOrDefault(SimStore.version(base), Network.Watched.NO);
  }

  /**
   * A blocking read, as a lock composed of other locks makes it (the real {@code MultiLock} calls
   * its halves this way) on a thread of the elector's executor: the world runs on until the
   * response comes or the lock's own timeout ends the call ({@link World#await}).
   */
  @Override
  @SuppressWarnings("unchecked")
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    return (Optional<LockSnapshot>) block(Network.Op.GET, null, null);
  }

  /** A blocking create; see {@link #get}. */
  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    return (LockSnapshot) block(Network.Op.CREATE, null, record);
  }

  /** A blocking update; see {@link #get}. */
  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(record, "record");
    if (current.source(SimStore.Stamp.class).store() != store) {
      throw new IllegalArgumentException("a snapshot of another store passed to " + describe());
    }
    return (LockSnapshot) block(Network.Op.UPDATE, current, record);
  }

  /**
   * Sends the call and blocks until it ends. The call ends at the elector's lock-call timeout, not
   * at the timeout the caller gave: a composed lock computes what is left of its budget with {@code
   * System.nanoTime()} (MultiLock does), which the simulation cannot control, and a value that
   * depends on real time would make a seed's run depend on the machine. The elector's own timer
   * still bounds the whole call.
   */
  private Object block(Network.Op op, LockSnapshot base, LeaderElectionRecord record)
      throws LockException {
    Duration deterministic = Duration.ofNanos(world.callTimeout());
    Network.Watched origin = base == null ? Network.Watched.NO : origin(base);
    CompletableFuture<Object> f =
        world.network.send(owner, store, op, base, record, deterministic, true, origin);
    world.await(owner, f);
    if (f.isDone() && !f.isCompletedExceptionally()) {
      Object r = f.join();
      answered(r instanceof Optional<?> o ? (LockSnapshot) o.orElse(null) : (LockSnapshot) r);
    }
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof LockException le) {
        throw le;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  @Override
  public void recordEvent(String event) {
    if (world.tracing()) {
      world.trace(owner.node, "event: " + event);
    }
  }

  @Override
  public String identity() {
    return owner.node.id;
  }

  @Override
  public String describe() {
    return "sim/" + store.name;
  }

  @Override
  public Duration changeDetectionGranularity() {
    return store.coarseRaw() ? Duration.ofSeconds(1) : Duration.ZERO;
  }

  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    if (!owner.node.watches) {
      return Optional.empty();
    }
    return Optional.of(
        store.subscribe(
            owner,
            snapshot -> {
              if (snapshot != null) {
                Network.Watched seen =
                    store.isStale(snapshot) ? Network.Watched.STALE : Network.Watched.FRESH;
                origins.merge(
                    SimStore.version(snapshot),
                    seen,
                    (before, now) -> before == Network.Watched.NO ? before : now);
              }
              watcher.changed(snapshot);
            }));
  }
}
