package io.leasehold.spring;

import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * client-go's healthz check as a Spring Boot health indicator ({@code leasehold}): DOWN when this
 * instance holds the lock but has not renewed it for longer than the lease duration plus {@code
 * leasehold.health.tolerance} (a stuck leader, best restarted: add it to the liveness group), or
 * when it stopped competing; UP otherwise, followers included; UNKNOWN while not started.
 */
final class LeaseholdHealthIndicator implements HealthIndicator {
  private final LeaseholdElection election;

  LeaseholdHealthIndicator(LeaseholdElection election) {
    this.election = election;
  }

  @Override
  public Health health() {
    Health.Builder b;
    Optional<String> failure = election.check();
    if (failure.isPresent()) {
      b = Health.down().withDetail("reason", failure.get());
    } else if (!election.isRunning()) {
      b = Health.unknown().withDetail("reason", "not started");
    } else if (!election.isCompeting()) {
      b =
          Health.down()
              .withDetail("reason", "lost leadership and stopped competing (keep-competing=false)");
    } else {
      b = Health.up();
    }
    return b.withDetails(LeaseholdInfoContributor.details(election)).build();
  }
}
