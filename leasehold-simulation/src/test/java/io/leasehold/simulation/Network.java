package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Carries lock calls between the candidates and the stores, as world events.
 *
 * <p>A call is sent when the elector (or a lock composed of other locks, such as {@code MultiLock})
 * calls one of {@link SimLock}'s asynchronous methods. The request then reaches the store after a
 * latency (normal, or long while the sender's link is slow), or fails fast (a refused connection),
 * or hangs (never arrives, or arrives only after the partition heals, long after the elector gave
 * up on it). Where it arrives, the store may be down or flaky (the call fails, nothing is applied);
 * otherwise the operation is applied at that instant, whatever the sender is doing (paused, dead):
 * an update is a compare-and-swap against the version of the snapshot the caller passed. The
 * response travels back after its own latency, or is lost (the write happened, the caller hears
 * nothing); the call's future completes when it arrives, and the caller's continuation runs then.
 *
 * <p>The lock ends a call at the timeout it was given if no response came (a timeout error), unless
 * the scenario draws locks with late responses: those complete the future whenever the response
 * arrives, even long after the caller stopped waiting (which must be harmless: the elector ignores
 * a late result, and nothing a late call returns can change what the next write is compared with).
 */
final class Network {
  /** A lock operation. */
  enum Op {
    GET,
    CREATE,
    UPDATE
  }

  /**
   * Whether an update is written against a snapshot the caller knows only from its watch (issue 16:
   * a follower takes over straight from a watched snapshot, without a read), and whether that
   * snapshot was already stale when the watch delivered it (lagging, reordered or repeated events).
   */
  enum Watched {
    NO,
    FRESH,
    STALE
  }

  /** One lock call in flight. */
  static final class Call {
    final long id;
    final Incarnation owner;
    final SimStore store;
    final Op op;
    final LockSnapshot base;
    final LeaderElectionRecord record;
    final Watched watched;
    final CompletableFuture<Object> future = new CompletableFuture<>();

    /** Why the call failed before reaching the store's data, or null. */
    String failure;

    /** The caller's side of the call is over: answered, or ended at the lock's timeout. */
    boolean ended;

    Call(
        long id,
        Incarnation owner,
        SimStore store,
        Op op,
        LockSnapshot base,
        LeaderElectionRecord record,
        Watched watched) {
      this.id = id;
      this.owner = owner;
      this.store = store;
      this.op = op;
      this.base = base;
      this.record = record;
      this.watched = watched;
    }
  }

  private final World world;
  private long nextId;

  Network(World world) {
    this.world = world;
  }

  /**
   * Sends a call of {@code from} to {@code store}; its future completes with the response, or with
   * a timeout error at {@code timeout} on the caller's clock unless the scenario's locks have late
   * responses and the call does not {@code endAtTimeout} (a blocking call always does); {@code
   * watched} says whether an update's base came from the caller's watch alone.
   */
  CompletableFuture<Object> send(
      Incarnation from,
      SimStore store,
      Op op,
      LockSnapshot base,
      LeaderElectionRecord record,
      Duration timeout,
      boolean endAtTimeout,
      Watched watched) {
    Node node = from.node;
    Call call = new Call(++nextId, from, store, op, base, record, watched);
    if (!from.alive) {
      return call.future; // a dead process sends nothing
    }
    if (endAtTimeout || !world.scenario.lateResponses) {
      long endAt = from.clock.globalAt(from.clock.nanoTime() + timeout.toNanos());
      world.schedule(endAt, from, World.Kind.RESPONSE, () -> clientEnd(call));
    }
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
          return call.future;
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
    return call.future;
  }

  private static String describe(Call call) {
    String store = call.store.name;
    return switch (call.op) {
      case GET -> "get " + store;
      case CREATE -> "create " + store + "(" + SimStore.brief(call.record) + ")";
      case UPDATE ->
          "update "
              + store
              + "("
              + SimStore.brief(call.record)
              + ", if v"
              + SimStore.version(call.base)
              + ")";
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
    Object result = null;
    Throwable error = null;
    if (call.failure != null) {
      error = new SimStore.SimFailure(call.failure);
    } else {
      try {
        result = apply(call);
      } catch (LockException | IllegalArgumentException e) {
        error = e;
      }
      if (call.op == Op.UPDATE && call.watched != Watched.NO) {
        watchedWrite(call, error == null);
      }
    }
    Fault lossy = node.activeFault(Fault.Kind.LOSSY);
    boolean lost =
        node.activeFault(Fault.Kind.PARTITION) != null
            || (call.failure == null && lossy != null && world.rnd.nextDouble() < lossy.p);
    if (world.tracing()) {
      String what =
          call.failure != null
              ? "failed: " + call.failure
              : error != null ? "refused: " + error.getMessage() : describeResult(result);
      world.trace(
          node,
          "call#" + call.id + " at the store: " + what + (lost ? "; the response is lost" : ""));
    }
    if (lost) {
      if (call.failure == null && call.op != Op.GET && error == null) {
        world.stats.add(Stats.Counter.LOST_RESPONSES);
      }
      return;
    }
    if (call.ended) {
      return; // the caller's side is over; what the store did stands
    }
    boolean slow = node.activeFault(Fault.Kind.SLOW) != null;
    long back = slow ? slowLatency() : baseLatency();
    Object r = result;
    Throwable e = error;
    world.schedule(
        world.now() + back, call.owner, World.Kind.RESPONSE, () -> respond(call, slow, r, e));
  }

  /**
   * Counts a write against a watched snapshot; one against a snapshot that was stale when the watch
   * delivered it must have been refused by the compare-and-swap.
   */
  private void watchedWrite(Call call, boolean applied) {
    world.stats.add(Stats.Counter.WATCHED_WRITES);
    if (!applied) {
      world.stats.add(Stats.Counter.WATCHED_WRITES_REFUSED);
    }
    if (call.watched == Watched.STALE) {
      world.stats.add(Stats.Counter.STALE_WATCHED_WRITES);
      if (applied) {
        world.checker.violation(
            "a write against a snapshot stale when watched was applied: "
                + call.owner.name()
                + " wrote against a snapshot that its watch delivered after the store had moved"
                + " past it, and the store applied it as an update of v"
                + SimStore.version(call.base));
      }
    }
  }

  private Object apply(Call call) throws LockException {
    Incarnation writer = call.owner;
    return switch (call.op) {
      case GET -> Optional.ofNullable(call.store.read());
      case CREATE -> call.store.create(call.record, writer);
      case UPDATE -> call.store.update(call.base, call.record, writer);
    };
  }

  private static String describeResult(Object result) {
    if (result instanceof Optional<?> o) {
      return o.isEmpty() ? "absent" : "read " + SimStore.brief((LockSnapshot) o.get());
    }
    return "wrote " + SimStore.brief((LockSnapshot) result);
  }

  private void respond(Call call, boolean slow, Object result, Throwable error) {
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
    call.ended = true;
    if (world.tracing()) {
      world.trace(
          call.owner.node,
          "call#" + call.id + " response: " + (error != null ? error.getMessage() : "ok"));
    }
    if (error != null) {
      call.future.completeExceptionally(error);
    } else {
      call.future.complete(result);
    }
  }

  /** No response in time: the lock's own timeout ends the call with an error. */
  private void clientEnd(Call call) {
    if (call.ended) {
      return;
    }
    call.ended = true;
    if (world.tracing()) {
      world.trace(call.owner.node, "call#" + call.id + " ends on the lock's timeout, no response");
    }
    call.future.completeExceptionally(new SimStore.SimFailure("timed out waiting for the store"));
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
