package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailureLogTest {
  private final FakeClock clock = new FakeClock();
  private final FailureLog log = new FailureLog("a (job)", clock, Duration.ofSeconds(20).toNanos());
  private final LockException down = new LockException("connection refused (127.0.0.1:5432)");

  @Test
  void anOutageWarnsOncePerKindOfFailure_evenWhenTheKindsAlternate_thenAgainWhileItLasts() {
    assertThat(log.failed("failed to update lock", down)).isTrue();
    assertThat(log.failed("error retrieving lock", down)).isTrue();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(2));
      assertThat(log.failed("failed to update lock", down)).isFalse();
      assertThat(log.failed("error retrieving lock", down)).isFalse();
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(log.failed("failed to update lock", down)).as("20 s later: still failing").isTrue();
  }

  @Test
  void aSuccessMakesTheNextFailureNewsAgain_andLostRacesAreNeverWarnings() {
    assertThat(log.failed("error retrieving lock", down)).isTrue();
    log.succeeded();
    assertThat(log.failed("error retrieving lock", down)).isTrue();
    assertThat(log.failed("failed to update lock", new LockConflictException("lost"))).isFalse();
  }
}
