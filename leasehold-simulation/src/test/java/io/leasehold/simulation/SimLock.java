package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * is no blocking call to run. The blocking methods cannot be simulated (a world event cannot wait)
 * and fail the run.
 */
final class SimLock implements Lock {
  private final World world;
  private final Incarnation owner;
  private final SimStore store;

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
        .send(owner, store, Network.Op.GET, null, null, timeout)
        .thenApply(r -> (Optional<LockSnapshot>) r);
  }

  @Override
  public CompletableFuture<LockSnapshot> createAsync(
      LeaderElectionRecord record, Duration timeout, Executor executor) {
    Objects.requireNonNull(record, "record");
    return world
        .network
        .send(owner, store, Network.Op.CREATE, null, record, timeout)
        .thenApply(r -> (LockSnapshot) r);
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
    return world
        .network
        .send(owner, store, Network.Op.UPDATE, current, record, timeout)
        .thenApply(r -> (LockSnapshot) r);
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    throw blocking("get");
  }

  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    throw blocking("create");
  }

  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    throw blocking("update");
  }

  private LockException blocking(String what) {
    world.fatal(
        owner.name()
            + " called the blocking "
            + what
            + " of a simulated lock: only the asynchronous calls can be simulated");
    return new SimStore.SimFailure("blocking call in the simulation");
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
    return Optional.of(store.subscribe(owner, watcher));
  }
}
