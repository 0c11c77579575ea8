package io.leasehold.cli.chaos;

import io.leasehold.cli.Leasehold;
import io.leasehold.cli.chaos.BackendReport.Pause;
import io.leasehold.cli.chaos.GuardedStore.Database;
import io.leasehold.cli.chaos.GuardedStore.Increment;
import io.leasehold.cli.chaos.Partition.Kind;
import io.leasehold.cli.chaos.Partition.Rejoin;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Real-process chaos for one backend: five {@code leasehold run} candidates whose child ({@link
 * ChaosWorker}) increments a counter guarded by the fencing token, while faults are injected at
 * random (seeded):
 *
 * <ul>
 *   <li>{@code kill -9} of a candidate's {@code leasehold} process (the leader half of the time),
 *       restarted with the same identity 0.5 to 3 s later;
 *   <li>SIGSTOP of the leader's {@code leasehold} process and its child together for longer than
 *       the lease, until a newer term has written, then SIGCONT (child first): only the fencing
 *       token stops the resumed child's next write;
 *   <li>a backend restart (PostgreSQL stop and start, etcd member SIGKILL and restart; for SQLite,
 *       SIGKILL of every candidate, restarted 0.5 to 2 s later).
 * </ul>
 *
 * <p>{@link #withPartitions} makes it a partition run: every candidate, the lock's server and the
 * store run in network namespaces of their own ({@link Network}), and network partitions join the
 * faults: the leader's lock link cut for less or more than the lease, a follower's, every
 * candidate's at once, a link flapping, and a leader cut off while its {@code leasehold} is frozen
 * (its child still writing). A {@link LockRecorder} in the lock's namespace records every term.
 */
final class ChaosRunner {
  static final String LOCK = "chaos";
  static final long LEASE_MILLIS = 2_000;
  static final List<String> TIMINGS =
      List.of("--lease-duration", "2s", "--renew-deadline", "1.5s", "--retry-period", "0.2s");
  static final List<String> NAMES = List.of("alpha", "bravo", "charlie", "delta", "echo");

  enum Fault {
    KILL,
    PAUSE,
    BACKEND,
    CUT_LEADER_SHORT,
    CUT_LEADER_LONG,
    CUT_FOLLOWER,
    CUT_ALL,
    FLAP,
    CUT_FROZEN_LEADER
  }

  static final List<Fault> PARTITIONS =
      List.of(
          Fault.CUT_LEADER_SHORT,
          Fault.CUT_LEADER_LONG,
          Fault.CUT_FOLLOWER,
          Fault.CUT_ALL,
          Fault.FLAP,
          Fault.CUT_FROZEN_LEADER);

  /** The faults after the first ones, in percent. */
  static final List<Map.Entry<Fault, Integer>> MIX =
      List.of(Map.entry(Fault.KILL, 45), Map.entry(Fault.PAUSE, 35), Map.entry(Fault.BACKEND, 20));

  /** The same in a partition run: partitions 60 %, the other faults 40 %. */
  static final List<Map.Entry<Fault, Integer>> PARTITION_MIX =
      List.of(
          Map.entry(Fault.KILL, 15),
          Map.entry(Fault.PAUSE, 15),
          Map.entry(Fault.BACKEND, 10),
          Map.entry(Fault.CUT_LEADER_LONG, 15),
          Map.entry(Fault.CUT_LEADER_SHORT, 10),
          Map.entry(Fault.CUT_FOLLOWER, 10),
          Map.entry(Fault.CUT_ALL, 10),
          Map.entry(Fault.FLAP, 10),
          Map.entry(Fault.CUT_FROZEN_LEADER, 5));

  private final long chaosMillis;
  private final long seed;
  private final PrintStream out;
  private List<String> names = NAMES;
  private boolean partitions;
  private Map<String, List<Fault>> onlyFaults; // per backend: these faults and no others
  private Network network;

  ChaosRunner(long chaosMillis, long seed, PrintStream out) {
    this.chaosMillis = chaosMillis;
    this.seed = seed;
    this.out = out;
  }

  /**
   * Makes this a partition run with {@code candidates} candidates (2 to 5): the partitions join the
   * other faults, first one fault of each kind in a seeded order, then at random.
   */
  ChaosRunner withPartitions(int candidates) {
    if (candidates < 2 || candidates > NAMES.size()) {
      throw new IllegalArgumentException(
          "candidates must be 2 to " + NAMES.size() + ", not " + candidates);
    }
    this.names = NAMES.subList(0, candidates);
    this.partitions = true;
    return this;
  }

  /**
   * Injects only these faults, per backend (by the names {@code runAll} takes), each once in a
   * seeded order, going on past the chaos window until they are done.
   */
  ChaosRunner onlyFaults(Map<String, List<Fault>> faults) {
    this.onlyFaults = Map.copyOf(faults);
    return this;
  }

  /** Runs every backend in turn against one guarded store; a report per backend. */
  List<BackendReport> runAll(List<String> backends, Path dir) throws Exception {
    List<BackendReport> reports = new ArrayList<>();
    try (Network net = partitions ? Network.create(names.size()) : null) {
      network = net;
      try (GuardedStore store = net != null ? GuardedStore.startIn(net) : GuardedStore.start()) {
        for (String name : backends) {
          Path runDir = Files.createDirectories(dir.resolve(name));
          try (Backend backend = Backend.start(name, runDir, net)) {
            reports.add(run(backend, store.create(name), runDir, plan(name)));
          }
        }
      }
    } finally {
      network = null;
    }
    return reports;
  }

  /**
   * The faults injected first (all of them with {@link #onlyFaults}), before the seeded shuffle.
   */
  private List<Fault> plan(String backend) {
    if (onlyFaults != null) {
      return onlyFaults.getOrDefault(backend, List.of());
    }
    List<Fault> plan = new ArrayList<>(List.of(Fault.KILL, Fault.PAUSE, Fault.BACKEND));
    if (partitions) {
      plan.addAll(PARTITIONS);
    }
    return plan;
  }

  /** One backend's run: candidates, faults for the chaos window, a recovery check, the analysis. */
  BackendReport run(Backend backend, Database db, Path dir, List<Fault> firstFaults)
      throws Exception {
    Run r = new Run(backend, db, dir, new Random(seed ^ backend.name().hashCode()), firstFaults);
    // Ctrl-C of a long run: no candidate, child or SIGSTOPped process is left behind
    Thread cleanup = new Thread(r::stopEverything, "chaos-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      return r.execute();
    } finally {
      r.stopEverything();
      db.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException ignored) {
        // the JVM is exiting: the hook runs
      }
    }
  }

  private final class Run {
    final Backend backend;
    final Database db;
    final Path dir;
    final Random random;
    final BackendReport report = new BackendReport();
    final Map<String, Candidate> candidates = new HashMap<>();
    final Map<String, Long> restartAt = new HashMap<>();
    final List<Pause> pauses = new ArrayList<>();
    final List<Pause> frozenCuts = new ArrayList<>();
    final List<Partition> cuts = new ArrayList<>();
    final List<Rejoin> pendingRejoins = new ArrayList<>();
    final long begin = System.nanoTime();
    final long beginWall = System.currentTimeMillis();
    long nextRejoinCheck;
    Process recorder;

    final List<Fault> plan;

    Run(Backend backend, Database db, Path dir, Random random, List<Fault> plan) {
      this.plan = new ArrayList<>(plan);
      this.backend = backend;
      this.db = db;
      this.dir = dir;
      this.random = random;
      report.backend = backend.name();
      report.seed = seed;
      report.chaosMillis = chaosMillis;
      report.backendFault =
          backend.restartFault() != null ? backend.restartFault() : "SIGKILL of every candidate";
    }

    BackendReport execute() throws Exception {
      log("%s: lock %s, store %s", backend.name(), backend.lockSpec(), db.url);
      if (network != null) {
        network.heal(IntStream.range(0, names.size()).boxed().collect(Collectors.toList()));
        startRecorder();
      }
      for (int i = 0; i < names.size(); i++) {
        candidates.put(names.get(i), new Candidate(names.get(i), i));
        candidates.get(names.get(i)).start();
      }
      Increment first = awaitWrite(0, 60_000);
      if (first == null) {
        throw new IllegalStateException(
            backend.name() + ": no leader wrote within 60 s; logs in " + dir);
      }
      log("%s leads with token %d", first.holder, first.token);

      boolean planOnly = onlyFaults != null;
      Collections.shuffle(plan, random);
      long end = now() + chaosMillis;
      long nextFault = now() + (planOnly ? between(500, 1_000) : between(1_000, 2_500));
      while (now() < end || (planOnly && !plan.isEmpty())) {
        restartDue();
        if (now() >= nextFault && (!planOnly || !plan.isEmpty())) {
          awaitRejoins();
          Fault f = !plan.isEmpty() ? plan.remove(0) : pick();
          if (!cuts.isEmpty() && cuts.get(cuts.size() - 1).nextFaultAt == Long.MAX_VALUE) {
            cuts.get(cuts.size() - 1).nextFaultAt = System.currentTimeMillis();
          }
          inject(f);
          nextFault = now() + (planOnly ? between(500, 1_500) : between(1_500, 4_000));
        }
        sleep(50);
      }
      awaitRejoins();
      log("chaos window over; restarting the candidates still down and waiting for a write");
      restartAt.replaceAll((id, at) -> now());
      restartDue();
      long last = db.last() == null ? 0 : db.last().seq;
      report.recovered = awaitWrite(last, 30_000) != null;
      log(
          report.recovered
              ? "a leader writes again"
              : "NO WRITE within 30 s after the chaos window");

      stopEverything();
      List<WorkerActivity> journals = WorkerActivity.readAll(dir);
      report.analyse(db.counter(), db.increments(), journals, pauses, frozen());
      if (network != null) {
        Map<String, CandidateLog> logs = new HashMap<>();
        report.partitions.addAll(cuts);
        report.analysePartitions(
            new LockHistory(LockRecorder.read(dir.resolve("lock-terms.log"))),
            journals,
            id -> logs.computeIfAbsent(id, this::candidateLog),
            frozen());
        cuts.forEach(c -> log("%s", c.result()));
      }
      return report;
    }

    /** The children whose leasehold was frozen while they ran: paused, or cut off and frozen. */
    List<Pause> frozen() {
      List<Pause> all = new ArrayList<>(pauses);
      all.addAll(frozenCuts);
      return all;
    }

    CandidateLog candidateLog(String id) {
      try {
        return CandidateLog.read(dir.resolve(id + ".log"), beginWall);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /**
     * The lock's view, recorded from inside its namespace: {@code lock-terms.log}, its own output
     * in {@code recorder.log}.
     */
    void startRecorder() throws IOException {
      List<String> argv = new ArrayList<>(Network.exec(network.lockNamespace()));
      argv.addAll(java());
      argv.addAll(
          List.of(
              "-Xmx64m",
              "-cp",
              System.getProperty("java.class.path"),
              LockRecorder.class.getName(),
              backend.lockSpec("127.0.0.1"),
              LOCK,
              dir.resolve("lock-terms.log").toString(),
              Long.toString(ProcessHandle.current().pid())));
      recorder =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("recorder.log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
    }

    /** A fault drawn from the mix (percentages) after the first faults. */
    Fault pick() {
      int n = random.nextInt(100);
      for (Map.Entry<Fault, Integer> e : (partitions ? PARTITION_MIX : MIX)) {
        n -= e.getValue();
        if (n < 0) {
          return e.getKey();
        }
      }
      throw new AssertionError("the mix adds up to 100");
    }

    void inject(Fault f) throws Exception {
      switch (f) {
        case KILL -> kill();
        case PAUSE -> pause();
        case BACKEND -> backendFault();
        case CUT_LEADER_SHORT -> cutLeader(Kind.LEADER_SHORT);
        case CUT_LEADER_LONG -> cutLeader(Kind.LEADER_LONG);
        case CUT_FROZEN_LEADER -> cutLeader(Kind.LEADER_FROZEN);
        case CUT_FOLLOWER -> cutFollower();
        case CUT_ALL -> cutAll();
        case FLAP -> flap();
      }
    }

    /**
     * Cuts the leader's lock link: for 0.3 s to lease - 0.3 s ({@code LEADER_SHORT}); or for at
     * least lease + 0.5 s and until a newer term has written to the store, at most lease + 8 s
     * ({@code LEADER_LONG}); or the same with the leader's {@code leasehold} frozen (SIGSTOP) while
     * its child runs on, until the store's fence refused the child, so that only the fence can stop
     * it ({@code LEADER_FROZEN}).
     */
    void cutLeader(Kind kind) throws Exception {
      Candidate leader = leader(3_000);
      if (leader == null) {
        log("%s: no leader writing; skipped", kind.label);
        return;
      }
      Increment last = db.last();
      Partition p = cut(kind, List.of(leader), leader, last.token);
      long stoppedAt = System.currentTimeMillis();
      if (kind == Kind.LEADER_FROZEN) {
        freeze(leader, false);
      }
      if (kind == Kind.LEADER_SHORT) {
        sleep(between(300, LEASE_MILLIS - 300));
      } else {
        sleep(LEASE_MILLIS + 500);
        long cap = System.currentTimeMillis() + LEASE_MILLIS + 8_000;
        while (System.currentTimeMillis() < cap
            && (db.fence() <= last.token || (kind == Kind.LEADER_FROZEN && workerRuns(leader)))) {
          sleep(50);
        }
      }
      if (kind == Kind.LEADER_FROZEN) {
        signal("CONT", List.of(leader.process.toHandle()));
        frozenCuts.add(new Pause(leader.id, last.token, stoppedAt, System.currentTimeMillis()));
      }
      heal(p);
    }

    /** Cuts one follower's lock link for 0.5 to 4 s (so sometimes for longer than the lease). */
    void cutFollower() throws Exception {
      Candidate leader = leader(2_000);
      List<Candidate> followers =
          alive().stream().filter(c -> c != leader).collect(Collectors.toList());
      if (followers.isEmpty()) {
        log("%s: no follower running; skipped", Kind.FOLLOWER.label);
        return;
      }
      Candidate f = followers.get(random.nextInt(followers.size()));
      Partition p = cut(Kind.FOLLOWER, List.of(f), leader, leaderToken(leader));
      sleep(between(500, 4_000));
      heal(p);
    }

    /** Cuts every running candidate's lock link at once, for 1 to 4 s: nobody can lead. */
    void cutAll() throws Exception {
      Candidate leader = leader(2_000);
      Partition p = cut(Kind.ALL, alive(), leader, leaderToken(leader));
      sleep(between(1_000, 4_000));
      heal(p);
    }

    /**
     * Takes one lock link (the leader's two times in three) down and up 3 to 7 times: down 0.1 to
     * 0.7 s, up 0.1 to 0.5 s.
     */
    void flap() throws Exception {
      Candidate leader = leader(2_000);
      List<Candidate> all = alive();
      if (all.isEmpty()) {
        return;
      }
      Candidate target =
          leader != null && random.nextInt(3) < 2 ? leader : all.get(random.nextInt(all.size()));
      Partition p = cut(Kind.FLAP, List.of(target), leader, leaderToken(leader));
      int cuts = 3 + random.nextInt(5);
      for (int i = 1; i < cuts; i++) {
        sleep(between(100, 700));
        network.heal(List.of(target.index));
        sleep(between(100, 500));
        network.cut(List.of(target.index));
      }
      p.toggles = cuts;
      sleep(between(100, 700));
      heal(p);
    }

    /**
     * SIGSTOPs the candidate's {@code leasehold} process, then, with {@code children}, its
     * descendants, again until no new one appears: a leader may be starting a child for a new term
     * at that moment, and a child forked after a first look would run on unfrozen.
     *
     * @return the descendants frozen
     */
    List<ProcessHandle> freeze(Candidate c, boolean children) {
      signal("STOP", List.of(c.process.toHandle()));
      List<ProcessHandle> frozen = new ArrayList<>();
      while (children) {
        List<ProcessHandle> fresh =
            c.process.descendants().filter(d -> !frozen.contains(d)).collect(Collectors.toList());
        if (fresh.isEmpty()) {
          break;
        }
        signal("STOP", fresh);
        frozen.addAll(fresh);
      }
      return frozen;
    }

    /** Whether the candidate's child, the worker JVM, still runs. */
    boolean workerRuns(Candidate c) {
      String java = java().get(0);
      return c.process.descendants().anyMatch(d -> d.info().command().orElse("").equals(java));
    }

    long leaderToken(Candidate leader) throws Exception {
      Increment last = db.last();
      return leader != null && last != null && last.holder.equals(leader.id) ? last.token : 0;
    }

    List<Candidate> alive() {
      return candidates.values().stream()
          .filter(Candidate::alive)
          .sorted((a, b) -> a.id.compareTo(b.id))
          .collect(Collectors.toList());
    }

    Partition cut(Kind kind, List<Candidate> victims, Candidate leader, long token)
        throws IOException {
      network.cut(victims.stream().map(c -> c.index).collect(Collectors.toList()));
      Partition p =
          new Partition(
              kind,
              victims.stream().map(c -> c.id).collect(Collectors.toList()),
              leader == null ? null : leader.id,
              leader == null ? 0 : token,
              System.currentTimeMillis());
      cuts.add(p);
      return p;
    }

    /** Heals the partition; its candidates then have to show they are back. */
    void heal(Partition p) throws IOException {
      List<Candidate> victims =
          p.victims.stream().map(candidates::get).collect(Collectors.toList());
      network.heal(victims.stream().map(c -> c.index).collect(Collectors.toList()));
      p.healAt = System.currentTimeMillis();
      for (Candidate c : victims) {
        long[] packets = c.alive() ? Network.lockLinkPackets(c.process.pid()) : null;
        Rejoin r = new Rejoin(c.id, c.generation, c.alive() ? c.process.pid() : -1, packets);
        r.restarted = packets == null;
        p.rejoins.put(c.id, r);
        if (packets != null) {
          pendingRejoins.add(r);
        }
      }
      log("%s; healed", p.describe());
    }

    /**
     * Watches the healed candidates' lock links: one is back on the network once it has received at
     * least 15 packets and sent 5 since the heal (its watch's events, its reads and writes).
     */
    void checkRejoins() {
      long now = System.currentTimeMillis();
      if (pendingRejoins.isEmpty() || now < nextRejoinCheck) {
        return;
      }
      nextRejoinCheck = now + 100;
      pendingRejoins.removeIf(
          r -> {
            Candidate c = candidates.get(r.id);
            long[] packets = Network.lockLinkPackets(r.pid);
            if (c.generation != r.generation || packets == null) {
              r.restarted = true;
              return true;
            }
            if (packets[0] - r.packetsAtHeal[0] >= 15 && packets[1] - r.packetsAtHeal[1] >= 5) {
              r.trafficAt = now;
              return true;
            }
            return now - beginOf(r) > Partition.REJOIN_LIMIT_MILLIS;
          });
    }

    long beginOf(Rejoin r) {
      for (Partition p : cuts) {
        if (p.rejoins.get(r.id) == r) {
          return p.healAt;
        }
      }
      return 0;
    }

    /** Before the next fault: waits until the healed candidates are back (at most the limit). */
    void awaitRejoins() throws Exception {
      while (!pendingRejoins.isEmpty()) {
        sleep(50);
      }
    }

    /** SIGKILL of one candidate, the leader half of the time; it comes back 0.5 to 3 s later. */
    void kill() throws Exception {
      Candidate leader = random.nextBoolean() ? leader(2_000) : null;
      List<Candidate> alive =
          candidates.values().stream()
              .filter(Candidate::alive)
              .sorted((a, b) -> a.id.compareTo(b.id))
              .collect(Collectors.toList());
      Candidate victim =
          leader != null
              ? leader
              : alive.isEmpty() ? null : alive.get(random.nextInt(alive.size()));
      if (victim == null) {
        return;
      }
      victim.kill9();
      long back = between(500, 3_000);
      restartAt.put(victim.id, now() + back);
      report.kills++;
      log(
          "kill -9 %s%s (back in %.1f s)",
          victim.id, victim == leader ? " (leader)" : "", back / 1000.0);
    }

    /**
     * SIGSTOP of the leader's leasehold process and its child for at least lease + 1 s, and until a
     * newer term has written or a writer waits behind the paused child's open transaction (at most
     * lease + 6 s); then SIGCONT, the child 0 to 150 ms before its leasehold process, so that the
     * resumed child sometimes tries a write before leasehold stops it.
     */
    void pause() throws Exception {
      Candidate leader = leader(5_000);
      if (leader == null) {
        log("pause: no leader writing; skipped");
        return;
      }
      Increment last = db.last();
      long stoppedAt = System.currentTimeMillis();
      List<ProcessHandle> children = freeze(leader, true);
      long stopped = now();
      report.pauses++;
      sleep(LEASE_MILLIS + 1_000);
      int blocked = 0;
      while (db.fence() <= last.token
          && (blocked = db.blockedWriters()) == 0
          && now() - stopped < LEASE_MILLIS + 6_000) {
        sleep(50);
      }
      String diagnosis = "";
      if (db.fence() <= last.token && blocked == 0) {
        report.pausesWithoutTakeover++;
        diagnosis = backend.frozenHolderDiagnosis();
        diagnosis = "; NO TAKEOVER" + (diagnosis.isEmpty() ? "" : ": " + diagnosis);
      }
      sleep(between(0, 300));
      long newer = db.fence();
      long headStart = between(0, 150);
      signal("CONT", children);
      Thread.sleep(headStart);
      signal("CONT", List.of(leader.process.toHandle()));
      pauses.add(
          new Pause(leader.id, last.token, stoppedAt, System.currentTimeMillis() - headStart));
      log(
          "paused %s (leader, token %d) and its child for %.1f s; the store's fence is now %d%s%s;"
              + " the child resumed %d ms before leasehold",
          leader.id,
          last.token,
          (now() - stopped) / 1000.0,
          newer,
          blocked > 0
              ? ", " + blocked + " writer(s) waiting behind the paused child's transaction"
              : "",
          diagnosis,
          headStart);
    }

    void backendFault() throws Exception {
      report.backendFaults++;
      if (backend.restartFault() == null) {
        long back = between(500, 2_000);
        List<Candidate> alive =
            candidates.values().stream().filter(Candidate::alive).collect(Collectors.toList());
        for (Candidate c : alive) {
          c.kill9();
        }
        long at = now() + back;
        alive.forEach(c -> restartAt.put(c.id, at));
        log("kill -9 of every candidate (back in %.1f s)", back / 1000.0);
        return;
      }
      long down = between(300, 2_000);
      long t = now();
      backend.down();
      sleep(down);
      backend.up();
      log(
          "%s: down %.1f s, serving again after %.1f s",
          backend.restartFault(), down / 1000.0, (now() - t) / 1000.0);
    }

    /** Sleeps, restarting the candidates whose time has come meanwhile. */
    void sleep(long millis) throws Exception {
      long until = now() + millis;
      restartDue();
      while (now() < until) {
        Thread.sleep(Math.min(50, Math.max(1, until - now())));
        restartDue();
      }
    }

    /** Restarts candidates whose time has come, and those that exited by themselves. */
    void restartDue() throws IOException {
      checkRejoins();
      for (Candidate c : candidates.values()) {
        Long at = restartAt.get(c.id);
        if (at != null && now() >= at) {
          restartAt.remove(c.id);
          c.start();
        } else if (at == null && !c.alive()) {
          String why = c.id + " exited with code " + c.process.exitValue();
          report.unexpectedExits.add(why);
          log("%s; restarting it", why);
          c.start();
        }
      }
    }

    /** The candidate whose child wrote in the last 500 ms, waiting up to {@code millis}. */
    Candidate leader(long millis) throws Exception {
      long until = now() + millis;
      do {
        Increment last = db.last();
        if (last != null && System.currentTimeMillis() - last.at < 500) {
          Candidate c = candidates.get(last.holder);
          if (c != null && c.alive() && c.process.descendants().findAny().isPresent()) {
            return c;
          }
        }
        sleep(50);
      } while (now() < until);
      return null;
    }

    /** Waits for an increment with a seq above {@code after}. */
    Increment awaitWrite(long after, long millis) throws Exception {
      long until = now() + millis;
      do {
        restartDue();
        Increment last = db.last();
        if (last != null && last.seq > after) {
          return last;
        }
        Thread.sleep(100);
      } while (now() < until);
      return null;
    }

    /** SIGCONT and SIGKILL for every candidate, its children, and any worker still alive. */
    synchronized void stopEverything() {
      List<ProcessHandle> all = new ArrayList<>();
      if (recorder != null) {
        all.add(recorder.toHandle());
      }
      for (Candidate c : candidates.values()) {
        if (c.process != null) {
          all.addAll(c.process.descendants().collect(Collectors.toList()));
          all.add(c.process.toHandle());
        }
      }
      try {
        for (WorkerActivity w : WorkerActivity.readAll(dir)) {
          ProcessHandle.of(w.pid).ifPresent(all::add);
        }
      } catch (IOException e) {
        log("cannot read the journals: %s", e);
      }
      signal("CONT", all);
      all.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle p : all) {
        try {
          p.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          log("process %d did not exit: %s", p.pid(), e);
        }
      }
    }

    long between(long lo, long hi) {
      return lo + (long) (random.nextDouble() * (hi - lo));
    }

    void log(String format, Object... args) {
      out.printf(
          Locale.ROOT,
          "[%s %6.1f s] %s%n",
          backend.name(),
          (System.nanoTime() - begin) / 1e9,
          String.format(Locale.ROOT, format, args));
      out.flush();
    }

    /**
     * One candidate: a {@code leasehold run} process, restarted with the same identity; in a
     * partition run, in its own network namespace, reaching the lock and the store over its links.
     */
    final class Candidate {
      final String id;
      final int index;
      Process process;
      int generation;

      Candidate(String id, int index) {
        this.id = id;
        this.index = index;
      }

      void start() throws IOException {
        generation++;
        List<String> argv = new ArrayList<>();
        if (network != null) {
          argv.addAll(Network.exec(network.candidateNamespace(index)));
        }
        int java = argv.size();
        argv.addAll(Leasehold.launcher());
        argv.add(java + 1, "-Xss512k");
        String lock =
            network == null ? backend.lockSpec() : backend.lockSpec(network.lockAddress(index));
        argv.addAll(List.of("run", "--lock", lock, "--name", LOCK, "--id", id, "--restart"));
        if (network != null) {
          argv.add("--verbose"); // a follower logs what it read: a sign that it is back after a cut
        }
        argv.addAll(TIMINGS);
        argv.add("--");
        argv.addAll(java());
        argv.addAll(List.of("-Xmx48m", "-cp", workerClassPath(), ChaosWorker.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(backend.env());
        pb.environment()
            .put(
                "CHAOS_STORE_URL",
                db.childUrl(network == null ? "127.0.0.1" : network.storeAddress(index)));
        pb.environment().put("CHAOS_DIR", dir.toString());
        File logFile = dir.resolve(id + ".log").toFile();
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        process = pb.start();
      }

      boolean alive() {
        return process != null && process.isAlive();
      }

      void kill9() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> java() {
    return List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Xss512k");
  }

  /**
   * The worker needs only its own classes and the PostgreSQL driver: a short class path starts
   * faster.
   */
  private static String workerClassPath() {
    return location(ChaosWorker.class) + File.pathSeparator + location(org.postgresql.Driver.class);
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void signal(String signal, List<ProcessHandle> processes) {
    List<String> pids =
        processes.stream()
            .filter(ProcessHandle::isAlive)
            .map(p -> Long.toString(p.pid()))
            .collect(Collectors.toList());
    if (pids.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
    cmd.addAll(pids);
    try {
      new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
