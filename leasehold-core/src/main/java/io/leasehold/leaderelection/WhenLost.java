package io.leasehold.leaderelection;

/**
 * What an elector does once leadership is lost: its renewal failed past renewDeadline, its leader
 * deadline passed, another holder was observed, or onStartedLeading threw. Set with {@link
 * LeaderElectionConfig.Builder#whenLost}. Whatever it says, {@link LeaderElector#stop()} stops the
 * elector and {@link LeaderElector#yieldLeadership()} competes again.
 */
public enum WhenLost {
  /**
   * Stop, as client-go's elector does: {@link LeaderElector#run()} returns and the future of {@link
   * LeaderElector#start()} completes. The default.
   */
  EXIT,

  /**
   * Compete again after a jittered retry period, each term ending with onStoppedLeading; the
   * elector runs until it is stopped, so that a replica never becomes a silent standby.
   */
  COMPETE_AGAIN;

  /** Whether the elector competes again once leadership is lost. */
  boolean competes() {
    return this == COMPETE_AGAIN;
  }
}
