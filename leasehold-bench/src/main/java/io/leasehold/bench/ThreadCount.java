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
 * Threads counted as a user sees them: one process per candidate (three candidates of one election,
 * the peers' timings), each with its own backend client built as the docs build it. Per backend:
 * the threads of the idle JVM, after the client made its first call, and with the candidate running
 * (steady, leader or follower); Leasehold's own threads (named {@code leasehold-*}) then, 30 s
 * after the candidate was closed, and after the client was closed too. Rows: Leasehold on SQLite,
 * PostgreSQL, etcd and Kubernetes ({@code KubernetesLocks.newClient}), fabric8's own elector on
 * fabric8's default client ({@code new KubernetesClientBuilder().build()}, its Vert.x HTTP client,
 * in processes on fabric8's default classpath), and Curator's {@code LeaderLatch} on ZooKeeper.
 *
 * <pre>bin/bench threads [--backends sqlite,postgres,etcd,kubernetes,fabric8,curator]</pre>
 */
public final class ThreadCount {
  private static final Duration QUIET = Duration.ofSeconds(30);
  private static final Duration ASK = Duration.ofSeconds(60);
  private static final Path FABRIC8_CLASSPATH =
      Path.of("leasehold-bench", "target", "fabric8-default-classpath.txt");

  private ThreadCount() {}

  /** One backend's three processes, from start to the count after close. */
  private static final class Row {
    final String backend;
    final BenchServer server;
    final List<ChildJvm> children = new ArrayList<>();
    final List<Map<String, String>> idle = new ArrayList<>();
    final List<Map<String, String>> client = new ArrayList<>();
    List<Map<String, String>> steady;
    List<Map<String, String>> quiet;
    List<Map<String, String>> clientClosed;
    long closedAt;

    Row(String backend, BenchServer server) {
      this.backend = backend;
      this.server = server;
    }

    void close() throws Exception {
      children.forEach(ChildJvm::close);
      server.close();
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> backends =
        List.of("sqlite", "postgres", "etcd", "kubernetes", "fabric8", "curator");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--backends")) {
        backends = Arrays.asList(args[++i].split(","));
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Threads per candidate process, %s, %d CPUs, Java %s; 3 processes of one candidate each,"
            + " %s; load %s%n%n",
        LocalDate.now(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Timings.PEERS,
        ProcCpu.loadAverage());
    Path dir = Files.createTempDirectory("leasehold-threads-");
    List<Row> rows = new ArrayList<>();
    try {
      for (String backend : backends) {
        if (backend.equals("fabric8") && !Files.exists(FABRIC8_CLASSPATH)) {
          System.out.println(
              "(fabric8's default client skipped: "
                  + FABRIC8_CLASSPATH
                  + " is missing; run"
                  + " through bin/bench)");
          continue;
        }
        rows.add(steady(backend.trim(), dir));
      }
      for (Row r : rows) {
        long wait = r.closedAt + QUIET.toNanos() - System.nanoTime();
        Thread.sleep(Math.max(0, wait / 1_000_000));
        r.quiet = ask(r.children, "threads");
        r.children.forEach(c -> c.send("close-client"));
        r.children.forEach(c -> c.await("client-closed", ASK));
        r.clientClosed = ask(r.children, "threads");
      }
      System.out.println(
          "| candidate processes | idle JVM | after the client's first call | with the candidate,"
              + " steady | added per candidate | of them Leasehold's own | of them the client's and"
              + " the library's | Leasehold's own 30 s after close | Leasehold's own after the"
              + " client closed | threads a candidate added (the process with most) |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      for (Row r : rows) {
        System.out.println(format(r));
      }
    } finally {
      for (Row r : rows) {
        r.close();
      }
    }
    ChildJvm.deleteTree(dir); // kept, with the children's logs, when the run failed
  }

  /** Starts a backend's three processes, counts their threads steady, and closes the candidates. */
  private static Row steady(String backend, Path dir) throws Exception {
    Timings t = Timings.PEERS;
    Row r = new Row(backend, BenchServer.start(backend, dir, t.lease));
    try {
      return steady(r, dir, t);
    } catch (Exception | Error e) {
      r.close();
      throw e;
    }
  }

  private static Row steady(Row r, Path dir, Timings t) throws Exception {
    String backend = r.backend;
    boolean fabric8 = backend.equals("fabric8");
    String classpath =
        fabric8
            ? Files.readString(FABRIC8_CLASSPATH).trim()
                + ":"
                + Path.of(
                    ThreadCount.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            : System.getProperty("java.class.path");
    String main =
        fabric8 ? Fabric8Participants.class.getName() : LeaseholdParticipants.class.getName();
    for (int p = 0; p < 3; p++) {
      ChildArgs a =
          new ChildArgs(
              fabric8 ? "kubernetes" : backend, r.server.target(), 1, p, t.lease, t.renew, t.retry);
      r.children.add(
          ChildJvm.start(
              "threads-" + backend + "-p" + p, classpath, main, a.toArgs(), r.server.env(), dir));
    }
    for (ChildJvm c : r.children) {
      r.idle.add(c.await("hello", ASK));
      r.client.add(c.await("client", ASK));
      c.await("ready", ASK);
    }
    r.children.forEach(c -> c.send("start"));
    r.children.forEach(c -> c.await("started", ASK));
    long deadline = System.nanoTime() + ASK.toNanos();
    while (ask(r.children, "stats").stream().mapToLong(m -> Long.parseLong(m.get("leading"))).sum()
        < 1) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no leader on " + backend + " within " + ASK);
      }
      Thread.sleep(100);
    }
    Thread.sleep(t.lease.toMillis()); // steady: renewals, watches open, pools at their size
    r.steady = ask(r.children, "threads");
    r.children.forEach(c -> c.send("close"));
    r.children.forEach(c -> c.await("closed", ASK));
    r.closedAt = System.nanoTime();
    System.out.println("(" + backend + " counted; load " + ProcCpu.loadAverage() + ")");
    return r;
  }

  private static List<Map<String, String>> ask(List<ChildJvm> children, String command) {
    return ChildJvm.askAll(children, command, ASK);
  }

  private static String format(Row r) {
    List<Integer> added = new ArrayList<>();
    List<Integer> others = new ArrayList<>();
    Map<String, Integer> mostAdded = Map.of();
    int most = -1;
    for (int i = 0; i < r.children.size(); i++) {
      int a = total(r.steady.get(i)) - total(r.idle.get(i));
      added.add(a);
      others.add(a - Integer.parseInt(r.steady.get(i).get("leasehold")));
      if (a > most) {
        most = a;
        mostAdded =
            difference(
                ThreadCensus.parseKinds(r.steady.get(i).get("kinds")),
                ThreadCensus.parseKinds(r.idle.get(i).get("kinds")));
      }
    }
    String name =
        switch (r.backend) {
          case "kubernetes" -> "Leasehold, Kubernetes mock (KubernetesLocks.newClient)";
          case "fabric8" -> "fabric8 elector, Kubernetes mock (fabric8's default client)";
          case "curator" -> "Curator LeaderLatch, ZooKeeper";
          default -> "Leasehold, " + r.backend;
        };
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
        name,
        range(r.idle, "total"),
        range(r.client, "total"),
        range(r.steady, "total"),
        range(added),
        range(r.steady, "leasehold"),
        range(others),
        range(r.quiet, "leasehold") + leaseholdKinds(r.quiet),
        range(r.clientClosed, "leasehold") + leaseholdKinds(r.clientClosed),
        mostAdded.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", ")));
  }

  /** The kinds of Leasehold's threads in any of the censuses, as " (kind, kind)", or "". */
  private static String leaseholdKinds(List<Map<String, String>> census) {
    String kinds =
        census.stream()
            .flatMap(m -> ThreadCensus.parseKinds(m.get("kinds")).keySet().stream())
            .filter(k -> k.startsWith("leasehold-"))
            .distinct()
            .sorted()
            .collect(Collectors.joining(", "));
    return kinds.isEmpty() ? "" : " (" + kinds + ")";
  }

  private static int total(Map<String, String> census) {
    return Integer.parseInt(census.get("total"));
  }

  /** The kinds of thread in {@code after} beyond those in {@code before}. */
  private static Map<String, Integer> difference(
      Map<String, Integer> after, Map<String, Integer> before) {
    Map<String, Integer> d = new TreeMap<>();
    after.forEach(
        (kind, n) -> {
          int more = n - before.getOrDefault(kind, 0);
          if (more != 0) {
            d.put(kind, more);
          }
        });
    return d;
  }

  private static String range(List<Map<String, String>> census, String key) {
    return range(census.stream().map(m -> Integer.parseInt(m.get(key))).toList());
  }

  /** {@code a} when all equal, else {@code min-max}. */
  private static String range(List<Integer> values) {
    int min = values.stream().mapToInt(Integer::intValue).min().orElse(0);
    int max = values.stream().mapToInt(Integer::intValue).max().orElse(0);
    return min == max ? Integer.toString(min) : min + "-" + max;
  }
}
