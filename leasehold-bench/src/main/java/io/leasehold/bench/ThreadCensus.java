package io.leasehold.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The live Java threads of this process as a user sees them in a thread dump: how many, how many
 * are Leasehold's own (named {@code leasehold-*}), and how many of each kind (digits in names
 * folded to {@code N}, so {@code leasehold-io-3} counts as {@code leasehold-io-N}). JDK only: the
 * child processes on fabric8's default classpath load it too.
 */
final class ThreadCensus {
  final int total;
  final int leasehold;
  final Map<String, Integer> kinds;

  private ThreadCensus(Map<String, Integer> kinds) {
    this.kinds = kinds;
    this.total = kinds.values().stream().mapToInt(Integer::intValue).sum();
    this.leasehold =
        kinds.entrySet().stream()
            .filter(e -> e.getKey().startsWith("leasehold-"))
            .mapToInt(Map.Entry::getValue)
            .sum();
  }

  static ThreadCensus now() {
    Map<String, Integer> kinds = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      kinds.merge(t.getName().replaceAll("\\d+", "N").replace(' ', '_'), 1, Integer::sum);
    }
    return new ThreadCensus(kinds);
  }

  /** The kinds as one token: {@code name*count,name*count}. */
  String kindsToken() {
    return kinds.entrySet().stream()
        .map(e -> e.getKey() + "*" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** Parses {@link #kindsToken()}. */
  static Map<String, Integer> parseKinds(String token) {
    Map<String, Integer> kinds = new TreeMap<>();
    if (token == null || token.isEmpty()) {
      return kinds;
    }
    for (String kind : token.split(",")) {
      int star = kind.lastIndexOf('*');
      kinds.put(kind.substring(0, star), Integer.parseInt(kind.substring(star + 1)));
    }
    return kinds;
  }
}
