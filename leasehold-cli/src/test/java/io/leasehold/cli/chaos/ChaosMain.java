package io.leasehold.cli.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The long chaos run (see docs/CHAOS.md): {@code bin/chaos [--seconds N] [--backends
 * sqlite,postgres,etcd] [--seed S] [--keep] [--partitions [--candidates N]]}. Prints the fault log,
 * a table per backend, and the failed checks; exits 1 when any check failed, 2 on bad arguments (or
 * when {@code --partitions} cannot create network namespaces here).
 */
public final class ChaosMain {
  private ChaosMain() {}

  public static void main(String[] args) throws Exception {
    long seconds = 600;
    List<String> backends = Backend.ALL;
    long seed = System.currentTimeMillis();
    boolean keep = false;
    boolean partitions = false;
    int candidates = ChaosRunner.NAMES.size();
    boolean backendsGiven = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds":
          seconds = Long.parseLong(args[++i]);
          break;
        case "--backends":
          backends = Arrays.asList(args[++i].split(","));
          backendsGiven = true;
          break;
        case "--partitions":
          partitions = true;
          break;
        case "--candidates":
          candidates = Integer.parseInt(args[++i]);
          break;
        case "--seed":
          seed = Long.parseLong(args[++i]);
          break;
        case "--keep":
          keep = true;
          break;
        case "-h":
        case "--help":
          System.out.println(
              "usage: bin/chaos [--seconds N (per backend, default 600)] [--backends"
                  + " sqlite,postgres,etcd] [--seed S] [--keep (the logs and journals)]\n"
                  + "                 [--partitions (network namespaces and partitions; needs"
                  + " root; backends postgres,etcd) [--candidates N (2 to 5, default 5)]]");
          return;
        default:
          System.err.println("unknown argument " + args[i] + "; see --help");
          System.exit(2);
      }
    }
    List<String> allowed = partitions ? Backend.NETWORKED : Backend.ALL;
    if (partitions && !backendsGiven) {
      backends = Backend.NETWORKED;
    }
    for (String b : backends) {
      if (!allowed.contains(b)) {
        System.err.println(
            "unknown backend "
                + b
                + " (expected some of "
                + allowed
                + (partitions ? "; SQLite, a local file, cannot be partitioned" : "")
                + ")");
        System.exit(2);
      }
    }
    if (candidates < 2 || candidates > ChaosRunner.NAMES.size()) {
      System.err.println(
          "--candidates must be 2 to " + ChaosRunner.NAMES.size() + ": " + candidates);
      System.exit(2);
    }
    if (partitions && Network.unavailable().isPresent()) {
      System.err.println("--partitions: " + Network.unavailable().get());
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("leasehold-chaos-");
    System.out.printf(
        "chaos: %d s per backend, backends %s, seed %d, folder %s%s%n",
        seconds,
        backends,
        seed,
        dir,
        partitions ? ", partitions with " + candidates + " candidates" : "");
    ChaosRunner runner = new ChaosRunner(seconds * 1000, seed, System.out);
    if (partitions) {
      runner.withPartitions(candidates);
    }
    List<BackendReport> reports = runner.runAll(backends, dir);
    System.out.println();
    System.out.print(BackendReport.table(reports));
    List<String> problems = new ArrayList<>();
    reports.forEach(r -> problems.addAll(r.problems()));
    reports.forEach(
        r ->
            r.unexpectedExits.forEach(
                e -> System.out.println(r.backend + ": unexpected exit: " + e)));
    if (!keep) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
    if (problems.isEmpty()) {
      System.out.println("\nall checks hold (seed " + seed + ")");
      System.exit(0);
    }
    System.out.println(
        "\nFAILED checks (seed "
            + seed
            + ", folder "
            + (keep ? dir : "deleted; use --keep")
            + "):");
    problems.forEach(p -> System.out.println("  " + p));
    System.exit(1);
  }
}
