package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaderElectionConfigTest {
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final LeaderCallbacks callbacks =
      LeaderCallbacks.builder().onStartedLeading(ctx -> {}).onStoppedLeading(() -> {}).build();

  private LeaderElectionConfig.Builder valid() {
    return LeaderElectionConfig.builder().lock(store.lock("l", "me")).callbacks(callbacks);
  }

  @Test
  void defaultsAreClientGos() {
    LeaderElectionConfig c = valid().build();
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.releaseOnCancel()).isFalse();
    assertThat(c.whenLost()).isEqualTo(WhenLost.EXIT);
    assertThat(c.stoppedLeading()).isEqualTo(StoppedLeading.ALWAYS);
    assertThat(c.enforceLeaderDeadline()).isTrue();
    assertThat(c.leaderDeadlineMargin()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.clockRateTolerance()).isEqualTo(1.5);
    assertThat(c.name()).isEqualTo("memory/l");
    assertThat(c.lockCallTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(
            valid()
                .leaseDuration(Duration.ofMillis(1500))
                .renewDeadline(Duration.ofMillis(1000))
                .retryPeriod(Duration.ofMillis(200))
                .build()
                .lockCallTimeout())
        .as("never below one second")
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void leaseDurationMustBeGreaterThanRenewDeadline() {
    assertThatThrownBy(
            () ->
                valid()
                    .leaseDuration(Duration.ofSeconds(10))
                    .renewDeadline(Duration.ofSeconds(10))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaseDuration must be greater than renewDeadline");
  }

  @Test
  void renewDeadlineMustBeGreaterThanRetryPeriodTimesJitterFactor() {
    assertThatThrownBy(
            () ->
                valid()
                    .renewDeadline(Duration.ofMillis(2400))
                    .retryPeriod(Duration.ofSeconds(2))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("renewDeadline must be greater than retryPeriod*JitterFactor");
    assertThat(
            valid()
                .renewDeadline(Duration.ofMillis(2401))
                .retryPeriod(Duration.ofSeconds(2))
                .build())
        .isNotNull();
  }

  @Test
  void eachDurationMustBeGreaterThanZero_inClientGosOrder() {
    assertThatThrownBy(
            () ->
                valid()
                    .leaseDuration(Duration.ofSeconds(-1))
                    .renewDeadline(Duration.ofSeconds(-2))
                    .retryPeriod(Duration.ofSeconds(-3))
                    .build())
        .hasMessage("leaseDuration must be greater than zero");
    assertThatThrownBy(
            () ->
                valid()
                    .leaseDuration(Duration.ofSeconds(1))
                    .renewDeadline(Duration.ofSeconds(-2))
                    .retryPeriod(Duration.ofSeconds(-3))
                    .build())
        .hasMessage("renewDeadline must be greater than zero");
    assertThatThrownBy(
            () ->
                valid()
                    .leaseDuration(Duration.ofSeconds(2))
                    .renewDeadline(Duration.ofSeconds(1))
                    .retryPeriod(Duration.ofSeconds(-3))
                    .build())
        .hasMessage("retryPeriod must be greater than zero");
  }

  @Test
  void callbacksAreRequired() {
    assertThatThrownBy(() -> valid().callbacks(null).build())
        .hasMessage("OnStartedLeading callback must not be null");
    assertThatThrownBy(
            () ->
                valid()
                    .callbacks(LeaderCallbacks.builder().onStoppedLeading(() -> {}).build())
                    .build())
        .hasMessage("OnStartedLeading callback must not be null");
    assertThatThrownBy(
            () ->
                valid()
                    .callbacks(LeaderCallbacks.builder().onStartedLeading(c -> {}).build())
                    .build())
        .hasMessage("OnStoppedLeading callback must not be null");
  }

  @Test
  void aLockWithAnIdentityIsRequired() {
    assertThatThrownBy(() -> valid().lock(null).build()).hasMessage("Lock must not be null.");
    assertThatThrownBy(() -> valid().lock(store.lock("l", "")).build())
        .hasMessage("Lock identity is empty");
  }

  @Test
  void theLeaderDeadlineMarginIsChecked() {
    assertThatThrownBy(() -> valid().leaderDeadlineMargin(Duration.ofSeconds(-1)).build())
        .hasMessage("leaderDeadlineMargin must not be negative");
    assertThatThrownBy(() -> valid().leaderDeadlineMargin(Duration.ofSeconds(10)).build())
        .hasMessage("leaderDeadlineMargin must be less than renewDeadline");
  }

  @Test
  void anElectorRefusesADeadlineThatLeavesNoTimeToRenew() {
    LeaderElectionConfig c =
        valid()
            .leaseDuration(Duration.ofSeconds(3))
            .renewDeadline(Duration.ofSeconds(2))
            .retryPeriod(Duration.ofMillis(1600))
            .leaderDeadlineMargin(Duration.ofMillis(500))
            .build();
    assertThatThrownBy(() -> new LeaderElector(c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be longer than retryPeriod");
    assertThat(new LeaderElector(valid().build())).isNotNull();
  }
}
