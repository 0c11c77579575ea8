package io.leasehold.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Cost against the number of elections: three processes, each running one candidate of every
 * election (N elections), on one backend client per process, client-go's default timings (lease 15
 * s, renew deadline 10 s, retry 2 s); Apache Curator's {@code LeaderLatch} on ZooKeeper with a 15 s
 * session for comparison. Prints one Markdown row per backend and N.
 *
 * <p>The run of one row: the server starts on loopback; the three processes build their client and
 * N candidates; all start at once. <b>Start-up</b> lasts until every election has a leader, plus
 * one lease duration; then a <b>window</b> of {@code --seconds} is measured: requests the server
 * answered (PostgreSQL: committed and rolled-back transactions from {@code pg_stat_database}, each
 * autocommit statement being one; etcd: {@code etcd_debugging_mvcc_txn_total} and the Raft
 * proposals committed; ZooKeeper: packets received), the server's CPU and each process's CPU from
 * {@code /proc} (percent of one core), renewals, and the faults:
 *
 * <ul>
 *   <li><b>late renewal</b>: a leader's renewal attempt that started more than half a retry period
 *       (1 s) after it was due, a retry period after the term started or after the previous renewal
 *       succeeded;
 *   <li><b>slow renewal</b>: one whose lock calls took more than 1 s (the next is due a retry
 *       period after it ends, so slow renewals space renewals out);
 *   <li><b>read-first renewal</b>: one for which the leader had to read the lock before writing
 *       (client-go's slow path);
 *   <li><b>out-of-turn renewal</b>: one that started less than a retry period (minus 0.1 s) after
 *       the previous renewal attempt of the same term started;
 *   <li><b>failed renewal</b>: a renewal attempt that did not succeed (the leader retries until its
 *       renew deadline);
 *   <li><b>early renewal</b>: one that started more than 0.1 s before it was due (a renewal out of
 *       turn, costing the backend a write);
 *   <li><b>lost leadership</b>: a term that ended before the process was told to stop (candidates
 *       keep competing after a loss).
 * </ul>
 *
 * <pre>
 * bin/bench elections [--backends postgres,etcd,sqlite,curator] [--elections 1000,5000]
 *                     [--seconds 60] [--processes 3]
 * </pre>
 */
public final class Elections {
  private static final Duration LEASE = Duration.ofSeconds(15);
  private static final Duration RENEW = Duration.ofSeconds(10);
  private static final Duration RETRY = Duration.ofSeconds(2);
  private static final Duration STARTUP_LIMIT = Duration.ofMinutes(5);
  private static final Duration ASK = Duration.ofSeconds(60);

  private Elections() {}

  public static void main(String[] args) throws Exception {
    List<String> backends = List.of("postgres", "etcd", "sqlite", "curator");
    List<Integer> sizes = List.of(1000, 5000);
    int seconds = 60;
    int processes = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backends" -> backends = Arrays.asList(args[++i].split(","));
        case "--elections" ->
            sizes = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--processes" -> processes = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Leasehold elections per process, %s, %d CPUs, Java %s; %d processes, lease %d s / renew"
            + " %d s / retry %d s, %d s window%n%n",
        LocalDate.now(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        processes,
        LEASE.toSeconds(),
        RENEW.toSeconds(),
        RETRY.toSeconds(),
        seconds);
    List<Measured> rows = new ArrayList<>();
    for (int n : sizes) {
      for (String backend : backends) {
        Measured m = run(backend.trim(), n, seconds, processes);
        System.out.println(m.row());
        rows.add(m);
      }
    }
    System.out.println();
    System.out.println(header());
    rows.forEach(m -> System.out.println(m.row()));
    System.out.println();
    rows.stream().filter(m -> !m.note().isEmpty()).forEach(m -> System.out.println(m.note()));
  }

  static String header() {
    return "| backend | N | all leading after | start-up: server requests | window: server"
        + " requests/s | server CPU | JVMs' CPU | renewals/s | lock calls/s | late renewals"
        + " (>1 s) start-up / window | failed / early (>0.1 s) / read-first / out-of-turn"
        + " renewals, window | renewal start delay p99 / max (window) | renewals slower than"
        + " 1 s / duration median / p99 / max (window) | lost leaderships start-up / window"
        + " | leaders at end | load (1 min) |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
  }

  /** A row of the table, and a note on what the processes logged ("" when nothing). */
  record Measured(String row, String note) {}

  /** One row: N elections on {@code backend}. */
  static Measured run(String backend, int n, int seconds, int processes) throws Exception {
    Path dir = Files.createTempDirectory("leasehold-elections-");
    String load0 = ProcCpu.loadAverage();
    List<ChildJvm> children = new ArrayList<>();
    String row;
    try (BenchServer server = BenchServer.start(backend, dir, LEASE)) {
      for (int p = 0; p < processes; p++) {
        ChildArgs a = new ChildArgs(backend, server.target(), n, p, LEASE, RENEW, RETRY);
        children.add(
            ChildJvm.start(
                backend + "-" + n + "-p" + p,
                System.getProperty("java.class.path"),
                LeaseholdParticipants.class.getName(),
                a.toArgs(),
                server.env(),
                dir));
      }
      for (ChildJvm c : children) {
        c.await("ready", Duration.ofMinutes(3));
      }
      Map<String, Long> requests0 = server.requests();
      children.forEach(c -> c.send("start"));
      long t0 = System.nanoTime();
      for (ChildJvm c : children) {
        c.await("started", Duration.ofMinutes(3));
      }
      long allLeading = -1;
      while (System.nanoTime() - t0 < STARTUP_LIMIT.toNanos()) {
        if (sum(ask(children, "stats"), "leading") >= n) {
          allLeading = System.nanoTime();
          break;
        }
        Thread.sleep(500);
      }
      long startupEnd = (allLeading < 0 ? System.nanoTime() : allLeading) + LEASE.toNanos();
      Thread.sleep(Math.max(0, (startupEnd - System.nanoTime()) / 1_000_000));
      Snapshot a = Snapshot.take(server, children);
      Thread.sleep(seconds * 1000L);
      Snapshot b = Snapshot.take(server, children);
      double window = (b.at - a.at) / 1e9;
      Map<Integer, Long> delays = new TreeMap<>();
      Map<Integer, Long> durations = new TreeMap<>();
      b.marks.forEach(m -> mergeHistogram(m.get("delays"), delays));
      b.marks.forEach(m -> mergeHistogram(m.get("durations"), durations));
      boolean leasehold = !backend.equals("curator");
      String load1 = ProcCpu.loadAverage();
      row =
          String.format(
              Locale.ROOT,
              "| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d / %d | %d |"
                  + " %s-%s |",
              backend,
              n,
              allLeading < 0
                  ? "not all after " + STARTUP_LIMIT.toSeconds() + " s"
                  : String.format(Locale.ROOT, "%.1f s", (allLeading - t0) / 1e9),
              requests(server, requests0, a.requests, 1),
              requests(server, a.requests, b.requests, window),
              server.cpuTicks() < 0
                  ? "none (embedded)"
                  : String.format(
                      Locale.ROOT,
                      "%.1f%%",
                      ProcCpu.percent(b.serverTicks - a.serverTicks, b.at - a.at)),
              jvmCpu(a, b),
              leasehold ? rate(b.marks, a.marks, "renewals") : "n/a (session pings)",
              leasehold ? rate(b.marks, a.marks, "calls") : "n/a",
              leasehold
                  ? sum(a.marks, "late") + " / " + (sum(b.marks, "late") - sum(a.marks, "late"))
                  : "n/a",
              leasehold
                  ? (sum(b.marks, "failed") - sum(a.marks, "failed"))
                      + " / "
                      + (sum(b.marks, "early") - sum(a.marks, "early"))
                      + " / "
                      + (sum(b.marks, "readFirst") - sum(a.marks, "readFirst"))
                      + " / "
                      + (sum(b.marks, "outOfTurn") - sum(a.marks, "outOfTurn"))
                  : "n/a",
              leasehold ? percentileMs(delays, 99) + " / " + percentileMs(delays, 100) : "n/a",
              leasehold
                  ? (sum(b.marks, "slow") - sum(a.marks, "slow"))
                      + " / "
                      + percentileMs(durations, 50)
                      + " / "
                      + percentileMs(durations, 99)
                      + " / "
                      + percentileMs(durations, 100)
                  : "n/a",
              sum(a.marks, "lost"),
              sum(b.marks, "lost") - sum(a.marks, "lost"),
              sum(b.marks, "leading"),
              load0,
              load1);
    } finally {
      children.forEach(ChildJvm::close);
    }
    String logs = LogSummary.of(dir);
    ChildJvm.deleteTree(dir); // kept, with the children's logs, when the run failed
    return new Measured(row, logs.isEmpty() ? "" : backend + ", N = " + n + ": " + logs);
  }

  /** What the server and the children had counted at one instant. */
  private record Snapshot(
      long at,
      long serverTicks,
      long[] childTicks,
      Map<String, Long> requests,
      List<Map<String, String>> marks) {
    static Snapshot take(BenchServer server, List<ChildJvm> children) throws Exception {
      long at = System.nanoTime();
      long[] ticks = children.stream().mapToLong(c -> ProcCpu.ticks(c.pid())).toArray();
      return new Snapshot(at, server.cpuTicks(), ticks, server.requests(), ask(children, "mark"));
    }
  }

  private static List<Map<String, String>> ask(List<ChildJvm> children, String command) {
    return ChildJvm.askAll(children, command, ASK);
  }

  private static long sum(List<Map<String, String>> answers, String key) {
    return answers.stream().mapToLong(m -> Long.parseLong(m.get(key))).sum();
  }

  /** The children's counts of {@code key} per second, each over its own reports' interval. */
  private static String rate(List<Map<String, String>> b, List<Map<String, String>> a, String key) {
    double perSecond = 0;
    for (int i = 0; i < b.size(); i++) {
      double seconds =
          (Long.parseLong(b.get(i).get("at")) - Long.parseLong(a.get(i).get("at"))) / 1e9;
      perSecond +=
          (Long.parseLong(b.get(i).get(key)) - Long.parseLong(a.get(i).get(key))) / seconds;
    }
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  private static String requests(
      BenchServer server, Map<String, Long> from, Map<String, Long> to, double seconds) {
    if (to.isEmpty()) {
      return "n/a";
    }
    return to.keySet().stream()
        .sorted()
        .map(
            k ->
                String.format(
                    Locale.ROOT,
                    seconds == 1 ? "%,.0f %s" : "%,.0f %s/s",
                    (to.get(k) - from.getOrDefault(k, 0L)) / seconds,
                    shortName(k)))
        .collect(Collectors.joining(", "));
  }

  private static String shortName(String metric) {
    return switch (metric) {
      case "etcd_debugging_mvcc_txn_total" -> "txn";
      case "etcd_debugging_mvcc_range_total" -> "range";
      case "etcd_debugging_mvcc_put_total" -> "put";
      case "etcd_server_proposals_committed_total" -> "proposals";
      default -> metric;
    };
  }

  private static String jvmCpu(Snapshot a, Snapshot b) {
    List<String> each = new ArrayList<>();
    for (int i = 0; i < a.childTicks.length; i++) {
      each.add(
          String.format(
              Locale.ROOT,
              "%.0f%%",
              ProcCpu.percent(b.childTicks[i] - a.childTicks[i], b.at - a.at)));
    }
    return String.join(", ", each);
  }

  private static void mergeHistogram(String token, Map<Integer, Long> into) {
    if (token == null || token.isEmpty()) {
      return;
    }
    for (String bucket : token.split(",")) {
      int colon = bucket.indexOf(':');
      into.merge(
          Integer.parseInt(bucket.substring(0, colon)),
          Long.parseLong(bucket.substring(colon + 1)),
          Long::sum);
    }
  }

  /** The {@code p}th percentile of a millisecond histogram, as text. */
  private static String percentileMs(Map<Integer, Long> histogram, double p) {
    long total = histogram.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return "-";
    }
    long rank = (long) Math.ceil(p / 100 * total);
    long seen = 0;
    for (Map.Entry<Integer, Long> e : histogram.entrySet()) {
      seen += e.getValue();
      if (seen >= rank) {
        return e.getKey() + " ms";
      }
    }
    throw new AssertionError();
  }
}
