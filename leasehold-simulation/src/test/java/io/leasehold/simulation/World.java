package io.leasehold.simulation;

import io.leasehold.kubernetes.MultiLock;
import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

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
    /** A task a process handed to its callback executor. */
    CALLBACK,
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

  /** The election's store (the Lease; the secondary of MultiLock candidates). */
  final SimStore store;

  /** The primary store of MultiLock candidates (the legacy ConfigMap), or null. */
  final SimStore primary;

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
  private int blockedDepth;

  /** Run the callback executors as if no CALLBACK_STALL fault were drawn (for a comparison). */
  boolean callbackStallsIgnored;

  /** Every write of every store, when a test asks for it: "time store version record". */
  List<String> writeLog;

  private long lastDisturbance;
  private long recovery = -1;

  World(Scenario scenario, boolean tracing) {
    this.scenario = scenario;
    this.rnd = new Random(scenario.worldSeed);
    this.trace = tracing ? new Trace() : null;
    this.nodes = new Node[scenario.nodes];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = new Node(i, scenario.rates[i], scenario.watches[i], scenario.multiLock[i]);
    }
    boolean cas = scenario.model.compareVersions();
    this.store = new SimStore(this, "lease", scenario.coarseRaw, cas);
    this.primary =
        scenario.model.multiLockCandidates() > 0
            ? new SimStore(this, "configmap", scenario.coarseRaw, cas)
            : null;
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

  /**
   * Something restarted a follower's countdown (a stale watch event, a foreign writer's lease):
   * like a fault in force for a lease on the slowest clock.
   */
  void disturbanceForALease() {
    lastDisturbance =
        Math.max(lastDisturbance, now + (long) Math.ceil(scenario.lease / scenario.minRate()));
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
      step(queue.poll());
    }
    if (!checker.violated()) {
      now = Math.max(now, until);
      checker.sample();
    }
  }

  /** Takes one event off the queue: time moves to it, it runs, the checker samples. */
  private void step(Event e) {
    if (e.cancelled) {
      return;
    }
    now = e.time;
    events++;
    dispatch(e);
    checker.sample();
  }

  /**
   * A task of {@code inc} blocks until {@code f} completes (a blocking lock call on a pool thread):
   * the world runs on meanwhile, other tasks and timers of the same process included, as on other
   * threads. Nested blocking calls resume in reverse order, which only delays a thread whose
   * response came first, as a busy scheduler may.
   *
   * @throws ThreadGone when the process died meanwhile or the run is over; the task ends
   */
  void await(Incarnation inc, CompletableFuture<?> f) {
    if (++blockedDepth > 64) {
      fatal("blocking lock calls nested more than 64 deep");
    }
    try {
      while (!f.isDone()) {
        if (!inc.alive || checker.violated()) {
          throw new ThreadGone(inc.alive ? "the run is over" : inc.name() + " died");
        }
        Event e = queue.poll();
        if (e == null) {
          fatal(inc.name() + " blocks in a lock call, and nothing is left to happen");
          throw new ThreadGone("nothing left to happen");
        }
        step(e);
      }
    } finally {
      blockedDepth--;
    }
  }

  /** The thread of a blocking call ends without an answer: its process died, or the run ended. */
  static final class ThreadGone extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ThreadGone(String message) {
      super(message, null, false, false);
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
    if (owner == null) {
      e.action.run(); // the world's own work: an exception is a bug of the simulation
      return;
    }
    try {
      e.action.run();
    } catch (ThreadGone gone) {
      throw gone;
    } catch (RuntimeException x) {
      escaped(owner, e.kind, x);
    }
  }

  /**
   * The elector let an exception escape into a thread that is not its own: the clock's timer
   * thread, the lock's watch thread, a pool thread. Such a thread logs it or dies; the election
   * must not depend on which. Traced; a violation where the model checks the new elector's callback
   * rules (a rejecting callback executor is an error handled where it happens).
   */
  private void escaped(Incarnation owner, Kind kind, RuntimeException x) {
    trace(owner.node, "an exception escaped into a " + kind + " thread: " + x);
    if (scenario.model.callbackRules()) {
      checker.violation(owner.name() + " let an exception escape into a " + kind + " thread: " + x);
    }
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
    inc.lock = newLock(inc);
    LeaderElectionConfig.Builder b =
        LeaderElectionConfig.builder()
            .lock(inc.lock)
            .name("sim")
            .leaseDuration(Duration.ofNanos(scenario.lease))
            .renewDeadline(Duration.ofNanos(scenario.renew))
            .retryPeriod(Duration.ofNanos(scenario.retry))
            .releaseOnCancel(
                scenario.releaseOnCancel && (!node.multiLock || scenario.model.multiLockReleases()))
            .whenLost(WhenLost.COMPETE_AGAIN)
            .enforceLeaderDeadline(scenario.model.enforceLeaderDeadline())
            .clock(inc.clock)
            .executor(new SimExecutor(this, inc))
            .callbackExecutor(new SimCallbackExecutor(this, inc))
            .random(new Random(rnd.nextLong()))
            .callbacks(
                LeaderCallbacks.builder()
                    .onStartedLeading(ctx -> started(inc, ctx))
                    .onStoppedLeading(() -> stoppedLeading(inc))
                    .onNewLeader(id -> newLeader(inc, id))
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

  /** The lock of a new process: the election's store, or a MultiLock over both stores. */
  private Lock newLock(Incarnation inc) {
    SimLock lease = new SimLock(this, inc, store);
    if (!inc.node.multiLock) {
      return lease;
    }
    return new MultiLock(new SimLock(this, inc, primary), lease);
  }

  /** Whether a callback of {@code inc} throws now (a CALLBACK_THROWS fault on its node). */
  private boolean callbackThrows(Incarnation inc, String which) {
    Fault f = inc.node.activeFault(Fault.Kind.CALLBACK_THROWS);
    if (f == null || rnd.nextDouble() >= f.p) {
      return false;
    }
    stats.add(Stats.Counter.CALLBACKS_THREW);
    trace(inc.node, which + " THROWS");
    return true;
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
          "onStartedLeading, token "
              + ctx.fencingToken()
              + (ctx.isCancelled()
                  ? ", already cancelled: " + ctx.cancellationReason()
                  : scenario.model.enforceLeaderDeadline()
                      ? ", authority left " + seconds(ctx.remaining().toNanos()) + " (local)"
                      : ""));
      ctx.whenCancelled()
          .thenRun(
              () ->
                  trace(
                      inc.node,
                      "term " + ctx.fencingToken() + " ended: " + ctx.cancellationReason()));
    }
    checker.handed(inc, ctx);
    if (!ctx.isCancelled() && callbackThrows(inc, "onStartedLeading")) {
      stats.add(Stats.Counter.STARTED_LEADING_THREW);
      checker.startedLeadingThrew(inc, ctx);
      throw new SimCallbackFailure("onStartedLeading of " + inc.name());
    }
  }

  private void stoppedLeading(Incarnation inc) {
    if (tracing()) {
      trace(inc.node, inc.name() + ": onStoppedLeading");
    }
    if (callbackThrows(inc, "onStoppedLeading")) {
      throw new SimCallbackFailure("onStoppedLeading of " + inc.name());
    }
  }

  private void newLeader(Incarnation inc, String id) {
    if (tracing()) {
      trace(inc.node, inc.name() + ": onNewLeader " + id);
    }
    if (callbackThrows(inc, "onNewLeader")) {
      throw new SimCallbackFailure("onNewLeader of " + inc.name());
    }
  }

  /** What a misbehaving callback throws; no stack trace. */
  static final class SimCallbackFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimCallbackFailure(String message) {
      super("simulated failure of " + message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
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
    for (SimStore.Subscription s : subscriptionsOf(inc.node)) {
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
          if (scenario.model.callbackRules()) {
            inc.stopAskedLocal = inc.clock.nanoTime();
            long bound = stopBound();
            schedule(
                inc.clock.globalAt(inc.stopAskedLocal + bound + TIMER_ROUNDING),
                null,
                Kind.WORLD,
                () -> checkStopped(inc, bound));
          }
          inc.elector.stop().whenComplete((v, e) -> stopped(node, inc, f));
        });
  }

  /**
   * Slack for the stop bound, on the process's clock. The bound is a chain of two timers (the
   * release's deadline, then onStoppedLeading's patience), and a timer fires at the first global
   * nanosecond at which the local reading has reached its due time: on a clock faster than global
   * time the reading then already exceeds it by up to a nanosecond, and the next timer of the chain
   * is counted from there. One microsecond covers that rounding many times over and nothing else
   * (seeds 18326, 35348 and 47766 of {@code callbacks} stopped exactly at the bound plus 1-2 ns).
   */
  private static final long TIMER_ROUNDING = 1_000;

  /** How long a graceful stop may take on the process's clock: renewDeadline + retryPeriod. */
  private long stopBound() {
    return scenario.renew + scenario.retry;
  }

  private void checkStopped(Incarnation inc, long bound) {
    if (inc.stopAskedLocal < 0 || !inc.alive || inc.pausedWhileStopping) {
      return; // stopped, crashed meanwhile, or paused (the bound is for a running process)
    }
    stats.add(Stats.Counter.STOPS_CHECKED);
    checker.violation(
        inc.name()
            + ": stop() has not completed "
            + seconds(bound)
            + " (renewDeadline + retryPeriod, local) after it was called");
  }

  private void stopped(Node node, Incarnation inc, Fault f) {
    if (inc.stopAskedLocal >= 0 && inc.alive && !inc.pausedWhileStopping) {
      stats.add(Stats.Counter.STOPS_CHECKED);
    }
    inc.stopAskedLocal = -1;
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
    checker.resumed(node.inc);
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
      case PARTITION, SLOW, LOSSY, WATCH, CALLBACK_STALL, CALLBACK_THROWS -> {
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
      case DELETE -> delete(f, "an operator");
      case DELETE_IDLE -> {
        globalActive.add(f);
        deleteWhenIdle(f);
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
        if (node.inc != null && node.inc.stopAskedLocal >= 0) {
          node.inc.pausedWhileStopping = true;
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
          for (SimStore.Subscription s : subscriptionsOf(node)) {
            if (s.missed) {
              s.missed = false;
              reconnect(s);
            }
          }
        }
      }
      case SLOW, LOSSY, WATCH, CALLBACK_STALL, CALLBACK_THROWS -> {
        node.active.remove(f);
        trace(node, "fault ends: " + f);
      }
      case STORE_DOWN, FLAKY -> {
        globalActive.remove(f);
        trace(null, "fault ends: " + f);
      }
      case DELETE, DELETE_IDLE -> {
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
   * Deletes the record once it names nobody or has not changed for the lease it names (no leader
   * can still act on it then: its authority is at most that lease divided by rho after its last
   * write, on a clock running at least at rho^(-1/2), so at most lease / rho^(1/2) of real time);
   * checks every retry period until the fault ends, and soon after every release ({@link
   * #written}). The check and the deletion are one step, as a delete with a version precondition.
   */
  private void deleteWhenIdle(Fault f) {
    LockSnapshot s = store.read();
    if (s != null
        && (!s.record().hasHolder()
            || now - store.lastWriteAt() >= s.record().leaseDurationSeconds() * SECOND)) {
      delete(f, "an operator cleaning up an idle record");
    } else if (now + scenario.retry < f.end()) {
      schedule(now + scenario.retry, null, Kind.WORLD, () -> deleteWhenIdle(f));
    }
  }

  /**
   * Deletes the record; with {@link Fault.Mode#FOREIGN}, a foreign writer (not a candidate) then
   * tries to create a record naming itself, racing the candidates.
   */
  private void delete(Fault f, String by) {
    if (!store.delete(by) || f.mode != Fault.Mode.FOREIGN) {
      return;
    }
    long at = now + (long) (rnd.nextDouble() * scenario.retry);
    schedule(
        at,
        null,
        Kind.WORLD,
        () -> {
          if (store.read() != null) {
            return;
          }
          Instant wall = Instant.parse("2026-11-23T00:00:00Z").plusNanos(now);
          LeaderElectionRecord foreign =
              LeaderElectionRecord.builder()
                  .holderIdentity("intruder")
                  .leaseDurationSeconds((int) ((scenario.lease + SECOND - 1) / SECOND))
                  .acquireTime(wall)
                  .renewTime(wall)
                  .build();
          try {
            store.create(foreign, "a foreign writer");
            stats.add(Stats.Counter.FOREIGN_WRITES);
            disturbanceForALease();
          } catch (LockException e) {
            fatal("the foreign writer could not create the record: " + e.getMessage());
          }
        });
  }

  /** {@code written} was just stored: an operator cleaning up idle records may delete it soon. */
  void written(SimStore s, LockSnapshot written) {
    Fault f = activeGlobalFault(Fault.Kind.DELETE_IDLE);
    if (s != store || written.record().hasHolder() || f == null) {
      return;
    }
    long at = now + (long) (rnd.nextDouble() * scenario.retry / 5);
    schedule(
        at,
        null,
        Kind.WORLD,
        () -> {
          if (store.read() == written) {
            delete(f, "an operator deleting a released record");
          }
        });
  }

  /** The watch subscriptions of {@code node}'s processes, on every store. */
  private List<SimStore.Subscription> subscriptionsOf(Node node) {
    List<SimStore.Subscription> out = new ArrayList<>(store.subscriptionsOf(node));
    if (primary != null) {
      out.addAll(primary.subscriptionsOf(node));
    }
    return out;
  }

  /**
   * A watch re-established after a partition: it says "something changed, read it", or (half of the
   * time, as a watch served from a lagging cache would) pushes an older snapshot.
   */
  private void reconnect(SimStore.Subscription s) {
    LockSnapshot old = rnd.nextBoolean() ? s.store().older() : null;
    schedule(now + network.baseLatency(), s.owner, Kind.WATCH, () -> notify(s, old));
  }

  /**
   * Pushes {@code snapshot} (null: "read it yourself") to a subscriber after a latency: in order,
   * unless the node's WATCH fault says otherwise (late, out of order, skipped, followed by a stale
   * repeat).
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
    boolean ordered = true;
    LockSnapshot repeat = null;
    Fault w = node.activeFault(Fault.Kind.WATCH);
    if (w != null) {
      switch (w.mode) {
        case LAG -> latency += (long) (rnd.nextDouble() * w.lag);
        case REORDER -> {
          latency += (long) (rnd.nextDouble() * w.lag);
          ordered = false;
        }
        case SKIP -> {
          if (rnd.nextDouble() < w.p) {
            stats.add(Stats.Counter.SKIPPED_WATCH_EVENTS);
            trace(node, "watch skips a notification");
            return;
          }
        }
        case STALE -> {
          if (rnd.nextDouble() < w.p) {
            repeat = s.store().older();
          }
        }
        default -> throw new IllegalStateException(w.mode.toString());
      }
    }
    long at = now + latency;
    if (ordered) {
      at = Math.max(s.lastDelivery, at);
      s.lastDelivery = at;
    }
    schedule(at, s.owner, Kind.WATCH, () -> notify(s, snapshot));
    if (repeat != null) {
      LockSnapshot old = repeat;
      long later = Math.max(s.lastDelivery, at + (long) (rnd.nextDouble() * w.lag));
      s.lastDelivery = later;
      schedule(later, s.owner, Kind.WATCH, () -> notify(s, old));
    }
  }

  private void notify(SimStore.Subscription s, LockSnapshot snapshot) {
    if (s.closed) {
      return;
    }
    boolean stale = s.store().isStale(snapshot);
    if (stale) {
      stats.add(Stats.Counter.STALE_WATCH_EVENTS);
      if (!snapshot.record().hasHolder()) {
        stats.add(Stats.Counter.STALE_RELEASED_EVENTS);
      }
      disturbanceForALease();
    }
    if (tracing()) {
      trace(
          s.owner.node,
          "watch of "
              + s.store().name
              + " delivers "
              + (snapshot == null ? "\"changed, read it\"" : SimStore.brief(snapshot))
              + (stale ? " (STALE)" : ""));
    }
    s.watcher.changed(snapshot);
  }
}
