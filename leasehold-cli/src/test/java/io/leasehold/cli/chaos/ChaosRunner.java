package io.leasehold.cli.chaos;

import io.leasehold.cli.Leasehold;
import io.leasehold.cli.chaos.BackendReport.Pause;
import io.leasehold.cli.chaos.GuardedStore.Database;
import io.leasehold.cli.chaos.GuardedStore.Increment;
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
    BACKEND
  }

  private final long chaosMillis;
  private final long seed;
  private final PrintStream out;

  ChaosRunner(long chaosMillis, long seed, PrintStream out) {
    this.chaosMillis = chaosMillis;
    this.seed = seed;
    this.out = out;
  }

  /** Runs every backend in turn against one guarded store; a report per backend. */
  List<BackendReport> runAll(List<String> backends, Path dir) throws Exception {
    List<BackendReport> reports = new ArrayList<>();
    try (GuardedStore store = GuardedStore.start()) {
      for (String name : backends) {
        Path runDir = Files.createDirectories(dir.resolve(name));
        try (Backend backend = Backend.start(name, runDir)) {
          reports.add(run(backend, store.create(name), runDir));
        }
      }
    }
    return reports;
  }

  /** One backend's run: candidates, faults for the chaos window, a recovery check, the analysis. */
  BackendReport run(Backend backend, Database db, Path dir) throws Exception {
    Run r = new Run(backend, db, dir, new Random(seed ^ backend.name().hashCode()));
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
    final long begin = System.nanoTime();

    Run(Backend backend, Database db, Path dir, Random random) {
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
      for (String id : NAMES) {
        candidates.put(id, new Candidate(id));
        candidates.get(id).start();
      }
      Increment first = awaitWrite(0, 60_000);
      if (first == null) {
        throw new IllegalStateException(
            backend.name() + ": no leader wrote within 60 s; logs in " + dir);
      }
      log("%s leads with token %d", first.holder, first.token);

      List<Fault> plan = new ArrayList<>(List.of(Fault.KILL, Fault.PAUSE, Fault.BACKEND));
      Collections.shuffle(plan, random);
      long end = now() + chaosMillis;
      long nextFault = now() + between(1_000, 2_500);
      while (now() < end) {
        restartDue();
        if (now() >= nextFault) {
          Fault f = !plan.isEmpty() ? plan.remove(0) : pick();
          inject(f);
          nextFault = now() + between(1_500, 4_000);
        }
        sleep(50);
      }
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
      report.analyse(db.counter(), db.increments(), WorkerActivity.readAll(dir), pauses);
      return report;
    }

    Fault pick() {
      int n = random.nextInt(100);
      return n < 45 ? Fault.KILL : n < 80 ? Fault.PAUSE : Fault.BACKEND;
    }

    void inject(Fault f) throws Exception {
      switch (f) {
        case KILL:
          kill();
          break;
        case PAUSE:
          pause();
          break;
        default:
          backendFault();
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
      List<ProcessHandle> children = leader.process.descendants().collect(Collectors.toList());
      List<ProcessHandle> all = new ArrayList<>(children);
      all.add(leader.process.toHandle());
      signal("STOP", all);
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
      pauses.add(new Pause(leader.id, last.token, System.currentTimeMillis() - headStart));
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

    /** One candidate: a {@code leasehold run} process, restarted with the same identity. */
    final class Candidate {
      final String id;
      Process process;
      int generation;

      Candidate(String id) {
        this.id = id;
      }

      void start() throws IOException {
        generation++;
        List<String> argv = new ArrayList<>(Leasehold.launcher());
        argv.add(1, "-Xss512k");
        argv.addAll(
            List.of("run", "--lock", backend.lockSpec(), "--name", LOCK, "--id", id, "--restart"));
        argv.addAll(TIMINGS);
        argv.add("--");
        argv.addAll(java());
        argv.addAll(List.of("-Xmx48m", "-cp", workerClassPath(), ChaosWorker.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(backend.env());
        pb.environment().put("CHAOS_STORE_URL", db.url);
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
