package io.leasehold.bench;

import java.time.Duration;

/** Lease duration, renew deadline and retry period of a scenario. */
final class Timings {
  /** The timings the peers were measured with: 3 s / 2 s / 0.4 s. */
  static final Timings PEERS =
      new Timings(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(400));

  final Duration lease;
  final Duration renew;
  final Duration retry;

  Timings(Duration lease, Duration renew, Duration retry) {
    this.lease = lease;
    this.renew = renew;
    this.retry = retry;
  }

  @Override
  public String toString() {
    return "lease "
        + lease.toMillis() / 1000.0
        + " s, renew "
        + renew.toMillis() / 1000.0
        + " s, retry "
        + retry.toMillis() / 1000.0
        + " s";
  }
}
