package io.leasehold.simulation;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * One simulated world: a global virtual time, N candidates each running a real {@link
 * LeaderElector} on its own {@link SimClock}, a shared {@link SimStore} reached over a {@link
 * Network}, the planned faults, and the {@link Checker}. Everything happens in events taken in
 * global-time order from one queue, on the calling thread: one seed is one exact run.
 */
final class World {
  static final long SECOND = 1_000_000_000L;

  /**
   * Longer than any run: timers beyond it are clamped (nothing the elector schedules is that far).
   */
  static final long FAR_FUTURE = 1_000_000L * SECOND;

  enum Kind {
    /** A timer of a process. */
    TIMER,
    /** A task a process handed to its executor. */
    TASK,
    /** A request reaching the store, whatever its sender is doing. */
    STORE,
    /** A response reaching the process that sent the request; its task then runs. */
    RESPONSE,
    /** A watch notification reaching a process. */
    WATCH,
    /** Something the world does: start a node, begin or end a fault. */
    WORLD
  }

  /** Something that happens at a global instant; owned by a process unless a world event. */
  static final class Event implements Comparable<Event> {
    long time;
    long seq;
    final Incarnation owner;
    final Kind kind;
    final Runnable action;
    boolean cancelled;

    Event(long time, long seq, Incarnation owner, Kind kind, Runnable action) {
      this.time = time;
      this.seq = seq;
      this.owner = owner;
      this.kind = kind;
      this.action = action;
    }

    void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  final Scenario scenario;
  final Random rnd;
  final Node[] nodes;
  final SimStore store;
  final Network network;
  final Checker checker;
  final Stats stats = new Stats();
  private final Trace trace;
  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private final List<Fault> globalActive = new ArrayList<>();
  private final long callTimeout;
  final long livenessBound;
  private long now;
  private long seq;
  private long events;
  private long lastDisturbance;
  private long recovery = -1;

  World(Scenario scenario, boolean tracing) {
    this.scenario = scenario;
    this.rnd = new Random(scenario.worldSeed);
    this.trace = tracing ? new Trace() : null;
    this.nodes = new Node[scenario.nodes];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = new Node(i, scenario.rates[i], scenario.watches[i]);
    }
    this.store = new SimStore(this, scenario.coarseRaw);
    this.network = new Network(this);
    this.checker = new Checker(this, nodes.length);
    this.callTimeout =
        scenario.callTimeout != null
            ? scenario.callTimeout.toNanos()
            : Math.max(SECOND, scenario.renew / 2);
    this.livenessBound = livenessBound(scenario, callTimeout);
  }

  /**
   * The liveness bound: once no fault is in force and no late request is still to arrive, someone
   * acts as leader within
   *
   * <pre>
   *   B = (lockCallTimeout + renewDeadline + 2 * (1 + JITTER) * retryPeriod) / slowest rate
   *       + 20 * maximum latency
   * </pre>
   *
   * Every node is alive then, so whoever the record names (or nobody) can be taken at once: the
   * named holder re-acquires its own lease without waiting for it to expire, an empty record is
   * free. The terms: an attempt under way when the last fault healed may wait out a hung call
   * (lockCallTimeout) and a renewal window that cannot succeed (renewDeadline, when the record
   * names the holder with a token its running term does not know); then one follower delay (at most
   * (1 + JITTER) * retryPeriod) to the next attempt, and once more if that attempt lost a race to
   * another candidate's stale write; each step at the slowest clock's rate; plus a few request
   * latencies.
   */
  static long livenessBound(Scenario sc, long callTimeout) {
    double local = callTimeout + sc.renew + 2 * (1 + LeaderElector.JITTER_FACTOR) * sc.retry;
    return (long) Math.ceil(local / sc.minRate()) + 20 * sc.latencyMax;
  }

  long now() {
    return now;
  }

  long callTimeout() {
    return callTimeout;
  }

  boolean tracing() {
    return trace != null;
  }

  Trace traceLog() {
    return trace;
  }

  void trace(Node node, String text) {
    if (trace == null) {
      return;
    }
    String who;
    if (node == null) {
      who = "";
    } else if (node.inc == null) {
      who = node.id;
    } else {
      who = node.inc.name() + " " + String.format("%.3f", node.inc.clock.elapsed() / 1e9);
    }
    trace.add(now, who, text);
  }

  static String seconds(long nanos) {
    return String.format("%.6fs", nanos / 1e9);
  }

  Event schedule(long time, Incarnation owner, Kind kind, Runnable action) {
    Event e = new Event(Math.max(time, now), seq++, owner, kind, action);
    queue.add(e);
    return e;
  }

  /** A fault ended or a late request arrived: the liveness countdown restarts from now. */
  void disturbance() {
    lastDisturbance = Math.max(lastDisturbance, now);
  }

  void fatal(String message) {
    checker.violation("simulation error: " + message);
  }

  boolean storeDown() {
    return activeGlobalFault(Fault.Kind.STORE_DOWN) != null;
  }

  Fault activeGlobalFault(Fault.Kind kind) {
    for (Fault f : globalActive) {
      if (f.kind == kind) {
        return f;
      }
    }
    return null;
  }

  boolean watchHealthy(Node node) {
    return node.activeFault(Fault.Kind.PARTITION) == null && !storeDown();
  }

  // ================================================================== running

  /** Runs the whole scenario and checks it. */
  Simulation.Result run() {
    for (Node node : nodes) {
      schedule(scenario.startDelays[node.index], null, Kind.WORLD, () -> startIncarnation(node));
      lastDisturbance = Math.max(lastDisturbance, scenario.startDelays[node.index]);
    }
    for (Fault f : scenario.faults) {
      schedule(f.start, null, Kind.WORLD, () -> begin(f));
      schedule(f.end(), null, Kind.WORLD, () -> end(f));
    }
    long tail = 3 * scenario.lease / 2 + 3 * callTimeout / 2 + scenario.retry + scenario.renew;
    long plannedEnd = Math.max(scenario.lastPlannedFaultEnd() + tail, lastDisturbance);
    runUntil(plannedEnd + livenessBound + 2 * scenario.lease);
    while (!checker.violated() && lastDisturbance + livenessBound + scenario.lease > now) {
      runUntil(lastDisturbance + livenessBound + 2 * scenario.lease);
    }
    if (!checker.violated()) {
      checkLiveness();
    }
    return new Simulation.Result(
        scenario,
        checker.violation,
        checker.violationAt,
        null,
        events,
        now,
        checker.terms.size(),
        store.writes(),
        recovery,
        livenessBound,
        stats,
        trace);
  }

  void runUntil(long until) {
    while (!checker.violated()) {
      Event e = queue.peek();
      if (e == null || e.time > until) {
        break;
      }
      queue.poll();
      if (e.cancelled) {
        continue;
      }
      now = e.time;
      events++;
      dispatch(e);
      checker.sample();
    }
    if (!checker.violated()) {
      now = Math.max(now, until);
      checker.sample();
    }
  }

  private void dispatch(Event e) {
    Incarnation owner = e.owner;
    if (owner != null) {
      if (!owner.alive) {
        return; // a dead process runs nothing; its requests already sent are STORE events
      }
      if (owner.node.paused) {
        owner.node.deferred.add(e);
        return;
      }
    }
    e.action.run();
  }

  private void checkLiveness() {
    long h = lastDisturbance;
    recovery = checker.firstActingAfter(h);
    Checker.Gap gap = checker.longestGap(h, now);
    if (gap.length() > livenessBound) {
      checker.violation(
          "liveness: after the last disturbance at "
              + seconds(h)
              + ", nobody acted as leader from "
              + seconds(gap.start())
              + " to "
              + seconds(gap.end())
              + " ("
              + seconds(gap.length())
              + ", beyond the bound "
              + seconds(livenessBound)
              + ")");
    }
  }

  // ================================================================== processes

  private void startIncarnation(Node node) {
    Incarnation inc = new Incarnation(node, ++node.incarnations);
    long localStart = (1 + rnd.nextInt(1000)) * 1_000L * SECOND;
    Instant wallStart =
        Instant.parse("2026-11-23T00:00:00Z").plusNanos((long) (rnd.nextDouble() * 3600 * SECOND));
    inc.clock = new SimClock(this, inc, node.rate, localStart, wallStart);
    inc.lock = new SimLock(this, inc, store);
    inc.executor = new SimExecutor(this, inc);
    LeaderElectionConfig.Builder b =
        LeaderElectionConfig.builder()
            .lock(inc.lock)
            .name("sim")
            .leaseDuration(Duration.ofNanos(scenario.lease))
            .renewDeadline(Duration.ofNanos(scenario.renew))
            .retryPeriod(Duration.ofNanos(scenario.retry))
            .releaseOnCancel(scenario.releaseOnCancel)
            .keepCompeting(true)
            .enforceLeaderDeadline(scenario.model.enforceLeaderDeadline())
            .clock(inc.clock)
            .executor(inc.executor)
            .callbackExecutor(Runnable::run)
            .random(new Random(rnd.nextLong()))
            .callbacks(
                LeaderCallbacks.builder()
                    .onStartedLeading(ctx -> started(inc, ctx))
                    .onStoppedLeading(() -> trace(node, inc.name() + ": onStoppedLeading"))
                    .onNewLeader(id -> trace(node, inc.name() + ": onNewLeader " + id))
                    .build());
    if (scenario.margin != null) {
      b.leaderDeadlineMargin(scenario.margin);
    }
    if (scenario.callTimeout != null) {
      b.lockCallTimeout(scenario.callTimeout);
    }
    LeaderElectionConfig config = b.build();
    if (config.lockCallTimeout().toNanos() != callTimeout) {
      fatal("the simulation's idea of the lock-call timeout is out of date");
    }
    inc.elector = new LeaderElector(config);
    node.inc = inc;
    trace(node, "process " + inc.name() + " starts");
    inc.elector.start();
  }

  private void started(Incarnation inc, LeadershipContext ctx) {
    if (!inc.alive || inc.node.inc != inc) {
      trace(inc.node, inc.name() + " (dead) would start leading; ignored");
      return;
    }
    inc.context = ctx;
    if (tracing()) {
      trace(
          inc.node,
          "STARTED LEADING, token "
              + ctx.fencingToken()
              + (scenario.model.enforceLeaderDeadline()
                  ? ", authority left " + seconds(ctx.remaining().toNanos()) + " (local)"
                  : ""));
      ctx.whenCancelled()
          .thenRun(
              () ->
                  trace(
                      inc.node,
                      "term " + ctx.fencingToken() + " ended: " + ctx.cancellationReason()));
    }
    checker.termStarted(inc, ctx);
  }

  private void crash(Node node, Fault f) {
    if (node.down) {
      trace(node, "crash skipped: already down");
      return;
    }
    Incarnation inc = node.inc;
    if (Checker.acting(node)) {
      stats.add(Stats.Counter.LEADERS_CRASHED);
    }
    kill(inc);
    node.down = true;
    node.downBy = f;
    node.stopping = false;
    trace(node, "CRASH: " + inc.name() + " dies (no release)");
  }

  private void kill(Incarnation inc) {
    inc.alive = false;
    for (SimStore.Subscription s : store.subscriptionsOf(inc.node)) {
      if (s.owner == inc) {
        s.close();
      }
    }
    inc.node.paused = false;
    inc.node.pausedBy = null;
    inc.node.deferred.clear();
  }

  private void stop(Node node, Fault f) {
    if (node.down || node.stopping) {
      trace(node, "stop skipped: already down or stopping");
      return;
    }
    node.stopping = true;
    node.downBy = f;
    Incarnation inc = node.inc;
    schedule(
        now,
        inc,
        Kind.TASK,
        () -> {
          trace(node, "STOP: " + inc.name() + " is stopped gracefully");
          inc.elector.stop().whenComplete((v, e) -> stopped(node, inc, f));
        });
  }

  private void stopped(Node node, Incarnation inc, Fault f) {
    if (node.inc != inc || !inc.alive || node.downBy != f) {
      return;
    }
    kill(inc);
    node.down = true;
    node.stopping = false;
    trace(node, inc.name() + " has stopped");
    if (now >= f.end()) {
      restart(node);
    }
  }

  private void restart(Node node) {
    stats.add(Stats.Counter.RESTARTS);
    node.down = false;
    node.downBy = null;
    disturbance();
    startIncarnation(node);
  }

  private void resume(Node node) {
    boolean held = node.inc.context != null && !node.inc.context.isCancelled();
    node.paused = false;
    node.pausedBy = null;
    if (node.pausedWhileActing && !held) {
      stats.add(Stats.Counter.WOKE_PAST_DEADLINE);
    }
    trace(node, "RESUMES after a pause; " + node.deferred.size() + " overdue events run now");
    for (Event e : node.deferred) {
      e.time = now;
      e.seq = seq++;
      queue.add(e);
    }
    node.deferred.clear();
  }

  // ================================================================== faults

  private void begin(Fault f) {
    Node node = f.node >= 0 ? nodes[f.node] : null;
    switch (f.kind) {
      case PARTITION, SLOW, LOSSY, WATCH_LAG -> {
        if (f.kind == Fault.Kind.PARTITION && Checker.acting(node)) {
          stats.add(Stats.Counter.LEADERS_PARTITIONED);
        }
        node.active.add(f);
        trace(node, "fault begins: " + f);
      }
      case STORE_DOWN, FLAKY -> {
        globalActive.add(f);
        trace(null, "fault begins: " + f);
      }
      case PAUSE -> {
        if (node.down || node.paused) {
          trace(node, "pause skipped: down or already paused");
          return;
        }
        node.pausedWhileActing = Checker.acting(node);
        if (node.pausedWhileActing) {
          stats.add(Stats.Counter.LEADERS_PAUSED);
        }
        node.paused = true;
        node.pausedBy = f;
        trace(node, "PAUSE begins for " + seconds(f.duration));
      }
      case CRASH -> crash(node, f);
      case STOP -> stop(node, f);
      default -> throw new IllegalStateException(f.kind.toString());
    }
  }

  private void end(Fault f) {
    disturbance();
    Node node = f.node >= 0 ? nodes[f.node] : null;
    switch (f.kind) {
      case PARTITION -> {
        node.active.remove(f);
        trace(node, "fault ends: " + f);
        if (node.activeFault(Fault.Kind.PARTITION) == null) {
          for (SimStore.Subscription s : store.subscriptionsOf(node)) {
            if (s.missed) {
              s.missed = false;
              deliverWatch(s, null); // the watch reconnects: "something changed, read it"
            }
          }
        }
      }
      case SLOW, LOSSY, WATCH_LAG -> {
        node.active.remove(f);
        trace(node, "fault ends: " + f);
      }
      case STORE_DOWN, FLAKY -> {
        globalActive.remove(f);
        trace(null, "fault ends: " + f);
      }
      case PAUSE -> {
        if (node.paused && node.pausedBy == f) {
          resume(node);
        }
      }
      case CRASH, STOP -> {
        if (node.down && node.downBy == f) {
          restart(node);
        }
      }
      default -> throw new IllegalStateException(f.kind.toString());
    }
  }

  /**
   * Pushes {@code snapshot} (null: "read it yourself") to a subscriber, in order, after a latency.
   */
  void deliverWatch(SimStore.Subscription s, LockSnapshot snapshot) {
    Node node = s.owner.node;
    if (s.closed || !s.owner.alive) {
      return;
    }
    if (node.activeFault(Fault.Kind.PARTITION) != null) {
      s.missed = true;
      return;
    }
    long latency = network.baseLatency();
    Fault lag = node.activeFault(Fault.Kind.WATCH_LAG);
    if (lag != null) {
      latency += (long) (rnd.nextDouble() * lag.lag);
    }
    long at = Math.max(s.lastDelivery, now + latency);
    s.lastDelivery = at;
    schedule(
        at,
        s.owner,
        Kind.WATCH,
        () -> {
          if (!s.closed) {
            if (tracing()) {
              trace(
                  node,
                  "watch delivers "
                      + (snapshot == null
                          ? "\"changed, read it\""
                          : SimStore.brief(snapshot.record())));
            }
            s.watcher.changed(snapshot);
          }
        });
  }
}
