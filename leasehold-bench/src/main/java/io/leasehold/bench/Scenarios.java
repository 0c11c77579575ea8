package io.leasehold.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Scenario benchmarks on real backends, three candidates with the peers' timings (lease 3 s, renew
 * 2 s, retry 0.4 s): time to the first leader, graceful handover (the leader releases), crash
 * failover (the leader stops without releasing) as a ratio to the lease, and requests per second
 * sent by the leader and by each follower while the leader renews. Prints a Markdown table with
 * Apache Curator's {@code LeaderLatch} on ZooKeeper as the reference row ({@link CuratorScenario}),
 * then the threads per candidate process ({@link ThreadCount}).
 *
 * <pre>
 * bin/bench scenarios [--backends memory,sqlite,postgres,etcd,kubernetes,curator] [--handovers 20]
 *                     [--crashes 5] [--window 10] [--no-threads]
 * </pre>
 */
public final class Scenarios {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Scenarios() {}

  /** One backend's figures. */
  static final class Result {
    final String backend;
    final String watch;
    final List<Double> first = new ArrayList<>();
    final List<Double> handover = new ArrayList<>();
    final List<Double> failover = new ArrayList<>();
    double leaderRate;
    double followerRate;
    String load = "";

    Result(String backend, String watch) {
      this.backend = backend;
      this.watch = watch;
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> backends =
        List.of("memory", "sqlite", "postgres", "etcd", "kubernetes", "curator");
    int handovers = 20;
    int crashes = 5;
    int window = 10;
    boolean threads = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backends":
          backends = Arrays.asList(args[++i].split(","));
          break;
        case "--handovers":
          handovers = Integer.parseInt(args[++i]);
          break;
        case "--crashes":
          crashes = Integer.parseInt(args[++i]);
          break;
        case "--window":
          window = Integer.parseInt(args[++i]);
          break;
        case "--no-threads":
          threads = false;
          break;
        default:
          throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Leasehold scenarios, %s, %d CPUs, Java %s, %s; 3 candidates, %s; %d handovers, %d"
            + " crashes, %d s steady window%n%n",
        LocalDate.now(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        ManagementFactory.getOperatingSystemMXBean().getName(),
        Timings.PEERS,
        handovers,
        crashes,
        window);
    List<Result> results = new ArrayList<>();
    for (String name : backends) {
      String load = ProcCpu.loadAverage();
      Result r;
      try {
        if (name.trim().equals("curator")) {
          r = CuratorScenario.run(handovers, crashes, window);
        } else {
          try (Backend b = Backend.start(name.trim())) {
            r = run(b, handovers, crashes, window);
          }
        }
      } catch (IllegalStateException e) { // a backend that stalls: the others are still measured
        e.printStackTrace();
        r = new Result(name.trim(), "FAILED: " + e.getMessage());
      }
      r.load = load + "-" + ProcCpu.loadAverage();
      results.add(r);
      print(List.of(r), false, null);
    }
    System.out.println();
    Result curator =
        results.stream().filter(r -> r.backend.equals("curator")).findFirst().orElse(null);
    print(results, true, curator);
    if (threads) {
      System.out.println();
      ThreadCount.main(new String[0]);
    }
  }

  static Result run(Backend b, int handovers, int crashes, int windowSeconds) throws Exception {
    Timings t = Timings.PEERS;
    Result r = new Result(b.name, b.watch());
    try (Candidates g = new Candidates(b, "handover-" + System.nanoTime(), t, true)) {
      Candidates.Candidate leader = firstLeader(g, r);
      steadyRates(g, leader, windowSeconds, r);
      for (int i = 0; i < handovers; i++) {
        leader = g.awaitSteadyLeader(WAIT);
        long stop = System.nanoTime();
        g.stop(leader);
        Candidates.Start n = g.nextStart(WAIT);
        r.handover.add((double) (n.at() - stop));
        g.add();
      }
    }
    for (int i = 0; i < crashes; i++) {
      try (Candidates g = new Candidates(b, "crash-" + i + "-" + System.nanoTime(), t, false)) {
        Candidates.Candidate leader = firstLeader(g, r);
        long crash = System.nanoTime();
        g.stop(leader); // no release: to the others this is a crash
        Candidates.Start n = g.nextStart(WAIT);
        r.failover.add((double) (n.at() - crash) / t.lease.toNanos());
      }
    }
    return r;
  }

  /** Starts three candidates, records the time to the first leader, and returns the steady one. */
  private static Candidates.Candidate firstLeader(Candidates g, Result r)
      throws InterruptedException {
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      g.add();
    }
    r.first.add((double) (g.nextStart(WAIT).at() - t0));
    return g.awaitSteadyLeader(WAIT);
  }

  private static void steadyRates(Candidates g, Candidates.Candidate leader, int seconds, Result r)
      throws InterruptedException {
    List<Candidates.Candidate> all = new ArrayList<>(g.running());
    long[] before = all.stream().mapToLong(c -> c.lock.calls()).toArray();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double followers = 0;
    int n = 0;
    for (int i = 0; i < all.size(); i++) {
      double rate = (all.get(i).lock.calls() - before[i]) / elapsed;
      if (all.get(i) == leader) {
        r.leaderRate = rate;
      } else {
        followers += rate;
        n++;
      }
    }
    r.followerRate = n == 0 ? 0 : followers / n;
  }

  /** Prints rows; with {@code reference}, each median handover as a ratio to its. */
  private static void print(List<Result> results, boolean header, Result reference) {
    if (header) {
      System.out.println(
          "| backend | follower watch | first leader (median) | graceful handover median / p99 |"
              + " handover / Curator's | crash failover / lease median (max) | leader req/s |"
              + " follower req/s | load (1 min) |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
    }
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s / %s | %s | %.3f (%.3f) | %.2f | %.2f | %s |%n",
          r.backend,
          r.watch,
          Stats.ms(Stats.median(r.first)),
          Stats.ms(Stats.median(r.handover)),
          Stats.ms(Stats.percentile(r.handover, 99)),
          reference == null
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "%.2f x",
                  Stats.median(r.handover) / Stats.median(reference.handover)),
          Stats.median(r.failover),
          Stats.max(r.failover),
          r.leaderRate,
          r.followerRate,
          r.load);
    }
  }
}
