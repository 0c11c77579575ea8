package io.leasehold.spring;

/**
 * This instance stopped leading. When it is published, no {@link LeaderOnly} method of the term
 * runs any more (unless one overran the renew deadline), and the lock has not been released yet.
 */
public final class LeadershipRevokedEvent extends LeaseholdEvent {
  private static final long serialVersionUID = 1L;

  private final long fencingToken;
  private final String reason;

  LeadershipRevokedEvent(
      LeaseholdElection source, String electionName, String identity, long token, String reason) {
    super(source, electionName, identity);
    this.fencingToken = token;
    this.reason = reason;
  }

  /** The fencing token of the term that ended. */
  public long fencingToken() {
    return fencingToken;
  }

  /** Why the term ended, such as "the elector was stopped" or "renewal failed". */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "LeadershipRevokedEvent{"
        + electionName()
        + ", "
        + identity()
        + ", token "
        + fencingToken
        + ", "
        + reason
        + "}";
  }
}
