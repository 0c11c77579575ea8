package io.leasehold.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore.Operation;
import io.leasehold.testing.ElectionHarness;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MicrometerMetricsProviderTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ElectionHarness h = new ElectionHarness();

  private LeaderElector start(String id) {
    return h.start(h.config(id).metricsProvider(new MicrometerMetricsProvider(registry)));
  }

  @Test
  void masterStatusFollowsLeadership() {
    LeaderElector a = start("a");
    h.advance(Duration.ZERO);
    assertThat(registry.scrape()).contains("leader_election_master_status{name=\"election\"} 1");
    a.close();
    assertThat(registry.scrape()).contains("leader_election_master_status{name=\"election\"} 0");
  }

  @Test
  void renewalsLeaderChangesAndFailuresAreCounted() {
    LeaderElector a = start("a");
    h.advance(Duration.ofSeconds(10)); // renewals at 2, 4, 6, 8, 10 s
    h.store.failNext(Operation.UPDATE, 1);
    h.advance(Duration.ofSeconds(2)); // 12 s: the optimistic write fails, the slow path renews
    h.store.failNext(Operation.UPDATE, 1);
    h.store.failNext(Operation.GET, 1);
    h.advance(Duration.ofSeconds(2)); // 14 s: both paths fail
    h.advance(Duration.ofSeconds(2)); // 16 s: renewed again
    String text = registry.scrape();
    assertThat(text).contains("leader_election_renew_seconds_count{name=\"election\"} 7");
    assertThat(text).contains("leader_election_renew_failures_total{name=\"election\"} 1");
    assertThat(text).contains("leader_election_leader_changes_total{name=\"election\"} 1");
    assertThat(text).contains("leader_election_slowpath_total{name=\"election\"} 1");
    assertThat(a.isLeader()).isTrue();
  }

  @Test
  void followersReportZero() {
    start("a");
    h.advance(Duration.ZERO);
    PrometheusMeterRegistry other = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    h.start(h.config("b").metricsProvider(new MicrometerMetricsProvider(other)));
    h.advance(Duration.ofSeconds(5));
    assertThat(other.scrape()).contains("leader_election_master_status{name=\"election\"} 0");
  }
}
