package io.leasehold.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of a child process: which backend, where it is, how many elections, which process
 * of the run this is, and the timings. JDK only.
 */
record ChildArgs(
    String backend,
    String target,
    int elections,
    int process,
    Duration lease,
    Duration renew,
    Duration retry) {

  static ChildArgs parse(String[] args) {
    String backend = null;
    String target = "";
    int elections = 1;
    int process = 0;
    long lease = 15_000;
    long renew = 10_000;
    long retry = 2_000;
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--backend" -> backend = value;
        case "--target" -> target = value;
        case "--elections" -> elections = Integer.parseInt(value);
        case "--process" -> process = Integer.parseInt(value);
        case "--lease-ms" -> lease = Long.parseLong(value);
        case "--renew-ms" -> renew = Long.parseLong(value);
        case "--retry-ms" -> retry = Long.parseLong(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new ChildArgs(
        backend,
        target,
        elections,
        process,
        Duration.ofMillis(lease),
        Duration.ofMillis(renew),
        Duration.ofMillis(retry));
  }

  /** The arguments that {@link #parse} reads back. */
  List<String> toArgs() {
    List<String> a = new ArrayList<>();
    a.addAll(List.of("--backend", backend, "--target", target));
    a.addAll(List.of("--elections", "" + elections, "--process", "" + process));
    a.addAll(List.of("--lease-ms", "" + lease.toMillis(), "--renew-ms", "" + renew.toMillis()));
    a.addAll(List.of("--retry-ms", "" + retry.toMillis()));
    return a;
  }

  /** The identity of this process's candidates. */
  String identity() {
    return "p" + process;
  }
}
