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
 * One incarnation's {@link Lock} on the {@link SimStore}. Its methods run only inside a simulated
 * lock call ({@link Network.Call}), at the instant the request reaches the store: the call decides
 * whether the request fails before it is applied, and whether the response is lost after it was
 * applied. An update compares the version this lock had cached when the request was <em>sent</em>
 * (a real client puts it in the request), not when it arrives.
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
    Network.Call call = enter("get");
    SimStore.Entry e = store.read();
    call.respond(e == null ? "get: absent" : "get: v" + e.version() + " " + SimStore.brief(e.record()));
    dropIfLate(call, timeout);
    if (e == null) {
      return Optional.empty();
    }
    cachedVersion = e.version();
    return Optional.of(e.snapshot());
  }

  @Override
  public void create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Network.Call call = enter("create");
    long v;
    try {
      v = store.create(record, owner.name());
    } catch (LockException e) {
      call.refused(e);
      throw e;
    }
    call.respond("create: v" + v);
    dropIfLate(call, timeout);
    cachedVersion = v;
  }

  @Override
  public void update(LeaderElectionRecord record, Duration timeout) throws LockException {
    Network.Call call = enter("update");
    if (call.expectedVersion == UNKNOWN) {
      throw new SimStore.SimFailure("update before any get or create");
    }
    long v;
    try {
      v = store.update(record, call.expectedVersion, owner.name());
    } catch (LockException e) {
      call.refused(e);
      throw e;
    }
    call.respond("update: v" + v);
    dropIfLate(call, timeout);
    cachedVersion = v;
  }

  /**
   * A lock that honours its timeout drops a response that comes after it (the request may have been
   * applied all the same); an overrunning one finishes the call and caches its result even though
   * the elector stopped waiting.
   */
  private void dropIfLate(Network.Call call, Duration timeout) throws LockException {
    if (!world.scenario.overruns && call.pastTimeout(timeout)) {
      if (world.tracing()) {
        world.trace(owner.node, "call#" + call.id + " answered after its timeout: the lock drops the response");
      }
      throw new SimStore.SimFailure("timed out");
    }
  }

  private Network.Call enter(String op) throws LockException {
    Network.Call call = Network.current();
    if (call == null || call.owner != owner) {
      // the elector called its lock outside a task the simulation recognised as a lock call
      world.fatal(
          owner.name()
              + " called "
              + op
              + " outside a simulated lock call: LockCallTasks no longer recognises the elector's"
              + " lock-call tasks");
      throw new SimStore.SimFailure("not in a simulated lock call");
    }
    call.op = op;
    call.failBeforeApply();
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
