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
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measures the handover when the leader's application context closes: from {@code close()} to the
 * other instance's LeadershipGrantedEvent, split at the leader's LeadershipRevokedEvent. Two
 * instances in this JVM, lease 3 s / renew 2 s / retry 0.5 s, on an SQLite file and on fabric8's
 * mock API server. Run with {@code bin/run-main leasehold-spring-boot-starter
 * io.leasehold.spring.HandoverBenchmark [runs]}.
 */
public final class HandoverBenchmark {
  private static final Duration WAIT = Duration.ofSeconds(20);

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
          i -> Map.of("leasehold.sqlite.path", dir.resolve("h.db").toString()),
          TestApp.class);
    }
    if (only.isEmpty() || only.equals("kubernetes")) {
      try (MockApiServer server = new MockApiServer()) {
        measure(
            "kubernetes (mock)",
            runs,
            i -> Map.of("test.kubernetes.url", server.url()),
            TestApp.class,
            MockApiServer.ClientConfiguration.class);
      }
    }
  }

  private interface Props {
    Map<String, String> of(int run);
  }

  private static void measure(String lock, int runs, Props props, Class<?>... sources)
      throws Exception {
    List<Double> total = new ArrayList<>();
    List<Double> toRevoked = new ArrayList<>();
    List<Double> toGranted = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      Map<String, Object> p = new java.util.HashMap<>(props.of(i));
      p.put("leasehold.name", "handover-" + i);
      p.put("logging.level.io.leasehold", "WARN");
      try (Instances instances = new Instances(p)) {
        ElectionLog log = instances.log;
        ConfigurableApplicationContext a = instances.start("a", sources);
        log.await(0, is("a", GRANTED), WAIT, "a leading");
        instances.start("b", sources);
        log.await(
            0, e -> is("b", LEADER_CHANGED).test(e) && e.detail().equals("a"), WAIT, "b seeing a");
        long closing = System.nanoTime();
        a.close();
        Entry granted = log.await(0, is("b", GRANTED), WAIT, "b leading");
        Entry revoked = log.await(0, is("a", REVOKED), WAIT, "a revoked");
        total.add(millis(granted.nanos() - closing));
        if (granted.nanos() - closing > Instances.RETRY.toNanos()) {
          System.out.printf(
              "%s run %d: %.1f ms, longer than one retry period; log:%n%s%n",
              lock, i, millis(granted.nanos() - closing), log);
        }
        toRevoked.add(millis(revoked.nanos() - closing));
        toGranted.add(millis(granted.nanos() - revoked.nanos()));
      }
    }
    System.out.printf(
        "%-18s %d runs: close -> next granted median %.1f ms (min %.1f, max %.1f);"
            + " close -> revoked %.1f ms; revoked -> next granted %.1f ms%n",
        lock,
        runs,
        median(total),
        Collections.min(total),
        Collections.max(total),
        median(toRevoked),
        median(toGranted));
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
