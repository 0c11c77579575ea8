package io.leasehold.spring;

/**
 * This instance observed a new holder of the lock: another instance, itself, or nobody (an empty
 * {@link #leader()}, after a release). Informational: act on {@link LeadershipGrantedEvent} and
 * {@link LeadershipRevokedEvent}.
 */
public final class LeaderChangedEvent extends LeaseholdEvent {
  private static final long serialVersionUID = 1L;

  private final String leader;

  LeaderChangedEvent(
      LeaseholdElection source, String electionName, String identity, String leader) {
    super(source, electionName, identity);
    this.leader = leader;
  }

  /** The identity of the new holder; empty when the lock was released. */
  public String leader() {
    return leader;
  }

  /** Whether the new holder is this instance. */
  public boolean isSelf() {
    return leader.equals(identity());
  }

  @Override
  public String toString() {
    return "LeaderChangedEvent{" + electionName() + ", " + identity() + " sees " + leader + "}";
  }
}
