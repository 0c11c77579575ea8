package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LockException;

/**
 * Carries lock calls between the candidates and the store, as world events.
 *
 * <p>A call is sent when the elector hands its lock-call task to its executor. The network then
 * decides its fate from the faults in force: it reaches the store after a latency (normal, or long
 * while the sender's link is slow), or fails fast (a refused connection), or hangs (never arrives,
 * or arrives only after the partition heals, long after the elector gave up on it). When it arrives,
 * the store may be down or flaky (the call fails before it is applied), and the response may be
 * lost after the write was applied (the caller sees a failure, the write happened).
 *
 * <p>The response reaches the caller at the instant the request is applied: {@link
 * io.leasehold.leaderelection.resourcelock.Lock} is synchronous, so the elector's task runs then.
 * For safety this is the harsher choice: followers observe changes as early as possible, while the
 * leader's deadline counts from when it sent its write. A response that comes back too late is
 * modelled as a lost one (failure after the write) or as a request that arrives late.
 */
final class Network {
  private static final ThreadLocal<Call> CURRENT = new ThreadLocal<>();

  /** One lock call in flight. */
  static final class Call {
    final long id;
    final Incarnation owner;
    final Runnable task;
    final long expectedVersion;
    final long sentAt;
    final long sentLocal;
    final World world;
    String op = "?";
    String failure;
    boolean loseResponse;

    Call(World world, long id, Incarnation owner, Runnable task, long expectedVersion) {
      this.world = world;
      this.id = id;
      this.owner = owner;
      this.task = task;
      this.expectedVersion = expectedVersion;
      this.sentAt = world.now();
      this.sentLocal = owner.clock.nanoTime();
    }

    /** Whether the caller's own timeout for this call has passed, by its clock. */
    boolean pastTimeout(java.time.Duration timeout) {
      return owner.clock.nanoTime() - sentLocal >= timeout.toNanos();
    }

    void failBeforeApply() throws LockException {
      if (failure != null) {
        if (world.tracing()) {
          world.trace(owner.node, "call#" + id + " " + op + " failed before the store: " + failure);
        }
        throw new SimStore.SimFailure(failure);
      }
    }

    void refused(LockException e) {
      if (world.tracing()) {
        world.trace(owner.node, "call#" + id + " " + op + " refused by the store: " + e.getMessage());
      }
    }

    void respond(String what) throws LockException {
      if (world.tracing()) {
        world.trace(
            owner.node,
            "call#"
                + id
                + " "
                + what
                + (loseResponse ? " -- applied, but the response is lost" : "")
                + (owner.alive ? "" : " (sender is dead)"));
      }
      if (loseResponse) {
        throw new SimStore.SimFailure("connection reset (the request was applied)");
      }
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
    Node node = from.node;
    Call call = new Call(world, ++nextId, from, task, from.lock.cachedVersion());
    Scenario sc = world.scenario;
    Fault partition = node.activeFault(Fault.Kind.PARTITION);
    long arrival;
    boolean abnormal = false;
    if (partition != null) {
      switch (partition.mode) {
        case REFUSE -> {
          arrival = world.now() + baseLatency();
          call.failure = "connection refused (partitioned)";
        }
        case HANG_LOST -> {
          if (world.tracing()) {
            world.trace(node, "call#" + call.id + " sent into the partition: it will never arrive");
          }
          return;
        }
        default -> {
          arrival = partition.end() + (long) (world.rnd.nextDouble() * sc.retry);
          abnormal = true;
        }
      }
    } else {
      Fault slow = node.activeFault(Fault.Kind.SLOW);
      if (slow != null) {
        arrival = world.now() + slowLatency();
        abnormal = true;
      } else {
        arrival = world.now() + baseLatency();
      }
    }
    if (world.tracing()) {
      world.trace(
          node,
          "call#"
              + call.id
              + " sent (cached v"
              + call.expectedVersion
              + "), reaches the store in "
              + World.seconds(arrival - world.now()));
    }
    final boolean late = abnormal;
    world.schedule(arrival, from, World.Kind.APPLY, () -> arrive(call, late));
  }

  private void arrive(Call call, boolean late) {
    if (late) {
      world.disturbance();
      world.stats.add(Stats.Counter.LATE_ARRIVALS);
    }
    if (call.failure == null) {
      if (world.storeDown()) {
        call.failure = "store unavailable";
      } else {
        Fault flaky = world.activeGlobalFault(Fault.Kind.FLAKY);
        if (flaky != null && world.rnd.nextDouble() < flaky.p) {
          call.failure = "injected store error";
        } else {
          Fault lossy = call.owner.node.activeFault(Fault.Kind.LOSSY);
          call.loseResponse = lossy != null && world.rnd.nextDouble() < lossy.p;
          if (call.loseResponse) {
            world.stats.add(Stats.Counter.LOST_RESPONSES);
          }
        }
      }
    }
    CURRENT.set(call);
    try {
      call.task.run();
    } finally {
      CURRENT.remove();
    }
  }

  /** Latency of a request on a healthy link: mostly small, sometimes up to the scenario's maximum. */
  long baseLatency() {
    Scenario sc = world.scenario;
    if (world.rnd.nextDouble() < 0.9) {
      return sc.latencyMin + (long) (world.rnd.nextDouble() * (sc.latencyTypical - sc.latencyMin));
    }
    return sc.latencyTypical + (long) (world.rnd.nextDouble() * (sc.latencyMax - sc.latencyTypical));
  }

  /** Latency on a slow link: beyond the normal maximum, often beyond the call timeout, sometimes beyond the lease. */
  private long slowLatency() {
    Scenario sc = world.scenario;
    long timeout = world.callTimeout();
    if (world.rnd.nextDouble() < 0.8) {
      return sc.latencyMax + (long) (world.rnd.nextDouble() * (1.5 * timeout));
    }
    return timeout + (long) (world.rnd.nextDouble() * 1.5 * sc.lease);
  }
}
