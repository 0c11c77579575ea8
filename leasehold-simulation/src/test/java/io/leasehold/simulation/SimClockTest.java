package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node clock's mapping between global and local time, and the checker's bookkeeping. */
class SimClockTest {

  @Test
  void globalAtIsTheFirstInstantAtWhichTheLocalReadingIsReached() {
    World w = new World(Scenario.generate(1, Model.SAFE), false);
    for (double rate : new double[] {0.7, 0.8164965809277261, 1.0, 1.2247448713915889, 1.5}) {
      SimClock c = new SimClock(w, null, rate, 5_000_000_000_000L, Instant.EPOCH);
      for (long local = 5_000_000_000_000L;
          local < 5_000_000_000_000L + 100_000_000_000L;
          local += 7_777_777_777L) {
        long g = c.globalAt(local);
        assertThat(c.localAt(g)).isGreaterThanOrEqualTo(local);
        if (g > 0) {
          assertThat(c.localAt(g - 1)).isLessThan(local);
        }
      }
    }
  }

  @Test
  void aPausedNodeRunsItsOverdueTimersLateReadingTheJumpedClock() {
    Scenario sc = Scenario.generate(3, Model.SAFE.withFaults(java.util.Set.of()));
    World w = new World(sc, false);
    Node node = w.nodes[0];
    Incarnation inc = new Incarnation(node, 1);
    inc.clock = new SimClock(w, inc, 2.0, 0, Instant.EPOCH);
    node.inc = inc;
    List<Long> readings = new ArrayList<>();
    inc.clock.schedule(() -> readings.add(inc.clock.nanoTime()), 1_000);
    node.paused = true;
    // the timer (due at local 1000 = global 500) comes due during the pause and is deferred
    w.schedule(10_000, null, World.Kind.WORLD, () -> {});
    runAll(w);
    assertThat(readings).isEmpty();
    assertThat(node.deferred).hasSize(1);
  }

  @Test
  void theLongestGapIsFoundAcrossOverlappingIntervals() {
    World w = new World(Scenario.generate(1, Model.SAFE), false);
    Checker c = w.checker;
    c.intervals.add(interval(0, 10));
    c.intervals.add(interval(5, 20));
    c.intervals.add(interval(30, 35));
    c.intervals.add(interval(36, 100));
    assertThat(c.longestGap(0, 100)).isEqualTo(new Checker.Gap(20, 30));
    assertThat(c.longestGap(0, 150)).isEqualTo(new Checker.Gap(100, 150));
    assertThat(c.longestGap(-15, 40)).isEqualTo(new Checker.Gap(-15, 0));
    assertThat(c.firstActingAfter(25)).isEqualTo(5);
    assertThat(c.firstActingAfter(7)).isZero();
    assertThat(c.firstActingAfter(100)).isEqualTo(-1);
  }

  private static Checker.Interval interval(long start, long end) {
    Checker.Interval i = new Checker.Interval(null, 0, start);
    i.end = end;
    return i;
  }

  private static void runAll(World w) {
    w.runUntil(Long.MAX_VALUE / 4);
  }
}
