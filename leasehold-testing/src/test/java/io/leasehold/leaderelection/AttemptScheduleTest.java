package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptScheduleTest {
  private final FakeClock clock = new FakeClock();
  private final List<Object> fired = new ArrayList<>();
  private final AttemptSchedule schedule =
      new AttemptSchedule(
          LeaderElectionConfig.builder()
              .lock(new InMemoryLockStore().lock("x", "a"))
              .clock(clock)
              .callbacks(
                  LeaderCallbacks.builder()
                      .onStartedLeading(c -> {})
                      .onStoppedLeading(() -> {})
                      .build())
              .build(),
          fired::add);

  @Test
  void aTimerReplacedWhileItFiredIsIgnored_theElectorNeverRunsOnTwoSchedules() {
    schedule.in(Duration.ofSeconds(1).toNanos());
    clock.advance(Duration.ofSeconds(1));
    Object first = fired.get(0);
    // another thread replaced the attempt before the firing one took the elector's monitor
    schedule.in(Duration.ofSeconds(2).toNanos());
    assertThat(schedule.fired(first)).as("the superseded timer").isFalse();
    assertThat(schedule.pending()).as("the new one is still pending, and cancellable").isTrue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(fired).hasSize(2);
    assertThat(schedule.fired(fired.get(1))).isTrue();
    assertThat(schedule.pending()).isFalse();
    schedule.in(Duration.ofSeconds(1).toNanos());
    schedule.cancel();
    clock.advance(Duration.ofSeconds(5));
    assertThat(fired).as("a cancelled timer never fires").hasSize(2);
  }
}
