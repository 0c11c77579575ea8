package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.ElectionHarness;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CallbacksTest {
  private final ElectionHarness h = new ElectionHarness();

  @Test
  void aLeaderSeesNewLeaderThenStartedThenStopped() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ofSeconds(3));
    a.close();
    assertThat(h.eventsOf("a")).containsExactly("leader=a", "started", "stopped");
    assertThat(h.contexts.get(0).isCancelled()).isTrue();
    assertThat(h.contexts.get(0).cancellationReason()).contains("stopped");
  }

  @Test
  void aFollowerSeesEachNewLeaderIncludingItself() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    h.start(h.config("b"));
    h.advance(Duration.ofSeconds(1));
    a.stop(); // no release: b waits out a's lease
    h.advance(Duration.ofSeconds(30));
    assertThat(h.eventsOf("b")).containsExactly("leader=a", "leader=b", "started");
  }

  @Test
  void stoppedRunsEvenIfNeverLed_asClientGo() {
    h.start(h.config("a"));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(h.config("b"));
    h.advance(Duration.ofSeconds(1));
    b.close();
    assertThat(h.eventsOf("b")).containsExactly("leader=a", "stopped");
  }

  @Test
  void onlyIfLed_skipsStoppedForACandidateThatNeverLed() {
    h.start(h.config("a"));
    h.advance(Duration.ZERO);
    LeaderElector b = h.start(h.config("b").stoppedLeading(StoppedLeading.ONLY_IF_LED));
    h.advance(Duration.ofSeconds(1));
    b.close();
    assertThat(h.eventsOf("b")).containsExactly("leader=a");
  }

  @Test
  void anElectorStoppedBeforeItStartedCompletesAndCannotStart() {
    LeaderElector a = new LeaderElector(h.config("a").build());
    assertThat(a.stop()).isDone();
    org.assertj.core.api.Assertions.assertThatThrownBy(a::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runs only once");
  }

  @Test
  void anExceptionInOnNewLeaderOrOnStoppedLeadingNeverStopsTheElector() {
    LeaderElector a =
        h.start(
            h.config("a")
                .callbacks(
                    LeaderCallbacks.builder()
                        .onStartedLeading(ctx -> {})
                        .onStoppedLeading(
                            () -> {
                              throw new IllegalStateException("boom in stopped");
                            })
                        .onNewLeader(
                            id -> {
                              throw new IllegalStateException("boom in new leader");
                            })
                        .build()));
    h.advance(Duration.ofSeconds(60));
    assertThat(a.isLeader()).isTrue();
    assertThat(h.store.record(ElectionHarness.LOCK).orElseThrow().renewTime())
        .isEqualTo(h.clock.now());
    CompletableFuture<Void> stopped = a.stop();
    assertThat(stopped).isDone();
  }

  @Test
  void cancellingTheFutureOfStartStopsTheElector() {
    LeaderElector a = new LeaderElector(h.config("a").build());
    CompletableFuture<Void> running = a.start();
    h.advance(Duration.ZERO);
    assertThat(a.isLeader()).isTrue();
    running.cancel(false);
    assertThat(a.isLeader()).isFalse();
    assertThat(h.eventsOf("a")).containsExactly("leader=a", "started", "stopped");
  }

  @Test
  void theContextCarriesIdentityNameAndToken_andCheckLeadingThrowsOnceCancelled() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    LeadershipContext ctx = h.contexts.get(0);
    assertThat(ctx.identity()).isEqualTo("a");
    assertThat(ctx.electionName()).isEqualTo(ElectionHarness.LOCK);
    assertThat(ctx.fencingToken()).isEqualTo(1);
    assertThat(a.fencingToken()).hasValue(1);
    ctx.checkLeading();
    CompletableFuture<Void> cancelled = ctx.whenCancelled();
    a.close();
    assertThat(cancelled).isDone();
    org.assertj.core.api.Assertions.assertThatThrownBy(ctx::checkLeading)
        .isInstanceOf(LeadershipLostException.class)
        .hasMessageContaining("stopped");
    assertThat(ctx.remaining()).isZero();
  }

  @Test
  void theLeaderMetricIsSwitchedOffOnEveryExitPath() {
    LeaderElector a = h.start(h.config("a"));
    h.advance(Duration.ZERO);
    a.close();
    assertThat(h.metrics).containsSubsequence("a:off", "a:on", "a:off").last().isEqualTo("a:off");
  }
}
