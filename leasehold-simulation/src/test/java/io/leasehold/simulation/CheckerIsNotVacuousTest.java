package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The checker can fail: break one of the elector's assumptions and violations appear within a few
 * hundred seeds; keep it and the very same faults are survived.
 */
class CheckerIsNotVacuousTest {
  private static final long SEEDS = 300;

  @Test
  void clockRatesBeyondRhoBreakSafety() throws Exception {
    assertSomeSeedsBreakSafety(Models.RATES_BEYOND_RHO);
  }

  @Test
  void withoutCompareAndSwapMisbehavingWatchesMakeTwoLeaders() throws Exception {
    assertSomeSeedsBreakSafety(Models.NO_COMPARE_AND_SWAP);
    assertEverySeedIsSafe(Models.WATCHES);
  }

  @Test
  void withoutTheLeaderDeadlineAPausedLeaderActsAfterItsLeaseWasTaken() throws Exception {
    assertSomeSeedsBreakSafety(Models.NO_DEADLINE_PAUSES);
    assertEverySeedIsSafe(Models.PAUSES);
  }

  @Test
  void withoutTheLeaderDeadlineALeaderWithHungRenewalsActsTooLong() throws Exception {
    assertSomeSeedsBreakSafety(Models.NO_DEADLINE_HANGS);
    assertEverySeedIsSafe(Models.HANGS);
  }

  private static void assertSomeSeedsBreakSafety(Model model) throws Exception {
    Simulation.Summary s = Simulation.runMany(1, SEEDS, model, 2);
    System.out.println(s.describe());
    assertThat(s.failures()).as(model.name() + ": seeds that break safety").isNotEmpty();
    long twoLeaders =
        s.failures().stream()
            .filter(r -> r.problem().startsWith("two leaders act at once"))
            .count();
    assertThat(twoLeaders).as(model.name() + ": seeds with two acting leaders").isPositive();
    assertThat(s.failures())
        .as(model.name() + ": every failure is a safety violation, not a broken run")
        .allSatisfy(
            r ->
                assertThat(r.problem())
                    .matches(
                        "(two leaders act at once|fencing token did not rise|the fencing token"
                            + " stored|a write against a snapshot stale when watched was applied"
                            + "|liveness).*"));
    Simulation.Result first = s.failures().get(0);
    System.out.println(
        "  e.g. seed "
            + first.scenario().seed
            + ": "
            + first.problem()
            + " (replay with -Dsimulation.model="
            + model.name()
            + ")");
  }

  private static void assertEverySeedIsSafe(Model model) throws Exception {
    Simulation.Summary s = Simulation.runMany(1, SEEDS, model, 2);
    System.out.println(s.describe());
    assertThat(s.failedSeeds()).as(model.name()).isEmpty();
  }
}
