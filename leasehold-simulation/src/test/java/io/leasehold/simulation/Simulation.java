package io.leasehold.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Runs seeds: one, or many spread over the machine's cores, and reports failures readably. */
final class Simulation {
  private Simulation() {}

  /** What one seed did. */
  record Result(
      Scenario scenario,
      String violation,
      long violationAt,
      Throwable error,
      long events,
      long simulatedNanos,
      int terms,
      long storeWrites,
      long recovery,
      long livenessBound,
      Stats stats,
      Trace trace) {

    boolean failed() {
      return violation != null || error != null;
    }

    String problem() {
      if (error != null) {
        return "the run threw " + error;
      }
      return violation;
    }
  }

  /** What a batch of seeds did. */
  record Summary(
      Model model,
      long firstSeed,
      long seeds,
      List<Long> failedSeeds,
      List<Result> failures,
      long events,
      long simulatedNanos,
      long terms,
      long elapsedNanos,
      double worstRecoveryRatio,
      Stats stats) {

    double seedsPerSecond() {
      return seeds / (elapsedNanos / 1e9);
    }

    String describe() {
      return String.format(
          "model %s: %d seeds from %d in %.1f s (%.0f seeds/s), %d failed; %d events, %.1f h"
              + " simulated; slowest recovery %.0f%% of the liveness bound%n  %s",
          model.name(),
          seeds,
          firstSeed,
          elapsedNanos / 1e9,
          seedsPerSecond(),
          failedSeeds.size(),
          events,
          simulatedNanos / 3.6e12,
          worstRecoveryRatio * 100,
          stats);
    }
  }

  /** Runs one seed; with {@code trace}, keeps the readable story of the run. */
  static Result run(long seed, Model model, boolean trace) {
    return run(new World(Scenario.generate(seed, model), trace));
  }

  /** Runs a world built by the caller (who may have set its test switches). */
  static Result run(World world) {
    Scenario scenario = world.scenario;
    try {
      return world.run();
    } catch (RuntimeException | Error e) {
      return new Result(
          scenario,
          null,
          world.now(),
          e,
          0,
          world.now(),
          0,
          0,
          -1,
          world.livenessBound,
          world.stats,
          world.traceLog());
    }
  }

  /** Runs {@code count} seeds from {@code first} on {@code threads} threads. */
  static Summary runMany(long first, long count, Model model, int threads) throws Exception {
    long started = System.nanoTime();
    AtomicLong next = new AtomicLong(first);
    long end = first + count;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Partial>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      parts.add(
          pool.submit(
              () -> {
                Partial p = new Partial();
                for (long s = next.getAndIncrement(); s < end; s = next.getAndIncrement()) {
                  Result r = run(s, model, false);
                  p.add(r);
                }
                return p;
              }));
    }
    Partial all = new Partial();
    try {
      for (Future<Partial> f : parts) {
        all.merge(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    all.failures.sort((a, b) -> Long.compare(a.scenario().seed, b.scenario().seed));
    List<Long> seeds = new ArrayList<>();
    for (Result r : all.failures) {
      seeds.add(r.scenario().seed);
    }
    return new Summary(
        model,
        first,
        count,
        seeds,
        all.failures,
        all.events,
        all.simulated,
        all.terms,
        System.nanoTime() - started,
        all.worstRatio,
        all.stats);
  }

  private static final class Partial {
    final List<Result> failures = new ArrayList<>();
    long events;
    long simulated;
    long terms;
    double worstRatio;
    final Stats stats = new Stats();

    void add(Result r) {
      stats.merge(r.stats());
      if (r.failed()) {
        failures.add(r);
      }
      events += r.events();
      simulated += r.simulatedNanos();
      terms += r.terms();
      if (r.recovery() >= 0) {
        worstRatio = Math.max(worstRatio, (double) r.recovery() / r.livenessBound());
      }
    }

    void merge(Partial p) {
      failures.addAll(p.failures);
      events += p.events;
      simulated += p.simulated;
      terms += p.terms;
      worstRatio = Math.max(worstRatio, p.worstRatio);
      stats.merge(p.stats);
    }
  }

  /** Replays {@code seed} with its trace and renders the whole report. */
  static String report(long seed, Model model, int traceLines) {
    Result r = run(seed, model, true);
    StringBuilder s = new StringBuilder();
    s.append("=== simulation seed ").append(seed).append(" ===\n");
    s.append(r.scenario().describe());
    if (r.failed()) {
      s.append("FAILED at ")
          .append(World.seconds(r.violationAt()))
          .append(": ")
          .append(r.problem())
          .append('\n');
      if (r.error() != null) {
        java.io.StringWriter w = new java.io.StringWriter();
        r.error().printStackTrace(new java.io.PrintWriter(w));
        s.append(w);
      }
    } else {
      s.append(
          String.format(
              "passed: %d events, %s simulated, %d terms, %d store writes, recovery %s (bound"
                  + " %s)%n",
              r.events(),
              World.seconds(r.simulatedNanos()),
              r.terms(),
              r.storeWrites(),
              r.recovery() < 0 ? "-" : World.seconds(r.recovery()),
              World.seconds(r.livenessBound())));
    }
    s.append("trace (global time, process and its local clock since start, what happened):\n");
    if (r.trace() != null) {
      s.append(r.trace().tail(traceLines));
    }
    s.append("replay: mvn -B -ntp -pl leasehold-simulation verify -Dsimulation.seed=")
        .append(seed)
        .append(model == Model.SAFE ? "" : " (model " + model.name() + ")")
        .append('\n');
    return s.toString();
  }
}
