package io.leasehold.leaderelection;

/**
 * Creates the {@link LeaderMetric} of each elector (client-go's {@code MetricsProvider}). Set one
 * per config with {@link LeaderElectionConfig.Builder#metricsProvider}; the {@code
 * leasehold-micrometer} module provides one for any Micrometer registry.
 */
@FunctionalInterface
public interface MetricsProvider {

  /** A provider whose metrics do nothing (the default). */
  MetricsProvider NOOP = () -> new LeaderMetric() {};

  /** Returns the metric for a new elector. */
  LeaderMetric newLeaderMetric();
}
