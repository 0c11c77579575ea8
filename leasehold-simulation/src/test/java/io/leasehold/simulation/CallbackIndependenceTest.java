package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The election's own work never waits for callbacks: each seed of {@link Models#CALLBACK_STALLS}
 * runs twice, once with its callback executors starting tasks late or never, once with every
 * callback task starting at once, and the stores must see the very same writes at the very same
 * instants (renewals, takeovers, the leader deadline and the term ends that follow from them are
 * all the same). The single-threaded world cannot block a thread; a callback that blocks is a
 * callback task of that elector that starts late or never, which is what a blocked pool does to the
 * tasks behind it.
 */
class CallbackIndependenceTest {
  private static final long SEEDS = 300;

  @Test
  void callbackTasksThatStartLateOrNeverChangeNoWrite() {
    int compared = 0;
    long late = 0;
    long dropped = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Scenario sc = Scenario.generate(seed, Models.CALLBACK_STALLS);
      Comparison c = compare(sc);
      assertThat(c.stalled.problem()).as("seed %d", seed).isNull();
      assertThat(c.firstDifference()).as("seed %d: first write that differs", seed).isNull();
      compared++;
      late += c.stalled.stats().get(Stats.Counter.CALLBACK_TASKS_LATE);
      dropped += c.stalled.stats().get(Stats.Counter.CALLBACK_TASKS_DROPPED);
    }
    assertThat(compared).isEqualTo(SEEDS);
    assertThat(late).as("callback tasks started late").isPositive();
    assertThat(dropped).as("callback tasks never started").isPositive();
  }

  static boolean rejects(Scenario sc) {
    return sc.faults.stream()
        .anyMatch(f -> f.kind == Fault.Kind.CALLBACK_STALL && f.mode == Fault.Mode.REJECT);
  }

  /** Both runs of one scenario and their write logs. */
  record Comparison(Simulation.Result stalled, List<String> stalledWrites, List<String> plain) {
    /** The first write that differs, as "stalled: ... / without stalls: ...", or null. */
    String firstDifference() {
      int n = Math.max(stalledWrites.size(), plain.size());
      for (int i = 0; i < n; i++) {
        String a = i < stalledWrites.size() ? stalledWrites.get(i) : "(none)";
        String b = i < plain.size() ? plain.get(i) : "(none)";
        if (!a.equals(b)) {
          return "stalled: " + a + " / without stalls: " + b;
        }
      }
      return null;
    }
  }

  static Comparison compare(Scenario sc) {
    World stalled = new World(sc, false);
    stalled.writeLog = new ArrayList<>();
    Simulation.Result r = Simulation.run(stalled);
    World plain = new World(sc, false);
    plain.writeLog = new ArrayList<>();
    plain.callbackStallsIgnored = true;
    Simulation.run(plain);
    int n = Math.min(stalled.writeLog.size(), plain.writeLog.size());
    // the runs may end at different instants (the liveness tail follows the last disturbance)
    return new Comparison(r, stalled.writeLog.subList(0, n), plain.writeLog.subList(0, n));
  }
}
