package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The safety simulation: 3,000 seeds of the {@link Model#SAFE safe model} and 500 of each other
 * safe model by default.
 *
 * <pre>
 *   mvn -B -ntp -pl leasehold-simulation -am verify                             # the default run
 *   ... -Dsimulation.seeds=100000                  # more seeds of the safe model
 *   ... -Dsimulation.model=all-safe -Dsimulation.seeds=300000   # every safe model, 300,000 each
 *   ... -Dsimulation.model=watches,multilock       # some models
 *   ... -Dsimulation.firstSeed=200001              # other seeds
 *   ... -Dsimulation.seed=1016                     # replay one, with its trace
 *   ... -Dsimulation.seed=68 -Dsimulation.model=deletions       # in another model
 * </pre>
 *
 * A failing seed is replayed with its trace; the reports go to the console and to
 * target/simulation/.
 */
class SimulationTest {
  static final long DEFAULT_SEEDS = 3_000;
  static final long DEFAULT_SEEDS_OTHER_MODELS = 500;
  static final Path OUT = Path.of("target", "simulation");

  @Test
  void theSafeModelHoldsForEverySeed() throws Exception {
    assumeTrue(System.getProperty("simulation.seed") == null, "replaying one seed");
    long first = Long.getLong("simulation.firstSeed", 1);
    long seeds = Long.getLong("simulation.seeds", DEFAULT_SEEDS);
    String name = System.getProperty("simulation.model", "safe");
    List<Model> models = new ArrayList<>();
    for (String n : name.split(",")) {
      if (n.equals("all-safe")) {
        models.addAll(Models.SAFE_MODELS);
      } else {
        models.add(Models.named(n));
      }
    }
    List<String> failed = new ArrayList<>();
    for (Model model : models) {
      if (!holds(model, first, seeds)) {
        failed.add(model.name());
      }
    }
    assertThat(failed).as("models with failing seeds (reports above)").isEmpty();
  }

  @Test
  void theOtherSafeModelsHoldForEverySeed() throws Exception {
    assumeTrue(
        System.getProperty("simulation.seed") == null
            && System.getProperty("simulation.model") == null
            && System.getProperty("simulation.seeds") == null,
        "the default run only");
    List<String> failed = new ArrayList<>();
    for (Model model : Models.SAFE_MODELS) {
      if (model != Model.SAFE && !holds(model, 1, DEFAULT_SEEDS_OTHER_MODELS)) {
        failed.add(model.name());
      }
    }
    assertThat(failed).as("models with failing seeds (reports above)").isEmpty();
  }

  /** Runs the seeds of {@code model}; reports and returns false when some fail. */
  private static boolean holds(Model model, long first, long seeds) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    Simulation.Summary s = Simulation.runMany(first, seeds, model, threads);
    System.out.println(s.describe());
    write("summary-" + model.name() + ".txt", s.describe() + "\n");
    if (!s.failedSeeds().isEmpty()) {
      StringBuilder all = new StringBuilder();
      for (Simulation.Result r : s.failures()) {
        all.append("seed ").append(r.scenario().seed).append(": ").append(r.problem()).append('\n');
      }
      write("failures-" + model.name() + ".txt", all.toString());
      for (Simulation.Result r : s.failures().subList(0, Math.min(3, s.failures().size()))) {
        long seed = r.scenario().seed;
        String report = Simulation.report(seed, model, Integer.MAX_VALUE);
        Path file = write("seed-" + model.name() + "-" + seed + ".txt", report);
        System.out.println(Simulation.report(seed, model, 300));
        System.out.println("full trace: " + file.toAbsolutePath());
      }
    }
    if (!s.failedSeeds().isEmpty()) {
      System.out.println("FAILING SEEDS of model " + model.name() + ": " + s.failedSeeds());
      return false;
    }
    // the faults did what the model is about: the run tested something
    if (seeds >= DEFAULT_SEEDS_OTHER_MODELS) {
      for (Stats.Counter c : model.mustHappen()) {
        assertThat(s.stats().get(c)).as(model.name() + ": " + c.label).isPositive();
      }
    }
    return true;
  }

  @Test
  void replayOneSeed() throws IOException {
    String seed = System.getProperty("simulation.seed");
    assumeTrue(seed != null, "set -Dsimulation.seed=N to replay one seed");
    Model model = Models.named(System.getProperty("simulation.model", "safe"));
    String report = Simulation.report(Long.parseLong(seed), model, Integer.MAX_VALUE);
    Path file = write("seed-" + seed + ".txt", report);
    System.out.println(report);
    System.out.println("trace written to " + file.toAbsolutePath());
    assertThat(Simulation.run(Long.parseLong(seed), model, false).problem())
        .as("seed " + seed + " of model " + model.name())
        .isNull();
  }

  @Test
  void oneSeedIsOneExactRun() {
    for (Model model : List.of(Model.SAFE, Models.MULTILOCK_WATCHES, Models.CALLBACKS)) {
      for (long seed : new long[] {7, 1016, 4242}) {
        Simulation.Result a = Simulation.run(seed, model, true);
        Simulation.Result b = Simulation.run(seed, model, true);
        Simulation.Result c = Simulation.run(seed, model, false);
        List<String> trace = a.trace().lines();
        assertThat(trace).hasSizeGreaterThan(100).isEqualTo(b.trace().lines());
        assertThat(c.events()).isEqualTo(a.events());
        assertThat(c.storeWrites()).isEqualTo(a.storeWrites());
        assertThat(c.simulatedNanos()).isEqualTo(a.simulatedNanos());
      }
    }
  }

  static Path write(String name, String text) throws IOException {
    Files.createDirectories(OUT);
    Path file = OUT.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }
}
