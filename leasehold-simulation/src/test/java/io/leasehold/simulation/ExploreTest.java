package io.leasehold.simulation;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ExploreTest {
  static Model model(String name) {
    return switch (name) {
      case "safe" -> Model.SAFE;
      case "overrun" -> Model.SAFE.withOverrunningLocks(1.0).named("overrun");
      case "overrun-hangs" -> Model.SAFE.withOverrunningLocks(1.0).withFaults(EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW)).withRates(1.0, true).named("overrun-hangs");
      case "watchlag-only" -> Model.SAFE.withFaults(EnumSet.of(Fault.Kind.WATCH_LAG, Fault.Kind.PARTITION, Fault.Kind.PAUSE)).withWatches(1.0).withRates(1.0, true).named("watchlag-only");
      case "coarse" -> Model.SAFE.withCoarseRaw(1.0).withProfiles(3, 4).withRates(1.0, true).named("coarse");
      case "coarse-slow" -> Model.SAFE.withCoarseRaw(1.0).withProfiles(3, 4).withRates(1.0, true).withFaults(EnumSet.of(Fault.Kind.SLOW, Fault.Kind.FLAKY, Fault.Kind.LOSSY, Fault.Kind.PARTITION)).named("coarse-slow");
      case "watchlag" -> Model.SAFE.withFaults(EnumSet.allOf(Fault.Kind.class)).named("watchlag");
      default -> throw new IllegalArgumentException(name);
    };
  }

  @Test
  void explore() throws Exception {
    String m = System.getProperty("explore.model");
    if (m == null) return;
    Model model = model(m);
    String one = System.getProperty("explore.seed");
    if (one != null) {
      System.out.println(Simulation.report(Long.parseLong(one), model, 100000));
      return;
    }
    long first = Long.getLong("explore.first", 1);
    long seeds = Long.getLong("explore.seeds", 2000);
    Simulation.Summary s = Simulation.runMany(first, seeds, model, 2);
    System.out.println(s.describe());
    for (Simulation.Result r : s.failures()) {
      System.out.println("seed " + r.scenario().seed + ": " + r.problem());
    }
  }
}
