package io.leasehold.leaderelection;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Ties a health endpoint to an elector that may be created later (client-go's {@code
 * HealthzAdaptor}). The check fails when this candidate holds the lease but has not renewed it for
 * longer than the lease duration plus the tolerance given here: the symptom of a stuck process that
 * should be restarted. It passes while the candidate is a follower, and before an elector is set.
 */
public final class HealthzAdaptor {
  private final Duration timeout;
  private volatile LeaderElector elector;

  /**
   * Creates the adaptor.
   *
   * @param timeout how long past the lease's expiry a stuck leader is still reported healthy
   */
  public HealthzAdaptor(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** The name of this check: {@code leaderElection}. */
  public String name() {
    return "leaderElection";
  }

  /** Sets the elector to check; {@link LeaderElector}'s constructor does this for its watchdog. */
  public void setLeaderElection(LeaderElector elector) {
    this.elector = elector;
  }

  /**
   * client-go's healthz rule: unhealthy when {@code identity} is the observed holder but the record
   * has not changed for longer than {@code tolerated} (the lease plus the tolerance).
   */
  static Optional<String> stuckLeader(
      Observation o, String identity, String name, ElectionClock clock, Duration tolerated) {
    Duration since = Duration.ofNanos(clock.nanoTime() - o.observedAt());
    if (!o.holder().equals(identity) || since.compareTo(tolerated) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        "failed election to renew leadership on lease "
            + name
            + ": last renewal "
            + since
            + " ago");
  }

  /** The failure reason, or empty when healthy. */
  public Optional<String> check() {
    LeaderElector e = elector;
    return e == null ? Optional.empty() : e.check(timeout);
  }
}
