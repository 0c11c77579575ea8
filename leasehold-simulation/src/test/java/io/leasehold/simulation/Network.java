package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LockException;
import java.time.Duration;

/**
 * Carries lock calls between the candidates and the store, as world events.
 *
 * <p>A call is sent when the elector hands its lock-call task to its executor; its operation is
 * read from the task ({@link LockOp}). The request then reaches the store after a latency (normal,
 * or long while the sender's link is slow), or fails fast (a refused connection), or hangs (never
 * arrives, or arrives only after the partition heals, long after the elector gave up on it). Where
 * it arrives, the store may be down or flaky (the call fails, nothing is applied); otherwise the
 * operation is applied at that instant, whatever the sender is doing (paused, dead). The response
 * travels back after its own latency, or is lost (the write happened, the caller waits until its
 * own timeout); only then does the elector's task run, with the lock answering what the store said.
 */
final class Network {
  private static final ThreadLocal<Call> CURRENT = new ThreadLocal<>();

  /** One lock call in flight. */
  static final class Call {
    final long id;
    final Incarnation owner;
    final Runnable task;
    final LockOp op;
    final long expectedVersion;
    final long sentLocal;

    /** Why the call failed before reaching the store's data, or null. */
    String failure;

    /** What the store answered: an error, or the entry read, or the version written. */
    LockException error;

    SimStore.Entry entry;
    long version;

    /** The caller's side of the call is over: answered, or given up at its end. */
    boolean ended;

    Call(long id, Incarnation owner, Runnable task, LockOp op, long expectedVersion) {
      this.id = id;
      this.owner = owner;
      this.task = task;
      this.op = op;
      this.expectedVersion = expectedVersion;
      this.sentLocal = owner.clock.nanoTime();
    }

    /** Whether the caller's own timeout for this call has passed, by its clock. */
    boolean pastTimeout(Duration timeout) {
      return owner.clock.nanoTime() - sentLocal >= timeout.toNanos();
    }
  }

  private final World world;
  private long nextId;

  Network(World world) {
    this.world = world;
  }

  static Call current() {
    return CURRENT.get();
  }

  /** Sends the lock call {@code task} of {@code from}. */
  void send(Incarnation from, Runnable task) {
    LockOp op = LockOp.of(task);
    if (op == null) {
      world.fatal("could not read the operation of a lock-call task of the elector (LockOp)");
      return;
    }
    Node node = from.node;
    Call call = new Call(++nextId, from, task, op, from.lock.cachedVersion());
    // the client side of the call ends by the timeout the elector gave it (an overrunning lock:
    // by that timeout rounded up to whole seconds, as a JDBC query timeout) if no response came
    long limit = op.timeout().toNanos();
    if (world.scenario.overruns) {
      limit = (limit + World.SECOND - 1) / World.SECOND * World.SECOND;
    }
    long endAt = from.clock.globalAt(call.sentLocal + limit);
    world.schedule(endAt, from, World.Kind.RESPONSE, () -> clientEnd(call));
    Fault partition = node.activeFault(Fault.Kind.PARTITION);
    long arrival;
    boolean late = false;
    if (partition != null) {
      switch (partition.mode) {
        case REFUSE -> {
          arrival = world.now() + baseLatency();
          call.failure = "connection refused (partitioned)";
        }
        case HANG_LOST -> {
          if (world.tracing()) {
            world.trace(
                node, "call#" + call.id + " " + describe(call) + " sent into the partition: lost");
          }
          return;
        }
        default -> {
          arrival = partition.end() + (long) (world.rnd.nextDouble() * world.scenario.retry);
          late = true;
        }
      }
    } else if (node.activeFault(Fault.Kind.SLOW) != null) {
      arrival = world.now() + slowLatency();
      late = true;
    } else {
      arrival = world.now() + baseLatency();
    }
    if (world.tracing()) {
      world.trace(
          node,
          "call#"
              + call.id
              + " "
              + describe(call)
              + " sent, reaches the store in "
              + World.seconds(arrival - world.now()));
    }
    boolean abnormal = late;
    world.schedule(arrival, null, World.Kind.STORE, () -> arrive(call, abnormal));
  }

  private static String describe(Call call) {
    return switch (call.op.kind()) {
      case GET -> "get";
      case CREATE -> "create(" + SimStore.brief(call.op.record()) + ")";
      case UPDATE ->
          "update(" + SimStore.brief(call.op.record()) + ", if v" + call.expectedVersion + ")";
    };
  }

  /** The request reaches the store: apply it, then send the response back (or lose it). */
  private void arrive(Call call, boolean late) {
    Node node = call.owner.node;
    if (late) {
      world.disturbance();
      world.stats.add(Stats.Counter.LATE_ARRIVALS);
    }
    if (call.failure == null && world.storeDown()) {
      call.failure = "store unavailable";
    }
    if (call.failure == null) {
      Fault flaky = world.activeGlobalFault(Fault.Kind.FLAKY);
      if (flaky != null && world.rnd.nextDouble() < flaky.p) {
        call.failure = "injected store error";
      }
    }
    String what;
    if (call.failure != null) {
      call.error = new SimStore.SimFailure(call.failure);
      what = "failed: " + call.failure;
    } else {
      what = apply(call);
    }
    Fault lossy = node.activeFault(Fault.Kind.LOSSY);
    boolean lost =
        node.activeFault(Fault.Kind.PARTITION) != null
            || (call.failure == null && lossy != null && world.rnd.nextDouble() < lossy.p);
    if (world.tracing()) {
      world.trace(
          node,
          "call#" + call.id + " at the store: " + what + (lost ? "; the response is lost" : ""));
    }
    if (lost) {
      if (call.failure == null && call.op.kind() != LockOp.Kind.GET) {
        world.stats.add(Stats.Counter.LOST_RESPONSES);
      }
      return;
    }
    if (call.ended) {
      return; // the caller gave up already; what the store did stands
    }
    boolean slow = node.activeFault(Fault.Kind.SLOW) != null;
    long back = slow ? slowLatency() : baseLatency();
    world.schedule(world.now() + back, call.owner, World.Kind.RESPONSE, () -> respond(call, slow));
  }

  private String apply(Call call) {
    SimStore store = world.store;
    String writer = call.owner.name();
    try {
      switch (call.op.kind()) {
        case GET -> {
          call.entry = store.read();
          return call.entry == null
              ? "absent"
              : "read v" + call.entry.version() + " " + SimStore.brief(call.entry.record());
        }
        case CREATE -> {
          call.version = store.create(call.op.record(), writer);
          return "created v" + call.version;
        }
        default -> {
          if (call.expectedVersion == SimLock.UNKNOWN) {
            throw new SimStore.SimFailure("update before any get or create");
          }
          call.version = store.update(call.op.record(), call.expectedVersion, writer);
          return "updated to v" + call.version;
        }
      }
    } catch (LockException e) {
      call.error = e;
      return "refused: " + e.getMessage();
    }
  }

  private void respond(Call call, boolean slow) {
    if (slow) {
      world.disturbance();
    }
    if (call.ended) {
      if (world.tracing()) {
        world.trace(
            call.owner.node, "call#" + call.id + " response after the call ended: nobody reads it");
      }
      return;
    }
    complete(call);
  }

  /** No response in time: the lock's own timeout ends the call with an error. */
  private void clientEnd(Call call) {
    if (call.ended) {
      return;
    }
    call.error = new SimStore.SimFailure("timed out waiting for the store");
    call.entry = null;
    if (world.tracing()) {
      world.trace(call.owner.node, "call#" + call.id + " ends on the lock's timeout, no response");
    }
    complete(call);
  }

  private void complete(Call call) {
    call.ended = true;
    CURRENT.set(call);
    try {
      call.task.run();
    } finally {
      CURRENT.remove();
    }
  }

  /**
   * Latency of a message on a healthy link: mostly small, sometimes up to the scenario's maximum.
   */
  long baseLatency() {
    Scenario sc = world.scenario;
    if (world.rnd.nextDouble() < 0.9) {
      return sc.latencyMin + (long) (world.rnd.nextDouble() * (sc.latencyTypical - sc.latencyMin));
    }
    return sc.latencyTypical
        + (long) (world.rnd.nextDouble() * (sc.latencyMax - sc.latencyTypical));
  }

  /**
   * Latency on a slow link: beyond the normal maximum, often beyond the call timeout, sometimes
   * beyond the lease.
   */
  private long slowLatency() {
    Scenario sc = world.scenario;
    long timeout = world.callTimeout();
    if (world.rnd.nextDouble() < 0.8) {
      return sc.latencyMax + (long) (world.rnd.nextDouble() * (1.5 * timeout));
    }
    return timeout + (long) (world.rnd.nextDouble() * 1.5 * sc.lease);
  }
}
