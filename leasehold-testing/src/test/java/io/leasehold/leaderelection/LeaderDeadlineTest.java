package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore.Operation;
import io.leasehold.testing.ElectionHarness;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Where the leader's authority is counted from: the start of the attempt whose time the written
 * record carries, not when the write was sent or answered (docs/SAFETY.md, bug 2). With lease 15 s
 * and renew deadline 10 s (ρ = 1.5, margin 1 s) the authority is 9 s from that start. The harness's
 * executor runs every task, the attempt itself and each lock call, 1 s late here.
 */
class LeaderDeadlineTest {
  private final ElectionHarness h = new ElectionHarness();

  @Test
  void anAcquisitionThroughReadAndCreateCountsFromTheAttemptsStart() {
    h.delay = Duration.ofSeconds(1);
    LeaderElector a = h.start(h.config("a"));
    h.advance(
        Duration.ofSeconds(2)); // the attempt starts at 0 s, get answers at 1 s, create at 2 s
    assertThat(a.isLeader()).isTrue();
    assertThat(h.contexts.get(0).remaining()).isEqualTo(Duration.ofSeconds(9 - 2));
  }

  @Test
  void aRenewalThroughTheSlowPathCountsFromTheAttemptsStart() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    h.delay = Duration.ofSeconds(1);
    h.store.failNext(Operation.UPDATE, 1); // the fast path fails, so the renewal reads first
    h.advance(Duration.ofSeconds(2)); // the renewal starts at 2 s
    h.advance(Duration.ofSeconds(3)); // update fails at 3 s, get answers at 4 s, update at 5 s
    assertThat(a.isLeader()).isTrue();
    assertThat(h.metrics).contains("a:slowpath");
    assertThat(h.contexts.get(0).remaining()).isEqualTo(Duration.ofSeconds(2 + 9 - 5));
  }
}
