package io.leasehold.spring;

import org.springframework.context.ApplicationEvent;

/**
 * A leader election event of this application, published to its context. Listen with
 * {@code @EventListener}; listeners run synchronously on the elector's callback thread, in the
 * order the events happened.
 */
public abstract sealed class LeaseholdEvent extends ApplicationEvent
    permits LeadershipGrantedEvent, LeadershipRevokedEvent, LeaderChangedEvent {
  private static final long serialVersionUID = 1L;

  private final String electionName;
  private final String identity;

  LeaseholdEvent(LeaseholdElection source, String electionName, String identity) {
    super(source);
    this.electionName = electionName;
    this.identity = identity;
  }

  /** The election's name. */
  public String electionName() {
    return electionName;
  }

  /** This instance's identity. */
  public String identity() {
    return identity;
  }

  /** The election that published the event. */
  public LeaseholdElection election() {
    return (LeaseholdElection) getSource();
  }
}
