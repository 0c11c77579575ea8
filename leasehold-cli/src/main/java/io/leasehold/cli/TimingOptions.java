package io.leasehold.cli;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The election's timings. {@link #check} applies client-go's rules, with bounds, in the flags'
 * names and with their values; {@link #checkWithLock} then lets the core judge them on the real
 * lock (its leader deadline depends on the lock's granularity).
 */
final class TimingOptions {
  /** The lease record keeps whole seconds, so a shorter lease is not what the record says. */
  static final Duration MIN_LEASE = Duration.ofSeconds(1);

  static final Duration MIN_RENEW = Duration.ofMillis(100);
  static final Duration MIN_RETRY = Duration.ofMillis(10);

  @Option(
      names = "--lease-duration",
      converter = Durations.class,
      defaultValue = "15s",
      description =
          "How long followers wait after the last change they saw (default: ${DEFAULT-VALUE}).")
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

  /** {@link #check(CommandLine, Duration, Duration, Duration)} of these options. */
  void check(CommandLine cmd) {
    check(cmd, leaseDuration, renewDeadline, retryPeriod);
  }

  /**
   * Refuses, as a usage error naming the flags and their values: a duration out of bounds, a lease
   * not longer than the renew deadline, a renew deadline not longer than 1.2 retry periods.
   */
  static void check(CommandLine cmd, Duration lease, Duration renew, Duration retry) {
    Durations.require(
        cmd,
        "--lease-duration",
        lease,
        MIN_LEASE,
        Durations.LONGEST,
        "the lease record counts whole seconds");
    Durations.require(cmd, "--renew-deadline", renew, MIN_RENEW, Durations.LONGEST, "");
    Durations.require(cmd, "--retry-period", retry, MIN_RETRY, Durations.LONGEST, "");
    if (lease.compareTo(renew) <= 0) {
      throw new CommandLine.ParameterException(
          cmd,
          "--lease-duration ("
              + Durations.format(lease)
              + ") must be longer than --renew-deadline ("
              + Durations.format(renew)
              + "): a leader that cannot renew must stop before followers take over");
    }
    Duration jittered = Duration.ofNanos((long) (LeaderElector.JITTER_FACTOR * retry.toNanos()));
    if (renew.compareTo(jittered) <= 0) {
      throw new CommandLine.ParameterException(
          cmd,
          "--renew-deadline ("
              + Durations.format(renew)
              + ") must be longer than "
              + LeaderElector.JITTER_FACTOR
              + " x --retry-period ("
              + Durations.format(retry)
              + " x "
              + LeaderElector.JITTER_FACTOR
              + " = "
              + Durations.format(jittered)
              + "), so that the leader can retry a failed renewal");
    }
  }

  /**
   * Lets the core validate {@code builder} (timings already set) for {@code lock}: the config's
   * rules and the elector's leader deadline, whose length depends on the lock's granularity. A
   * refusal is a usage error naming the flags.
   */
  static void checkWithLock(
      CommandLine cmd, LeaderElectionConfig.Builder builder, Lock lock, String timings) {
    try {
      new LeaderElector(
          builder
              .lock(lock)
              .callbacks(
                  LeaderCallbacks.builder()
                      .onStartedLeading(ctx -> {})
                      .onStoppedLeading(() -> {})
                      .build())
              .build());
    } catch (IllegalArgumentException e) {
      String message =
          Leasehold.message(e)
              .replace("leaseDuration", "--lease-duration")
              .replace("renewDeadline", "--renew-deadline")
              .replace("retryPeriod", "--retry-period");
      throw new CommandLine.ParameterException(
          cmd, "the timings (" + timings + ") do not work on " + lock.describe() + ": " + message);
    }
  }

  /** The timings as flags, for messages. */
  String describe() {
    return describe(leaseDuration, renewDeadline, retryPeriod);
  }

  static String describe(Duration lease, Duration renew, Duration retry) {
    return "--lease-duration "
        + Durations.flag(lease)
        + " --renew-deadline "
        + Durations.flag(renew)
        + " --retry-period "
        + Durations.flag(retry);
  }
}
