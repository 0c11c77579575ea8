package io.leasehold.bench;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Lock-call latency per backend, one caller at a time: a renewal (one optimistic update, as the
 * leader's fast path sends it) and an acquisition of a released lock (a get, then an update, as a
 * follower sends them). Prints medians and p99.
 *
 * <pre>bin/bench latency [--backends memory,sqlite,postgres,etcd,kubernetes] [--samples 500]</pre>
 */
public final class Latency {
  private static final Duration T = Duration.ofSeconds(5);

  private Latency() {}

  public static void main(String[] args) throws Exception {
    List<String> backends =
        List.of("memory", "sqlite", "postgres", "postgres-1conn", "etcd", "kubernetes");
    int samples = 500;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--backends")) {
        backends = Arrays.asList(args[++i].split(","));
      } else if (args[i].equals("--samples")) {
        samples = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Leasehold lock-call latency, %s, %d CPUs, Java %s; %d samples each after 50 warm-up%n%n",
        LocalDate.now(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        samples);
    System.out.println(
        "| backend | renew (update) median | renew p99 | acquire (get + update) median |"
            + " acquire p99 |");
    System.out.println("|---|---|---|---|---|");
    for (String name : backends) {
      try (Backend b = Backend.start(name.trim())) {
        measure(b, samples);
      }
    }
  }

  private static void measure(Backend backend, int samples) throws Exception {
    String lockName = "latency-" + System.nanoTime();
    Lock a = backend.lock(lockName, "a");
    Lock b = backend.lock(lockName, "b");
    LockSnapshot current = a.create(record("a", 1), T);
    for (int i = 0; i < 50; i++) {
      current = a.update(a.get(T).orElseThrow(), record("a", 1), T);
    }
    List<Double> renew = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      long t0 = System.nanoTime();
      current =
          a.update(current, record("a", 1), T); // the leader writes against its own last write
      renew.add((double) (System.nanoTime() - t0));
    }
    List<Double> acquire = new ArrayList<>();
    Lock[] turns = {b, a};
    for (int i = 0; i < samples; i++) {
      Lock who = turns[i % 2];
      long t0 = System.nanoTime();
      LockSnapshot seen = who.get(T).orElseThrow();
      who.update(seen, record(who.identity(), i + 2), T);
      acquire.add((double) (System.nanoTime() - t0));
    }
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s | %s |%n",
        backend.name,
        Stats.ms(Stats.median(renew)),
        Stats.ms(Stats.percentile(renew, 99)),
        Stats.ms(Stats.median(acquire)),
        Stats.ms(Stats.percentile(acquire, 99)));
  }

  private static LeaderElectionRecord record(String holder, long token) {
    Instant now = Instant.now();
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(now)
        .renewTime(now)
        .fencingToken(token)
        .build();
  }
}
