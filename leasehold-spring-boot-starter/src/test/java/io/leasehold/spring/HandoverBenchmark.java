package io.leasehold.spring;

import static io.leasehold.spring.ElectionLog.Kind.GRANTED;
import static io.leasehold.spring.ElectionLog.Kind.LEADER_CHANGED;
import static io.leasehold.spring.ElectionLog.Kind.REVOKED;
import static io.leasehold.spring.ElectionLog.is;

import io.leasehold.spring.ElectionLog.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measures the handover when the leader's application context closes: from {@code close()} to the
 * other instance's LeadershipGrantedEvent, split at the leader's LeadershipRevokedEvent. Two
 * instances in this JVM, lease 3 s / renew 2 s / retry 0.5 s, on an SQLite file and on fabric8's
 * mock API server (a new one for each run, so that nothing of one run spills into the next); the
 * follower has run for a second when the leader closes. Run with {@code bin/run-main
 * leasehold-spring-boot-starter io.leasehold.spring.HandoverBenchmark [runs] [sqlite|kubernetes]};
 * {@code JAVA_OPTS=-Dbench.log=DEBUG} shows the electors' log.
 */
public final class HandoverBenchmark {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration SETTLE = Duration.ofSeconds(1);

  private HandoverBenchmark() {}

  /**
   * Runs {@code args[0]} handovers (default 11) per lock and prints their medians; {@code args[1]},
   * when given, picks one lock: {@code sqlite} or {@code kubernetes}.
   */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    String only = args.length > 1 ? args[1] : "";
    if (only.isEmpty() || only.equals("sqlite")) {
      Path dir = Files.createTempDirectory("leasehold-handover");
      measure(
          "sqlite",
          runs,
          () -> new Backend(Map.of("leasehold.sqlite.path", dir.resolve("h.db").toString()), null),
          TestApp.class);
    }
    if (only.isEmpty() || only.equals("kubernetes")) {
      measure(
          "kubernetes (mock)",
          runs,
          () -> {
            MockApiServer server = new MockApiServer();
            return new Backend(Map.of("test.kubernetes.url", server.url()), server);
          },
          TestApp.class,
          MockApiServer.ClientConfiguration.class);
    }
    // a mock that stalled keeps its event loop's threads, which are not daemons, after destroy()
    System.exit(0);
  }

  /** What the instances of one run share: their properties, and what to close after the run. */
  private record Backend(Map<String, String> properties, MockApiServer server)
      implements AutoCloseable {
    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }

  private interface Backends {
    Backend open();
  }

  private static void measure(String lock, int runs, Backends backends, Class<?>... sources)
      throws Exception {
    List<Double> total = new ArrayList<>();
    List<Double> toRevoked = new ArrayList<>();
    List<Double> toGranted = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      try (Backend backend = backends.open();
          Instances instances = new Instances(properties(backend, i))) {
        ElectionLog log = instances.log;
        ConfigurableApplicationContext a = instances.start("a", sources);
        log.await(0, is("a", GRANTED), WAIT, "a leading");
        instances.start("b", sources);
        log.await(
            0, e -> is("b", LEADER_CHANGED).test(e) && e.detail().equals("a"), WAIT, "b seeing a");
        // a follower as in a rolling deploy, running for a while: its watch, opened beside its
        // first attempt, is open (a follower without one yet polls: a handover of 0.5 to 1.1 s)
        Thread.sleep(SETTLE.toMillis());
        long closing = System.nanoTime();
        a.close();
        Entry granted = log.await(0, is("b", GRANTED), WAIT, "b leading");
        Entry revoked = log.await(0, is("a", REVOKED), WAIT, "a revoked");
        total.add(millis(granted.nanos() - closing));
        toRevoked.add(millis(revoked.nanos() - closing));
        toGranted.add(millis(granted.nanos() - revoked.nanos()));
        if (granted.nanos() - closing > Instances.RETRY.toNanos()) {
          System.out.printf(
              "%s run %d: %.1f ms (close -> revoked %.1f ms), longer than one retry period; log:%n"
                  + "%s%n",
              lock, i, total.get(i), toRevoked.get(i), log);
        }
      }
    }
    System.out.printf(
        "%-18s %d runs: close -> next granted median %.1f ms (min %.1f, p90 %.1f, max %.1f);"
            + " close -> revoked %.1f ms; revoked -> next granted %.1f ms%n",
        lock,
        runs,
        median(total),
        Collections.min(total),
        percentile(total, 0.9),
        Collections.max(total),
        median(toRevoked),
        median(toGranted));
  }

  private static Map<String, Object> properties(Backend backend, int run) {
    Map<String, Object> p = new HashMap<>(backend.properties());
    p.put("leasehold.name", "handover-" + run);
    p.put("logging.level.io.leasehold", System.getProperty("bench.log", "WARN"));
    return p;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  /** The nearest-rank percentile {@code p} (0 to 1) of {@code values}. */
  private static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
