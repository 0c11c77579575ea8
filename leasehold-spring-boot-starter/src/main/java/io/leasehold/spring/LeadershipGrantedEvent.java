package io.leasehold.spring;

import io.leasehold.leaderelection.LeadershipContext;

/**
 * This instance became leader. The {@link #context() context} is cancelled when the term ends; a
 * {@link LeadershipRevokedEvent} with the same fencing token follows before any other instance can
 * lead. {@link LeaderOnly} methods run from when the listeners of this event have returned, so a
 * listener can prepare what they need.
 */
public final class LeadershipGrantedEvent extends LeaseholdEvent {
  private static final long serialVersionUID = 1L;

  private final transient LeadershipContext context;

  LeadershipGrantedEvent(LeaseholdElection source, LeadershipContext context) {
    super(source, context.electionName(), context.identity());
    this.context = context;
  }

  /** The term: check {@link LeadershipContext#isCancelled()} before acting as leader. */
  public LeadershipContext context() {
    return context;
  }

  /** The term's fencing token: higher than that of every earlier term of this election. */
  public long fencingToken() {
    return context.fencingToken();
  }

  @Override
  public String toString() {
    return "LeadershipGrantedEvent{"
        + electionName()
        + ", "
        + identity()
        + ", token "
        + fencingToken()
        + "}";
  }
}
