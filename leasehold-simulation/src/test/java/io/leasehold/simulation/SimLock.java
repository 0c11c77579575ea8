package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.Optional;

/**
 * One incarnation's {@link Lock} on the {@link SimStore}. Its methods run only when the response of
 * a simulated lock call ({@link Network.Call}) reaches the caller; the store applied the operation
 * earlier, when the request arrived, and the lock now answers what the store said. An update was
 * compared with the version this lock had cached when the request was sent (a real client puts it
 * in the request).
 *
 * <p>A lock that honours its timeouts drops a response that comes after the timeout it was given
 * (its cache stays as it was); an overrunning lock (the scenario says which) caches what the late
 * response says although the elector has stopped waiting for it.
 */
final class SimLock implements Lock {
  static final long UNKNOWN = -1;

  private final World world;
  private final Incarnation owner;
  private final SimStore store;
  private long cachedVersion = UNKNOWN;

  SimLock(World world, Incarnation owner, SimStore store) {
    this.world = world;
    this.owner = owner;
    this.store = store;
  }

  long cachedVersion() {
    return cachedVersion;
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    Network.Call call = enter(LockOp.Kind.GET, null, timeout);
    SimStore.Entry e = call.entry;
    if (e == null) {
      return Optional.empty();
    }
    cachedVersion = e.version();
    return Optional.of(e.snapshot());
  }

  @Override
  public void create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Network.Call call = enter(LockOp.Kind.CREATE, record, timeout);
    cachedVersion = call.version;
  }

  @Override
  public void update(LeaderElectionRecord record, Duration timeout) throws LockException {
    Network.Call call = enter(LockOp.Kind.UPDATE, record, timeout);
    cachedVersion = call.version;
  }

  private Network.Call enter(LockOp.Kind kind, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    Network.Call call = Network.current();
    if (call == null
        || call.owner != owner
        || call.op.kind() != kind
        || call.op.record() != record) {
      // the elector called its lock outside the task the network read, or not as it read it
      world.fatal(
          owner.name()
              + " called "
              + kind
              + " outside the simulated lock call it sent: SimExecutor or LockOp no longer read"
              + " the elector's lock-call tasks right");
      throw new SimStore.SimFailure("not in a simulated lock call");
    }
    boolean late = call.pastTimeout(timeout);
    if (world.tracing()) {
      world.trace(
          owner.node,
          "call#"
              + call.id
              + " response: "
              + (call.error != null ? call.error.getMessage() : "ok")
              + (late
                  ? world.scenario.overruns
                      ? " (after its timeout: the elector no longer waits, the lock still caches"
                            + " it)"
                      : " (after its timeout: the lock drops it)"
                  : ""));
    }
    if (late && !world.scenario.overruns) {
      throw new SimStore.SimFailure("timed out");
    }
    if (call.error != null) {
      throw call.error;
    }
    return call;
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
    return "sim/election";
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
