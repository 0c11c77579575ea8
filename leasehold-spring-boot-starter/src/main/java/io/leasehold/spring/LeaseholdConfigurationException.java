package io.leasehold.spring;

import java.time.Duration;

/**
 * The {@code leasehold.*} configuration cannot work; the message names the property and its value.
 * Thrown while the application context starts, so start-up fails with that message.
 */
public final class LeaseholdConfigurationException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private static final String[] TIMING_PROPERTIES = {
    "leasehold.lease-duration", "leasehold.renew-deadline", "leasehold.retry-period"
  };

  private final String property;

  LeaseholdConfigurationException(String property, String message, Throwable cause) {
    super(message, cause);
    this.property = property;
  }

  /** {@code "<property>=<value>: <reason>"}. */
  static LeaseholdConfigurationException of(String property, Object value, String reason) {
    return new LeaseholdConfigurationException(
        property, property + "=" + value + ": " + reason, null);
  }

  /** Like {@link #of} with the cause's message as the reason. */
  static LeaseholdConfigurationException of(String property, Object value, RuntimeException cause) {
    return new LeaseholdConfigurationException(
        property, property + "=" + value + ": " + cause.getMessage(), cause);
  }

  /**
   * Timings the elector refused, with the core's rule restated in property names ({@code
   * leaseDuration} becomes {@code leasehold.lease-duration}) and the three values.
   */
  static LeaseholdConfigurationException timings(
      LeaseholdElection.Settings s, IllegalArgumentException cause) {
    String rule =
        String.valueOf(cause.getMessage())
            .replace("leaseDuration", "leasehold.lease-duration")
            .replace("renewDeadline", "leasehold.renew-deadline")
            .replace("retryPeriod", "leasehold.retry-period");
    String property = "leasehold.lease-duration";
    int first = Integer.MAX_VALUE;
    for (String p : TIMING_PROPERTIES) {
      int at = rule.indexOf(p);
      if (at >= 0 && at < first) {
        first = at;
        property = p;
      }
    }
    return new LeaseholdConfigurationException(
        property,
        "invalid leader election timings: "
            + rule
            + " (leasehold.lease-duration="
            + format(s.leaseDuration())
            + ", leasehold.renew-deadline="
            + format(s.renewDeadline())
            + ", leasehold.retry-period="
            + format(s.retryPeriod())
            + ")",
        cause);
  }

  /** The property at fault (the first one, when several are). */
  public String property() {
    return property;
  }

  /** A duration as it is written in properties: {@code 15s}, {@code 500ms}. */
  static String format(Duration d) {
    if (d == null) {
      return "null";
    }
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
