package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore.Operation;
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
    h.advance(Duration.ofSeconds(3)); // the attempt runs at 1 s, get at 2 s, create at 3 s
    assertThat(a.isLeader()).isTrue();
    assertThat(h.contexts.get(0).remaining()).isEqualTo(Duration.ofSeconds(1 + 9 - 3));
  }

  @Test
  void aRenewalThroughTheSlowPathCountsFromTheAttemptsStart() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    h.delay = Duration.ofSeconds(1);
    h.store.failNext(Operation.UPDATE, 1); // the fast path fails, so the renewal reads first
    h.advance(Duration.ofSeconds(3)); // the renewal is due at 2 s and runs at 3 s
    h.advance(Duration.ofSeconds(3)); // update fails at 4 s, get answers at 5 s, update at 6 s
    assertThat(a.isLeader()).isTrue();
    assertThat(h.metrics).contains("a:slowpath");
    assertThat(h.contexts.get(0).remaining()).isEqualTo(Duration.ofSeconds(3 + 9 - 6));
  }
}
