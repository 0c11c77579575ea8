package io.leasehold.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a {@link LeaseholdConfigurationException} as Spring Boot reports bad properties. */
final class LeaseholdFailureAnalyzer
    extends AbstractFailureAnalyzer<LeaseholdConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, LeaseholdConfigurationException cause) {
    return new FailureAnalysis(
        "Leader election is misconfigured: " + cause.getMessage(),
        "Update the property "
            + cause.property()
            + " (see docs/SPRING.md for every leasehold.*"
            + " property).",
        cause);
  }
}
