package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore.Operation;
import io.leasehold.testing.ElectionHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Three candidates on one in-memory lock, in virtual time: never two leaders at one instant. */
class ContentionTest {

  @Test
  void threeCandidatesElectExactlyOneLeader() {
    ElectionHarness h = new ElectionHarness();
    List<LeaderElector> electors = new ArrayList<>();
    for (String id : List.of("a", "b", "c")) {
      electors.add(h.start(h.config(id)));
    }
    h.advanceCheckingOneLeader(Duration.ofMinutes(5), Duration.ofMillis(100), electors);
    assertThat(electors.stream().filter(LeaderElector::isLeader)).hasSize(1);
    assertThat(h.contexts).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void underRandomFaultsThereIsNeverMoreThanOneLeaderAndTokensRise(long seed) {
    ElectionHarness h = new ElectionHarness();
    Random random = new Random(seed);
    List<LeaderElector> electors = new ArrayList<>();
    String[] ids = {"a", "b", "c"};
    for (String id : ids) {
      electors.add(h.start(config(h, id, random)));
    }
    h.store.setInterceptor(
        (op, name, id) -> {
          if (random.nextInt(100) < 5) {
            throw new io.leasehold.leaderelection.resourcelock.LockException("flaky " + op);
          }
        });
    int restarts = 0;
    for (int second = 0; second < 1800; second++) {
      h.advanceCheckingOneLeader(Duration.ofSeconds(1), Duration.ofMillis(100), electors);
      int dice = random.nextInt(1000);
      if (dice < 8) {
        // a candidate crashes (no release) and a new process with the same identity starts
        int i = random.nextInt(ids.length);
        electors.get(i).stop();
        electors.set(i, h.start(config(h, ids[i], random)));
        restarts++;
      } else if (dice < 12) {
        h.store.setUnavailable(true);
      } else if (dice < 40) {
        h.store.setUnavailable(false);
      } else if (dice < 45) {
        h.store.failNext(Operation.UPDATE, 3);
      }
    }
    assertThat(restarts).isPositive();
    assertThat(h.contexts.size()).as("leadership moved several times").isGreaterThan(3);
    long previous = 0;
    for (LeadershipContext ctx : h.contexts) {
      assertThat(ctx.fencingToken()).isGreaterThan(previous);
      previous = ctx.fencingToken();
    }
  }

  private static LeaderElectionConfig.Builder config(ElectionHarness h, String id, Random random) {
    boolean watch = random.nextBoolean();
    return h.config(
            watch
                ? h.store.lock(ElectionHarness.LOCK, id)
                : h.store.lock(ElectionHarness.LOCK, id).withoutWatch(),
            id)
        .whenLost(WhenLost.COMPETE_AGAIN)
        .releaseOnCancel(random.nextBoolean());
  }

  @Test
  void wallClockJumpsDoNotChangeTheElection() {
    ElectionHarness h = new ElectionHarness();
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(h.config("b"));
    h.advance(Duration.ofSeconds(1));
    h.clock.stepWallClock(Duration.ofDays(3)); // b's wall clock leaps; a keeps renewing
    h.advanceCheckingOneLeader(Duration.ofMinutes(2), Duration.ofMillis(100), List.of(a, b));
    assertThat(a.isLeader()).isTrue();
    assertThat(b.isLeader()).isFalse();
  }
}
