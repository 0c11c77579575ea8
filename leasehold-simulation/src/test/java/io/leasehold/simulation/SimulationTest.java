package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimulationTest {
  @Test
  void manySeeds() throws Exception {
    long seeds = Long.getLong("simulation.seeds", 2000);
    Simulation.Summary s = Simulation.runMany(1, seeds, Model.SAFE, 2);
    System.out.println(s.describe());
    for (int i = 0; i < Math.min(3, s.failures().size()); i++) {
      System.out.println(Simulation.report(s.failures().get(i).scenario().seed, Model.SAFE, 200));
    }
    assertThat(s.failedSeeds()).isEmpty();
  }
}
