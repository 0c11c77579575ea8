package io.leasehold.cli;

import io.leasehold.leaderelection.LeaderElectionConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The election's timings, validated by the core's rules and messages. */
final class TimingOptions {
  @Option(
      names = "--lease-duration",
      converter = Durations.class,
      defaultValue = "15s",
      description = "How long followers wait after the last change they saw (default: ${DEFAULT-VALUE}).")
  Duration leaseDuration;

  @Option(
      names = "--renew-deadline",
      converter = Durations.class,
      defaultValue = "10s",
      description = "How long the leader retries a failed renewal (default: ${DEFAULT-VALUE}).")
  Duration renewDeadline;

  @Option(
      names = "--retry-period",
      converter = Durations.class,
      defaultValue = "2s",
      description = "Pause between attempts (default: ${DEFAULT-VALUE}).")
  Duration retryPeriod;

  /** Sets the timings on {@code builder}. */
  LeaderElectionConfig.Builder apply(LeaderElectionConfig.Builder builder) {
    return builder
        .leaseDuration(leaseDuration)
        .renewDeadline(renewDeadline)
        .retryPeriod(retryPeriod);
  }
}
