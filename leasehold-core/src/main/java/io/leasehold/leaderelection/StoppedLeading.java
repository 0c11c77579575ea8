package io.leasehold.leaderelection;

/**
 * When onStoppedLeading runs, beyond the end of every term this candidate led. Set with {@link
 * LeaderElectionConfig.Builder#stoppedLeading}.
 */
public enum StoppedLeading {
  /**
   * Also once when the elector stops without ever having led, as client-go's elector does (its
   * callback runs whenever {@code Run} returns). The default.
   */
  ALWAYS,

  /** Only at the end of a term this candidate led: a candidate that never led is never told. */
  ONLY_IF_LED;

  /** Whether onStoppedLeading runs at exit for a candidate that never led. */
  boolean evenIfNeverLed() {
    return this == ALWAYS;
  }
}
