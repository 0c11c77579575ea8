package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeClockTest {
  private final FakeClock clock = new FakeClock();

  @Test
  void timersRunInTimeOrderEachAtItsOwnInstant() {
    List<String> ran = new ArrayList<>();
    clock.schedule(() -> ran.add("b@" + clock.elapsed().toMillis()), Duration.ofMillis(20));
    clock.schedule(() -> ran.add("a@" + clock.elapsed().toMillis()), Duration.ofMillis(10));
    clock.schedule(() -> ran.add("c@" + clock.elapsed().toMillis()), Duration.ofMillis(20));
    clock.advance(Duration.ofMillis(15));
    assertThat(ran).containsExactly("a@10");
    clock.advance(Duration.ofMillis(100));
    assertThat(ran).containsExactly("a@10", "b@20", "c@20");
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(115));
  }

  @Test
  void timersScheduledByTimersRunInTheSameAdvance() {
    List<Long> ran = new ArrayList<>();
    clock.schedule(
        () -> {
          ran.add(clock.elapsed().toMillis());
          clock.schedule(() -> ran.add(clock.elapsed().toMillis()), Duration.ofMillis(5));
        },
        Duration.ofMillis(5));
    clock.advance(Duration.ofMillis(10));
    assertThat(ran).containsExactly(5L, 10L);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void cancelledTimersDoNotRun() {
    List<String> ran = new ArrayList<>();
    ElectionClock.Timer t = clock.schedule(() -> ran.add("x"), Duration.ofMillis(1));
    t.cancel();
    clock.advance(Duration.ofSeconds(1));
    assertThat(ran).isEmpty();
  }

  @Test
  void theWallClockCanJumpWithoutMovingTheMonotonicClock() {
    long mono = clock.nanoTime();
    var wall = clock.now();
    clock.stepWallClock(Duration.ofHours(-3));
    assertThat(clock.nanoTime()).isEqualTo(mono);
    assertThat(clock.now()).isEqualTo(wall.minus(Duration.ofHours(3)));
  }
}
