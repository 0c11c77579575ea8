package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore.Operation;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.testing.ElectionHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * client-go's tryAcquireOrRenew, situation by situation, through the public API in virtual time (15
 * s lease, 10 s renew deadline, 2 s retry: acquisition retries come 2 to 4.4 s apart).
 */
class TryAcquireOrRenewTest {
  private static final Duration MAX_RETRY = Duration.ofMillis(4400);
  private final ElectionHarness h = new ElectionHarness();

  private LeaderElectionRecord heldBy(String holder, int transitions, long token) {
    Instant now = h.clock.now();
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(now.minusSeconds(100))
        .renewTime(now)
        .leaderTransitions(transitions)
        .fencingToken(token)
        .build();
  }

  private LeaderElectionRecord stored() {
    return h.store.record(ElectionHarness.LOCK).orElseThrow();
  }

  @Test
  void noRecordYet_createsItAndLeadsAtOnce() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);

    assertThat(a.isLeader()).isTrue();
    LeaderElectionRecord r = stored();
    assertThat(r.holderIdentity()).isEqualTo("a");
    assertThat(r.leaseDurationSeconds()).isEqualTo(15);
    assertThat(r.leaderTransitions()).isZero();
    assertThat(r.fencingToken()).isEqualTo(1);
    assertThat(r.acquireTime()).isEqualTo(h.clock.now()).isEqualTo(r.renewTime());
    assertThat(h.eventsOf("a")).containsExactly("leader=a", "started");
  }

  @Test
  void heldByAnotherAndValid_waitsAFullLeaseFromItsOwnObservation() {
    h.store.put(ElectionHarness.LOCK, heldBy("b", 3, 7));
    LeaderElector a = h.start(h.config("a"));

    h.advance(Duration.ZERO);
    assertThat(a.isLeader()).isFalse();
    assertThat(a.getLeader()).isEqualTo("b");

    h.advance(Duration.ofMillis(14_999));
    assertThat(a.isLeader()).as("still inside b's lease as a observed it").isFalse();

    h.advance(Duration.ofMillis(1).plus(MAX_RETRY));
    assertThat(a.isLeader()).isTrue();
    LeaderElectionRecord r = stored();
    assertThat(r.holderIdentity()).isEqualTo("a");
    assertThat(r.leaderTransitions()).as("a takeover counts a transition").isEqualTo(4);
    assertThat(r.fencingToken()).isEqualTo(8);
    assertThat(r.acquireTime()).isAfter(h.clock.now().minusSeconds(5));
  }

  @Test
  void heldByAnotherWithAnAncientRenewTime_stillWaitsAFullLease_timestampsAreNotTrusted() {
    LeaderElectionRecord old =
        heldBy("b", 0, 1).toBuilder()
            .renewTime(h.clock.now().minusSeconds(3600))
            .acquireTime(h.clock.now().minusSeconds(7200))
            .build();
    h.store.put(ElectionHarness.LOCK, old);
    LeaderElector a = h.start(h.config("a"));

    h.advance(Duration.ofSeconds(14));
    assertThat(a.isLeader()).isFalse();
    h.advance(Duration.ofSeconds(1).plus(MAX_RETRY));
    assertThat(a.isLeader()).isTrue();
  }

  @Test
  void heldByAnotherAndExpired_isTakenOverWithTransitionsAndTokenRaised() {
    h.store.put(ElectionHarness.LOCK, heldBy("b", 0, 5));
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ofSeconds(15).plus(MAX_RETRY));

    assertThat(a.isLeader()).isTrue();
    assertThat(stored().leaderTransitions()).isEqualTo(1);
    assertThat(a.fencingToken()).hasValue(6);
    assertThat(h.eventsOf("a")).containsExactly("leader=b", "leader=a", "started");
  }

  @Test
  void heldByMe_afterARestart_isRenewedAtOnceKeepingAcquireTimeAndTransitionsWithANewToken() {
    LeaderElectionRecord mine = heldBy("a", 5, 9);
    h.store.put(ElectionHarness.LOCK, mine);
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);

    assertThat(a.isLeader()).isTrue();
    LeaderElectionRecord r = stored();
    assertThat(r.acquireTime()).isEqualTo(mine.acquireTime());
    assertThat(r.leaderTransitions()).isEqualTo(5);
    assertThat(r.fencingToken()).as("a new term always gets a new token").isEqualTo(10);
    assertThat(h.metrics).contains("a:slowpath");
  }

  @Test
  void releasedRecordWithAnEmptyHolder_isAcquiredAtOnce() {
    Instant now = h.clock.now();
    h.store.put(
        ElectionHarness.LOCK,
        LeaderElectionRecord.builder()
            .leaseDurationSeconds(1)
            .acquireTime(now)
            .renewTime(now)
            .leaderTransitions(5)
            .fencingToken(9)
            .build());
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);

    assertThat(a.isLeader()).isTrue();
    assertThat(stored().leaderTransitions()).isEqualTo(6);
    assertThat(stored().fencingToken()).isEqualTo(10);
  }

  @Test
  void getError_failsThisAttemptAndTheNextOneSucceeds() {
    h.store.failNext(Operation.GET, 1);
    h.store.put(ElectionHarness.LOCK, heldBy("", 0, 0).toBuilder().leaseDurationSeconds(1).build());
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    assertThat(a.isLeader()).isFalse();
    h.advance(MAX_RETRY);
    assertThat(a.isLeader()).isTrue();
  }

  @Test
  void createError_failsThisAttemptAndTheNextOneSucceeds() {
    h.store.failNext(Operation.CREATE, 1);
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    assertThat(a.isLeader()).isFalse();
    assertThat(h.store.record(ElectionHarness.LOCK)).isEmpty();
    h.advance(MAX_RETRY);
    assertThat(a.isLeader()).isTrue();
  }

  @Test
  void updateConflict_losesTheRaceAndRestartsTheCountdownOnTheWinnersWrite() {
    h.store.put(ElectionHarness.LOCK, heldBy("b", 0, 1));
    AtomicBoolean renewedFirst = new AtomicBoolean();
    h.store.setInterceptor(
        (op, name, id) -> {
          // b renews just before a's takeover write reaches the store
          if (op == Operation.UPDATE && id.equals("a") && renewedFirst.compareAndSet(false, true)) {
            h.store.put(ElectionHarness.LOCK, heldBy("b", 0, 1));
          }
        });
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ofSeconds(15).plus(MAX_RETRY));

    assertThat(renewedFirst).isTrue();
    assertThat(a.isLeader()).isFalse();
    assertThat(stored().holderIdentity()).isEqualTo("b");
    // b's conflicting write landed at 15..19.4 s; a reads it at most one retry later and waits
    // a full lease from then, so it cannot lead before 30 s and must lead by 19.4 + 4.4 + 15 + 4.4
    h.advance(Duration.ofSeconds(10));
    assertThat(a.isLeader()).as("b's write restarted a's countdown").isFalse();
    h.advance(Duration.ofMillis(13_800));
    assertThat(a.isLeader()).isTrue();
  }

  @Test
  void changedRawRecord_restartsTheCountdown_unchangedDoesNot() {
    h.store.put(ElectionHarness.LOCK, heldBy("b", 0, 1));
    LeaderElector a = h.start(h.config("a"));
    // b is alive: it rewrites the record every 2 s for a minute
    for (int i = 0; i < 30; i++) {
      h.advance(Duration.ofSeconds(2));
      h.store.put(ElectionHarness.LOCK, heldBy("b", 0, 1));
    }
    assertThat(a.isLeader()).isFalse();
    // b dies at 60 s: the raw record stops changing, however often a reads it. a first reads the
    // last write within one retry (60..64.4 s) and takes over one lease and at most one retry
    // later.
    h.advance(Duration.ofSeconds(14));
    assertThat(a.isLeader()).isFalse();
    h.advance(Duration.ofSeconds(1).plus(MAX_RETRY).plus(MAX_RETRY));
    assertThat(a.isLeader()).isTrue();
  }
}
