package io.leasehold.spring;

import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.event.LeaderEventPublisher;

/**
 * Delivers Spring Integration's leader events, as its {@code LockRegistryLeaderInitiator} and
 * Spring Cloud Kubernetes do: {@code OnGrantedEvent} and {@code OnRevokedEvent} for each term, with
 * a {@link Context} whose {@code yield()} gives up leadership, and {@code
 * OnFailedToAcquireMutexEvent} when another instance is seen to lead. A {@code
 * SmartLifecycleRoleController} starts and stops the role's lifecycles on them.
 */
final class IntegrationLeaderEvents implements LeaseholdElection.Observer {
  private final LeaderEventPublisher publisher;

  IntegrationLeaderEvents(LeaderEventPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public void granted(LeaseholdElection election, LeaseholdElection.Term term) {
    publisher.publishOnGranted(election, new TermContext(election, term), election.role());
  }

  @Override
  public void revoked(LeaseholdElection election, LeaseholdElection.Term term) {
    publisher.publishOnRevoked(election, new TermContext(election, term), election.role());
  }

  @Override
  public void observedOtherLeader(LeaseholdElection election, String leader) {
    publisher.publishOnFailedToAcquire(election, new TermContext(election, null), election.role());
  }

  /** Spring Integration's view of one term (or of none, for a failed acquisition). */
  private record TermContext(LeaseholdElection election, LeaseholdElection.Term term)
      implements Context {

    @Override
    public boolean isLeader() {
      return term != null && term.isActive();
    }

    @Override
    public void yield() {
      election.yieldTerm(term);
    }

    @Override
    public String getRole() {
      return election.role();
    }

    @Override
    public String toString() {
      return "LeaseholdContext{role="
          + getRole()
          + ", identity="
          + election.identity()
          + ", leader="
          + isLeader()
          + (term == null ? "" : ", token=" + term.context.fencingToken())
          + "}";
    }
  }
}
