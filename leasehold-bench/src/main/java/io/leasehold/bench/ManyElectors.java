package io.leasehold.bench;

import com.sun.management.OperatingSystemMXBean;
import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeaderMetric;
import io.leasehold.leaderelection.MetricsProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many elections in one JVM: N electors on N different locks of one backend, each the only
 * candidate of its lock, with client-go's default timings (15 s / 10 s / 2 s) on the default shared
 * executors. Measures heap per elector (with its watch), threads, CPU, and whether every elector
 * renewed on time: a missed renewal is a gap of more than two retry periods between successive
 * renewals of one leader, a failed renewal, or a lost leadership.
 *
 * <pre>bin/bench electors [--electors 10000] [--seconds 60] [--backend memory]</pre>
 */
public final class ManyElectors {
  private static final int WARM_UP = 500;

  private ManyElectors() {}

  public static void main(String[] args) throws Exception {
    int n = 10_000;
    int seconds = 60;
    String backendName = "memory";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--electors":
          n = Integer.parseInt(args[++i]);
          break;
        case "--seconds":
          seconds = Integer.parseInt(args[++i]);
          break;
        case "--backend":
          backendName = args[++i];
          break;
        default:
          throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Duration retry = Duration.ofSeconds(2);
    long maxGapAllowed = retry.multipliedBy(2).toNanos();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    AtomicLong renewals = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong lost = new AtomicLong();
    AtomicLong maxGap = new AtomicLong();
    AtomicLong lateRenewals = new AtomicLong();
    AtomicLong leading = new AtomicLong();
    MetricsProvider metrics =
        () ->
            new LeaderMetric() {
              private long last;

              @Override
              public void on(String name) {}

              @Override
              public void off(String name) {}

              @Override
              public void slowpathExercised(String name) {}

              @Override
              public void renewed(String name, Duration latency) {
                long now = System.nanoTime();
                renewals.incrementAndGet();
                long previous = last;
                last = now;
                if (previous != 0) {
                  long gap = now - previous;
                  maxGap.accumulateAndGet(gap, Math::max);
                  if (gap > maxGapAllowed) {
                    lateRenewals.incrementAndGet();
                  }
                }
              }

              @Override
              public void renewFailed(String name) {
                failures.incrementAndGet();
              }
            };

    LeaderCallbacks callbacks =
        LeaderCallbacks.builder()
            .onStartedLeading(ctx -> leading.incrementAndGet())
            .onStoppedLeading(lost::incrementAndGet)
            .build();
    try (Backend backend = Backend.start(backendName)) {
      // warm up: load every class and start the shared pools, so only the electors' own heap counts
      List<LeaderElector> warmUp = new ArrayList<>();
      for (int i = 0; i < WARM_UP; i++) {
        warmUp.add(elector(backend, "warm-up-" + i, callbacks, MetricsProvider.NOOP));
      }
      warmUp.forEach(LeaderElector::start);
      while (leading.get() < WARM_UP) {
        Thread.sleep(10);
      }
      warmUp.forEach(LeaderElector::close);
      leading.set(0);
      lost.set(0);
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      long heapBefore = usedHeapAfterGc(memory);
      List<LeaderElector> electors = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        electors.add(elector(backend, "e" + i, callbacks, metrics));
      }
      long startAt = System.nanoTime();
      electors.forEach(LeaderElector::start);
      while (leading.get() < n) {
        if (System.nanoTime() - startAt > Duration.ofSeconds(120).toNanos()) {
          throw new IllegalStateException("only " + leading.get() + " of " + n + " lead");
        }
        Thread.sleep(10);
      }
      double allLeadingAfter = (System.nanoTime() - startAt) / 1e9;
      Thread.sleep(3_000); // past the first renewals
      long heapAfter = usedHeapAfterGc(memory);
      int threadsRunning = ManagementFactory.getThreadMXBean().getThreadCount();
      long cpu1 = os.getProcessCpuTime();
      long wall1 = System.nanoTime();
      long renewals1 = renewals.get();
      Thread.sleep(seconds * 1000L);
      long cpu2 = os.getProcessCpuTime();
      long wall2 = System.nanoTime();
      long renewals2 = renewals.get();
      int threadsAtEnd = ManagementFactory.getThreadMXBean().getThreadCount();
      long lostLeaderships = lost.get();
      for (LeaderElector e : electors) {
        e.stop();
      }
      System.out.printf(
          Locale.ROOT,
          "Leasehold electors per JVM, %s, %d CPUs, Java %s, backend %s, -Xmx %d MB%n"
              + "| electors | all leading after | measured for | renewals/s | missed renewals"
              + " (gap > 2 x retry) | failed renewals | lost leaderships | max gap between"
              + " renewals | CPU (of one core) | heap per elector | threads (before / running /"
              + " end) |%n"
              + "|---|---|---|---|---|---|---|---|---|---|---|%n"
              + "| %d | %.1f s | %d s | %.0f | %d | %d | %d | %.2f s | %.1f%% | %.0f B | %d / %d /"
              + " %d |%n",
          LocalDate.now(),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"),
          backend.name,
          Runtime.getRuntime().maxMemory() / (1024 * 1024),
          n,
          allLeadingAfter,
          seconds,
          (renewals2 - renewals1) / ((wall2 - wall1) / 1e9),
          lateRenewals.get(),
          failures.get(),
          lostLeaderships,
          maxGap.get() / 1e9,
          100.0 * (cpu2 - cpu1) / (wall2 - wall1),
          (heapAfter - heapBefore) / (double) n,
          threadsBefore,
          threadsRunning,
          threadsAtEnd);
    }
  }

  private static LeaderElector elector(
      Backend backend, String name, LeaderCallbacks callbacks, MetricsProvider metrics) {
    return new LeaderElector(
        LeaderElectionConfig.builder()
            .lock(backend.lock(name, "me"))
            .name(name)
            .metricsProvider(metrics)
            .callbacks(callbacks)
            .build());
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
