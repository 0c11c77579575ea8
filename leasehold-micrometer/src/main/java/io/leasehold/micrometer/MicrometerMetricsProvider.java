package io.leasehold.micrometer;

import io.leasehold.leaderelection.LeaderMetric;
import io.leasehold.leaderelection.MetricsProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Leader election metrics in any Micrometer {@link MeterRegistry}, named as client-go names them so
 * that existing dashboards and alerts work:
 *
 * <ul>
 *   <li>{@code leader_election_master_status{name}}: gauge, 1 while this process leads the
 *       election, 0 otherwise;
 *   <li>{@code leader_election_slowpath_total{name}}: renewals by the leader that had to read the
 *       lock first;
 * </ul>
 *
 * and Leasehold's extras:
 *
 * <ul>
 *   <li>{@code leader_election_leader_changes_total{name}}: new holders observed;
 *   <li>{@code leader_election_renew_seconds{name}}: timer of successful renewals;
 *   <li>{@code leader_election_renew_failures_total{name}}: failed renewal attempts (a renewal may
 *       still succeed on a retry before the renew deadline).
 * </ul>
 *
 * <p>Counter names are registered without the {@code _total} suffix, which Prometheus registries
 * add. One provider serves any number of electors; meters are shared per election name.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * LeaderElectionConfig config = LeaderElectionConfig.builder()
 *     .metricsProvider(new MicrometerMetricsProvider(registry))
 *     ...
 * }</pre>
 */
public final class MicrometerMetricsProvider implements MetricsProvider {
  static final String MASTER_STATUS = "leader_election_master_status";
  static final String SLOWPATH = "leader_election_slowpath";
  static final String LEADER_CHANGES = "leader_election_leader_changes";
  static final String RENEW = "leader_election_renew";
  static final String RENEW_FAILURES = "leader_election_renew_failures";

  private final MeterRegistry registry;
  private final Map<String, Meters> meters = new ConcurrentHashMap<>();

  /** Registers the meters of every election in {@code registry}. */
  public MicrometerMetricsProvider(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public LeaderMetric newLeaderMetric() {
    return new LeaderMetric() {
      @Override
      public void on(String name) {
        meters(name).status.set(1);
      }

      @Override
      public void off(String name) {
        meters(name).status.set(0);
      }

      @Override
      public void slowpathExercised(String name) {
        meters(name).slowpath.increment();
      }

      @Override
      public void renewed(String name, Duration latency) {
        meters(name).renew.record(latency);
      }

      @Override
      public void renewFailed(String name) {
        meters(name).renewFailures.increment();
      }

      @Override
      public void leaderChanged(String name, String identity) {
        meters(name).leaderChanges.increment();
      }
    };
  }

  private Meters meters(String name) {
    return meters.computeIfAbsent(name, n -> new Meters(registry, n));
  }

  /** The meters of one election name; the gauge's state is held here, strongly. */
  private static final class Meters {
    final AtomicInteger status = new AtomicInteger();
    final Counter slowpath;
    final Counter leaderChanges;
    final Counter renewFailures;
    final Timer renew;

    Meters(MeterRegistry registry, String name) {
      Gauge.builder(MASTER_STATUS, status, AtomicInteger::get)
          .description("1 while this process leads the election, 0 otherwise")
          .tag("name", name)
          .register(registry);
      slowpath =
          counter(
              registry, name, SLOWPATH, "renewals by the leader that had to read the lock first");
      leaderChanges = counter(registry, name, LEADER_CHANGES, "new lease holders observed");
      renewFailures =
          counter(registry, name, RENEW_FAILURES, "failed renewal attempts by the leader");
      renew =
          Timer.builder(RENEW)
              .description("time taken by successful renewals")
              .tag("name", name)
              .register(registry);
    }

    private static Counter counter(
        MeterRegistry registry, String election, String meter, String description) {
      return Counter.builder(meter)
          .description(description)
          .tag("name", election)
          .register(registry);
    }
  }
}
