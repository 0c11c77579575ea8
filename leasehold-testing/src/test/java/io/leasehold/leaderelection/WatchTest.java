package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.ElectionHarness;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Followers driven by a lock that pushes changes: no polling, takeover exactly at expiry. */
class WatchTest {
  private final ElectionHarness h = new ElectionHarness();

  private LeaderElectionConfig.Builder watching(String id) {
    return h.config(h.store.lock(ElectionHarness.LOCK, id), id);
  }

  @Test
  void aFollowerSendsNoRequestsWhileTheWatchIsHealthy() {
    h.start(watching("a"));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(watching("b"));
    h.advance(Duration.ofSeconds(1));
    long before = h.store.requestCount("b");
    h.advance(Duration.ofMinutes(10));
    assertThat(h.store.requestCount("b") - before).isZero();
    assertThat(b.getLeader()).isEqualTo("a");
  }

  @Test
  void aCrashedLeaderIsTakenOverExactlyOneLeaseAfterItsLastWrite() {
    LeaderElector a = h.start(watching("a"));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(watching("b"));
    h.advance(Duration.ofMillis(30_500));
    a.stop(); // a crash as far as the store can tell: no release
    Instant lastRenew = h.store.record(ElectionHarness.LOCK).orElseThrow().renewTime();
    Duration untilExpiry = Duration.between(h.clock.now(), lastRenew.plusSeconds(15));

    h.advance(untilExpiry.minusMillis(1));
    assertThat(b.isLeader()).isFalse();
    h.advance(Duration.ofMillis(1));
    assertThat(b.isLeader()).isTrue();
  }

  @Test
  void aReleasedLockIsTakenAtOnce() {
    LeaderElector a = h.start(watching("a").releaseOnCancel(true));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(watching("b"));
    h.advance(Duration.ofSeconds(5));
    a.stop();
    h.advance(Duration.ZERO);
    assertThat(b.isLeader()).isTrue();
  }

  @Test
  void whenTheWatchBreaksFollowersPollAgain() {
    h.start(watching("a"));
    h.advance(Duration.ZERO);
    h.start(watching("b"));
    h.advance(Duration.ofSeconds(1));
    long before = h.store.requestCount("b");
    h.store.setUnavailable(true); // the in-memory watch reports unhealthy while unavailable
    h.advance(Duration.ofSeconds(30));
    assertThat(h.store.requestCount("b") - before).isGreaterThan(5);
  }
}
