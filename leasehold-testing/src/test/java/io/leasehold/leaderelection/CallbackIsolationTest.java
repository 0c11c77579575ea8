package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.testing.Await;
import io.leasehold.testing.ElectionHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callbacks cannot stall anything: a callback that blocks, throws, or an executor that refuses it,
 * never delays the election's own work or another callback, and {@code stop()} completes within
 * renewDeadline plus retryPeriod. The election runs in virtual time; callbacks run on real threads,
 * so that they can block for real.
 */
class CallbackIsolationTest {
  private static final Duration T = Duration.ofSeconds(30);
  private static final Duration RENEW = Duration.ofSeconds(10);
  private static final Duration RETRY = Duration.ofSeconds(2);

  private final ElectionHarness h = new ElectionHarness();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CountDownLatch never = new CountDownLatch(1);

  @AfterEach
  void release() {
    never.countDown();
    threads.shutdownNow();
  }

  /** Blocks until the test ends, whatever interrupts come. */
  private void block() {
    while (true) {
      try {
        never.await();
        return;
      } catch (InterruptedException e) {
        // blocks regardless
      }
    }
  }

  private LeaderElectionRecord stored() {
    return h.store.record(ElectionHarness.LOCK).orElseThrow();
  }

  @Test
  void aBlockedOnNewLeaderDelaysNeitherOnStartedLeadingNorTheRenewals() {
    List<LeadershipContext> started = new CopyOnWriteArrayList<>();
    LeaderElector a =
        h.start(
            h.config("a")
                .callbackExecutor(threads)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onNewLeader(id -> block())
                        .onStartedLeading(started::add)
                        .onStoppedLeading(() -> {})
                        .build()));
    h.advance(Duration.ZERO);
    Await.until(T, () -> started.size() == 1, "onStartedLeading runs beside the blocked call");
    h.advance(Duration.ofSeconds(60));
    assertThat(a.isLeader()).isTrue();
    assertThat(stored().renewTime()).isEqualTo(h.clock.now());
  }

  @Test
  void stopCompletesWithinRenewDeadlinePlusRetryPeriodWhateverTheCallbacksDo() {
    CountDownLatch working = new CountDownLatch(1);
    LeaderElector a =
        h.start(
            h.config("a")
                .releaseOnCancel(true)
                .callbackExecutor(threads)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onNewLeader(id -> block())
                        .onStartedLeading(
                            ctx -> {
                              working.countDown();
                              block(); // ignores cancellation and interrupts
                            })
                        .onStoppedLeading(this::block)
                        .build()));
    h.advance(Duration.ZERO);
    Await.until(T, () -> working.getCount() == 0, "the leader works");

    CompletableFuture<Void> stopped = a.stop();
    assertThat(a.isLeader()).isFalse();
    h.advance(RENEW.plus(RETRY).minusMillis(1));
    assertThat(stopped).as("still waiting for the work, then for onStoppedLeading").isNotDone();
    h.advance(Duration.ofMillis(1));
    assertThat(stopped).isDone();
    assertThat(stored().holderIdentity()).as("never released under running work").isEqualTo("a");
  }

  @Test
  void aBlockedOnStoppedLeadingDoesNotKeepStopFromCompleting() {
    CountDownLatch stopping = new CountDownLatch(1);
    LeaderElector a =
        h.start(
            h.config("a")
                .releaseOnCancel(true)
                .callbackExecutor(threads)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onStartedLeading(ctx -> {})
                        .onStoppedLeading(
                            () -> {
                              stopping.countDown();
                              block();
                            })
                        .build()));
    h.advance(Duration.ZERO);
    Await.until(T, a::isLeader, "a leads");
    CompletableFuture<Void> stopped = a.stop();
    Await.until(T, () -> stopping.getCount() == 0, "onStoppedLeading runs, and blocks");
    assertThat(stored().hasHolder()).as("released before onStoppedLeading").isFalse();
    h.advance(RETRY.minusMillis(1));
    assertThat(stopped).isNotDone();
    h.advance(Duration.ofMillis(1));
    assertThat(stopped).isDone();
  }

  @Test
  void aRefusingCallbackExecutorEndsTheTermAtOnce_andHealthSaysWhy() {
    LeaderElector a =
        h.start(
            h.config("a")
                .releaseOnCancel(true)
                .callbackExecutor(
                    task -> {
                      throw new RejectedExecutionException("callback pool is full");
                    }));
    h.advance(Duration.ZERO);
    assertThat(a.isLeader()).isFalse();
    assertThat(a.check(Duration.ZERO)).hasValueSatisfying(m -> assertThat(m).contains("full"));
    assertThat(stored().hasHolder()).as("the lease was released").isFalse();
    assertThat(a.stop()).as("stopped: WhenLost.EXIT").isDone();
  }

  @Test
  void aThrowingOnStartedLeadingEndsTheTerm_releasesAndExits() {
    LeaderElector a =
        h.start(
            h.config("a")
                .releaseOnCancel(true)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onStartedLeading(
                            ctx -> {
                              throw new IllegalStateException("cannot connect to the job queue");
                            })
                        .onStoppedLeading(() -> h.events.add("a:stopped"))
                        .build()));
    h.advance(Duration.ZERO);
    assertThat(a.isLeader()).isFalse();
    assertThat(a.stop()).isDone();
    assertThat(stored().hasHolder()).isFalse();
    assertThat(stored().fencingToken()).isEqualTo(1);
    assertThat(a.check(Duration.ZERO))
        .hasValueSatisfying(m -> assertThat(m).contains("cannot connect to the job queue"));
    assertThat(h.eventsOf("a")).containsExactly("stopped");
  }

  @Test
  void withKeepCompetingAThrowingOnStartedLeadingIsRetriedAfterAPause_withANewToken() {
    AtomicInteger calls = new AtomicInteger();
    LeaderElector a =
        h.start(
            h.config("a")
                .whenLost(WhenLost.COMPETE_AGAIN)
                .releaseOnCancel(true)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onStartedLeading(
                            ctx -> {
                              h.contexts.add(ctx);
                              if (calls.incrementAndGet() == 1) {
                                throw new IllegalStateException("first start fails");
                              }
                            })
                        .onStoppedLeading(() -> {})
                        .build()));
    h.advance(Duration.ZERO);
    assertThat(a.isLeader()).isFalse();
    assertThat(stored().hasHolder()).as("released").isFalse();
    assertThat(a.check(Duration.ZERO)).isPresent();
    h.advance(RETRY.minusMillis(1));
    assertThat(calls).as("not straight back: a retry period first").hasValue(1);
    h.advance(Duration.ofSeconds(5));
    assertThat(a.isLeader()).isTrue();
    assertThat(h.contexts).hasSize(2);
    assertThat(h.contexts.get(1).fencingToken()).isGreaterThan(h.contexts.get(0).fencingToken());
    assertThat(a.check(Duration.ZERO)).as("healthy again in a new term").isEmpty();
  }

  @Test
  void changesWhileOnNewLeaderRunsAreDeliveredAfterIt_onlyTheLatest() {
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch letGo = new CountDownLatch(1);
    h.store.put(ElectionHarness.LOCK, held("x"));
    h.start(watchingFollower(seen, letGo));
    h.advance(Duration.ZERO);
    Await.until(T, () -> seen.size() == 1, "the first report runs");
    h.store.put(ElectionHarness.LOCK, held("y")); // pushed by the watch, no time passes
    h.store.put(ElectionHarness.LOCK, held("z"));
    letGo.countDown();
    Await.until(T, () -> seen.size() == 2, "the latest holder is reported");
    assertThat(seen).containsExactly("x", "z");
  }

  @Test
  void anOnNewLeaderStillRunningAfterARetryPeriodNoLongerHoldsBackTheNext() {
    List<String> seen = new CopyOnWriteArrayList<>();
    h.store.put(ElectionHarness.LOCK, held("x"));
    h.start(watchingFollower(seen, never));
    h.advance(Duration.ZERO);
    Await.until(T, () -> seen.size() == 1, "the first report runs, and blocks");
    h.store.put(ElectionHarness.LOCK, held("y"));
    h.advance(RETRY.minusMillis(1));
    assertThat(seen).containsExactly("x");
    h.advance(Duration.ofMillis(1));
    Await.until(T, () -> seen.size() == 2, "the next report runs beside the blocked one");
    assertThat(seen).containsExactly("x", "y");
  }

  /** A watching follower whose first onNewLeader call waits for {@code letGo}. */
  private LeaderElectionConfig.Builder watchingFollower(List<String> seen, CountDownLatch letGo) {
    return h.config(h.store.lock(ElectionHarness.LOCK, "a"), "a")
        .callbackExecutor(threads)
        .callbacks(
            LeaderCallbacks.builder()
                .onNewLeader(
                    id -> {
                      seen.add(id);
                      if (seen.size() == 1) {
                        awaitQuietly(letGo);
                      }
                    })
                .onStartedLeading(ctx -> {})
                .onStoppedLeading(() -> {})
                .build());
  }

  private LeaderElectionRecord held(String holder) {
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(h.clock.now())
        .renewTime(h.clock.now())
        .fencingToken(1)
        .build();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
