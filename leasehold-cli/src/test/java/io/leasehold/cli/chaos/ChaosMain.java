package io.leasehold.cli.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The long chaos run (see docs/CHAOS.md): {@code bin/chaos [--seconds N] [--backends
 * sqlite,postgres,etcd] [--seed S] [--keep]}. Prints the fault log, a table per backend, and the
 * failed checks; exits 1 when any check failed.
 */
public final class ChaosMain {
  private ChaosMain() {}

  public static void main(String[] args) throws Exception {
    long seconds = 600;
    List<String> backends = Backend.ALL;
    long seed = System.currentTimeMillis();
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds":
          seconds = Long.parseLong(args[++i]);
          break;
        case "--backends":
          backends = Arrays.asList(args[++i].split(","));
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
                  + " sqlite,postgres,etcd] [--seed S] [--keep (the logs and journals)]");
          return;
        default:
          System.err.println("unknown argument " + args[i] + "; see --help");
          System.exit(2);
      }
    }
    for (String b : backends) {
      if (!Backend.ALL.contains(b)) {
        System.err.println("unknown backend " + b + " (expected some of " + Backend.ALL + ")");
        System.exit(2);
      }
    }
    Path dir = Files.createTempDirectory("leasehold-chaos-");
    System.out.printf(
        "chaos: %d s per backend, backends %s, seed %d, folder %s%n", seconds, backends, seed, dir);
    List<BackendReport> reports =
        new ChaosRunner(seconds * 1000, seed, System.out).runAll(backends, dir);
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
