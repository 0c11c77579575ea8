package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.testing.Await;
import io.leasehold.testing.ElectionHarness;
import io.leasehold.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RenewAndReleaseTest {
  private final ElectionHarness h = new ElectionHarness();

  @Test
  void theLeaderRenewsEveryRetryPeriodKeepingAcquireTimeAndTransitions() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    LeaderElectionRecord first = h.store.record(ElectionHarness.LOCK).orElseThrow();
    long version = h.store.version(ElectionHarness.LOCK);

    h.advance(Duration.ofSeconds(20));

    LeaderElectionRecord now = h.store.record(ElectionHarness.LOCK).orElseThrow();
    assertThat(a.isLeader()).isTrue();
    assertThat(h.store.version(ElectionHarness.LOCK) - version).isEqualTo(10);
    assertThat(now.acquireTime()).isEqualTo(first.acquireTime());
    assertThat(now.renewTime()).isEqualTo(h.clock.now());
    assertThat(now.leaderTransitions()).isEqualTo(first.leaderTransitions());
    assertThat(now.fencingToken()).isEqualTo(first.fencingToken());
    assertThat(h.metrics).doesNotContain("a:slowpath");
  }

  @Test
  void renewLoopLosesTheLeaseAfterRenewDeadline() {
    LeaderElector a = new LeaderElector(h.config("a").enforceLeaderDeadline(false).build());
    CompletableFuture<Void> done = a.start();
    h.advance(Duration.ZERO);
    h.advance(Duration.ofSeconds(1));
    h.store.setUnavailable(true);
    // the renewal at 2 s opens a 10 s window; retries at 4, 6, 8, 10; it gives up at 12 s
    h.advance(Duration.ofMillis(10_999));
    assertThat(a.isLeader()).isTrue();
    h.advance(Duration.ofMillis(1));
    assertThat(a.isLeader()).isFalse();
    assertThat(h.eventsOf("a")).containsExactly("leader=a", "started", "stopped");
    assertThat(h.metrics).last().isEqualTo("a:off");
    assertThat(h.contexts.get(0).isCancelled()).isTrue();
    assertThat(h.contexts.get(0).cancellationReason()).contains("renewDeadline");
    assertThat(done).as("like client-go, the elector exits when leadership is lost").isDone();
  }

  @Test
  void theLeaderDeadlineEndsAuthorityAtLastSendPlusRenewDeadlineMinusMargin() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    h.advance(Duration.ofSeconds(5)); // renewals sent at 2 s and 4 s
    h.store.setUnavailable(true);
    LeadershipContext ctx = h.contexts.get(0);
    // authority = 4 s + 15 s / (15/10) - 1 s margin = 13 s
    h.advance(Duration.ofMillis(7_999));
    assertThat(a.isLeader()).isTrue();
    assertThat(ctx.remaining()).isEqualTo(Duration.ofMillis(1));
    h.advance(Duration.ofMillis(1));
    assertThat(a.isLeader()).isFalse();
    assertThat(ctx.isCancelled()).isTrue();
    assertThat(ctx.cancellationReason()).contains("leader deadline");
    assertThat(a.fencingToken()).isEmpty();
  }

  @Test
  void theLeaderDeadlineFiresEvenWhileTheElectorIsStuckInACall() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ofSeconds(5));
    h.delay = Duration.ofHours(1); // every lock call and attempt now takes an hour
    h.advance(Duration.ofMillis(7_999));
    assertThat(a.isLeader()).isTrue();
    h.advance(Duration.ofMillis(1));
    assertThat(a.isLeader()).isFalse();
    assertThat(h.contexts.get(0).isCancelled()).isTrue();
  }

  /**
   * Runs tasks inline, but once armed lets the next task (the renewal attempt) run and holds the
   * one after it (the attempt's lock call) until {@link #finishHeldCall()}, as a call to a dead
   * server that returns only when its own timeout expires.
   */
  private static final class HangOneCall implements Executor {
    private int armed;
    private Runnable held;

    void arm() {
      armed = 1; // the next lock call
    }

    void finishHeldCall() {
      Runnable r = held;
      held = null;
      r.run();
    }

    @Override
    public void execute(Runnable task) {
      if (armed > 0 && --armed == 0) {
        held = task;
        return;
      }
      task.run();
    }
  }

  @Test
  void aHungRenewalIsAbandonedAfterTheLockCallTimeoutAndRetriedInTime() {
    HangOneCall calls = new HangOneCall();
    LeaderElector a = h.start(h.config("a").executor(calls).lockCallTimeout(Duration.ofSeconds(1)));
    h.advance(Duration.ofSeconds(1));
    assertThat(a.isLeader()).isTrue();
    calls.arm(); // the renewal at 2 s hangs; the elector gives up on it at 3 s
    h.advance(Duration.ofMillis(2_100));
    calls.finishHeldCall(); // the lock honours its timeout and returns a little later
    h.advance(Duration.ofSeconds(20));
    assertThat(a.isLeader()).as("the leader retried instead of waiting on the hung call").isTrue();
    assertThat(h.contexts).hasSize(1);
    assertThat(h.contexts.get(0).isCancelled()).isFalse();
  }

  @Test
  void aHungCallIsAbandonedAndTheNextOneRenews_theLeaderKeepsItsTerm() {
    HangOneCall calls = new HangOneCall();
    LeaderElector a = h.start(h.config("a").executor(calls).lockCallTimeout(Duration.ofSeconds(1)));
    h.advance(Duration.ofSeconds(1));
    java.time.Instant renewed = stored().renewTime();
    calls.arm(); // the next call never returns; versions are explicit, so the next call may write
    h.advance(Duration.ofSeconds(20));
    assertThat(h.contexts.get(0).isCancelled()).isFalse();
    assertThat(a.isLeader()).isTrue();
    assertThat(stored().renewTime()).as("later renewals got through").isAfter(renewed);
  }

  private LeaderElectionRecord stored() {
    try {
      return h.store
          .lock(ElectionHarness.LOCK, "reader")
          .get(Duration.ofSeconds(1))
          .orElseThrow()
          .record();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void withoutALockCallTimeoutAHungRenewalCostsTheLease() {
    HangOneCall calls = new HangOneCall();
    LeaderElector a = h.start(h.config("a").executor(calls).lockCallTimeout(Duration.ofHours(2)));
    h.advance(Duration.ofSeconds(1));
    calls.arm();
    h.advance(Duration.ofSeconds(20));
    assertThat(h.contexts.get(0).isCancelled()).isTrue();
    assertThat(a.isLeader()).isFalse();
  }

  @Test
  void isLeaderTurnsFalseAtTheDeadlineEvenBeforeTheTimerRuns() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    LeadershipContext ctx = h.contexts.get(0);
    h.delay = Duration.ofHours(1);
    // read the clock directly: 9 s after the acquiring write, without running timers
    FakeClock c = h.clock;
    long end = c.nanoTime() + Duration.ofSeconds(9).toNanos();
    assertThat(ctx.isCancelled()).isFalse();
    c.advance(Duration.ofSeconds(9));
    assertThat(c.nanoTime()).isEqualTo(end);
    assertThat(ctx.isCancelled()).isTrue();
  }

  @Test
  void releaseOnCancel_writesAnEmptyHolderSoAFollowerTakesOverAtOnce() {
    LeaderElector a = h.start(h.config("a").releaseOnCancel(true));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(h.config("b"));
    h.advance(Duration.ofSeconds(5));
    LeaderElectionRecord held = h.store.record(ElectionHarness.LOCK).orElseThrow();

    CompletableFuture<Void> stopped = a.stop();
    assertThat(stopped).isDone();
    LeaderElectionRecord released = h.store.record(ElectionHarness.LOCK).orElseThrow();
    assertThat(released.hasHolder()).isFalse();
    assertThat(released.leaseDurationSeconds()).isEqualTo(1);
    assertThat(released.leaderTransitions()).isEqualTo(held.leaderTransitions());
    assertThat(released.fencingToken()).isEqualTo(held.fencingToken());
    assertThat(h.eventsOf("a")).containsExactly("leader=a", "started", "stopped");
    assertThat(h.metrics).filteredOn(m -> m.startsWith("a:")).last().isEqualTo("a:off");

    h.advance(Duration.ofMillis(4400));
    assertThat(b.isLeader()).as("no need to wait out a's lease").isTrue();
    LeaderElectionRecord taken = h.store.record(ElectionHarness.LOCK).orElseThrow();
    assertThat(taken.leaderTransitions()).isEqualTo(held.leaderTransitions() + 1);
    assertThat(taken.fencingToken()).isEqualTo(held.fencingToken() + 1);
  }

  @Test
  void releaseWaitsUntilTheLeaderCallbackHasReturned() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    ExecutorService work = Executors.newCachedThreadPool();
    try {
      LeaderElector a = h.start(stubbornLeader("a", work, started, finish));
      h.advance(Duration.ZERO);
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> stopped = a.stop();
      h.advance(Duration.ofSeconds(3));
      assertThat(stopped).isNotDone();
      assertThat(stored().holderIdentity())
          .as("not released while the guarded work may still run")
          .isEqualTo("a");

      finish.countDown(); // the work returns
      Await.until(Duration.ofSeconds(30), () -> !stored().hasHolder(), "the lease is released");
      Await.until(Duration.ofSeconds(30), stopped::isDone, "the elector stops");
    } finally {
      work.shutdownNow();
    }
  }

  @Test
  void aLeaderCallbackThatNeverReturnsIsNotReleased_theLeaseExpiresInstead() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    ExecutorService work = Executors.newCachedThreadPool();
    try {
      LeaderElector a = h.start(stubbornLeader("a", work, started, new CountDownLatch(1)));
      h.advance(Duration.ZERO);
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> stopped = a.stop();
      h.advance(Duration.ofSeconds(10)); // renewDeadline: the elector gives up waiting
      Await.until(Duration.ofSeconds(30), stopped::isDone, "the elector stops");
      assertThat(stored().holderIdentity()).isEqualTo("a");
    } finally {
      work.shutdownNow();
    }
  }

  /** A leader whose work ignores cancellation and interrupts until {@code finish} opens. */
  private LeaderElectionConfig.Builder stubbornLeader(
      String id, Executor work, CountDownLatch started, CountDownLatch finish) {
    return h.config(id)
        .releaseOnCancel(true)
        .callbackExecutor(work)
        .callbacks(
            LeaderCallbacks.builder()
                .onStartedLeading(
                    ctx -> {
                      started.countDown();
                      while (true) {
                        try {
                          finish.await();
                          return;
                        } catch (InterruptedException e) {
                          // keeps working regardless
                        }
                      }
                    })
                .onStoppedLeading(() -> {})
                .build());
  }

  @Test
  void aLeaderThatYieldsReleasesAtOnce_anotherTakesOver_andItCompetesAgain() {
    LeaderElector a = h.start(h.config(h.store.lock(ElectionHarness.LOCK, "a"), "a"));
    h.advance(Duration.ZERO);
    LeaderElector b =
        h.start(h.config(h.store.lock(ElectionHarness.LOCK, "b"), "b").releaseOnCancel(true));
    h.advance(Duration.ofSeconds(1));
    assertThat(a.isLeader()).isTrue();

    assertThat(a.yieldLeadership()).isDone(); // released without waiting out the lease
    assertThat(a.isLeader()).isFalse();
    h.advance(Duration.ZERO);
    assertThat(b.isLeader()).as("b watched the release and took it").isTrue();
    assertThat(h.eventsOf("a"))
        .containsExactly("leader=a", "started", "stopped", "leader=", "leader=b");

    b.close(); // b releases; a yielded, so it competes again though WhenLost is EXIT
    h.advance(Duration.ofSeconds(5));
    assertThat(a.isLeader()).isTrue();
    assertThat(h.contexts.get(2).fencingToken()).isGreaterThan(h.contexts.get(1).fencingToken());
    assertThat(b.yieldLeadership()).as("not leading: nothing to do").isDone();
  }

  @Test
  void competeAgain_reacquiresAfterALossWithANewTerm() {
    LeaderElector a = h.start(h.config("a").whenLost(WhenLost.COMPETE_AGAIN));
    h.advance(Duration.ofSeconds(5));
    h.store.setUnavailable(true);
    h.advance(Duration.ofSeconds(10)); // deadline at 13 s
    assertThat(a.isLeader()).isFalse();
    assertThat(h.eventsOf("a")).containsExactly("leader=a", "started", "stopped");
    h.store.setUnavailable(false);
    h.advance(Duration.ofMillis(4400));
    assertThat(a.isLeader()).isTrue();
    assertThat(h.eventsOf("a")).containsExactly("leader=a", "started", "stopped", "started");
    assertThat(h.contexts).hasSize(2);
    assertThat(h.contexts.get(1).fencingToken()).isGreaterThan(h.contexts.get(0).fencingToken());
    a.close();
    assertThat(h.eventsOf("a")).last().isEqualTo("stopped");
  }

  @Test
  void checkFailsWhenWeHoldTheLeaseButHaveNotRenewedItForLongerThanLeasePlusTolerance() {
    HealthzAdaptor healthz = new HealthzAdaptor(Duration.ofSeconds(5));
    assertThat(healthz.check()).as("no elector yet").isEmpty();
    LeaderElector a = h.start(h.config("a").watchDog(healthz));
    h.advance(Duration.ofSeconds(4));
    assertThat(healthz.check()).isEmpty();
    h.store.setUnavailable(true); // last renewal observed at 4 s
    h.advance(Duration.ofSeconds(20));
    assertThat(a.check(Duration.ofSeconds(5))).as("24 - 4 = 20 s == 15 + 5").isEmpty();
    h.advance(Duration.ofMillis(1));
    assertThat(healthz.check()).hasValueSatisfying(r -> assertThat(r).contains("election"));
    assertThat(healthz.name()).isEqualTo("leaderElection");
  }

  @Test
  void aFollowerIsAlwaysHealthy() {
    h.start(h.config("a"));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(h.config("b"));
    h.advance(Duration.ofSeconds(100));
    assertThat(b.check(Duration.ZERO)).isEmpty();
  }
}
