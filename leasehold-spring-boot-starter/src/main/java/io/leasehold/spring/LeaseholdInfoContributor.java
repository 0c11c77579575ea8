package io.leasehold.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/** The election's state under {@code leasehold} in the info endpoint. */
final class LeaseholdInfoContributor implements InfoContributor {
  private final LeaseholdElection election;

  LeaseholdInfoContributor(LeaseholdElection election) {
    this.election = election;
  }

  @Override
  public void contribute(Info.Builder builder) {
    builder.withDetail("leasehold", details(election));
  }

  /** election, identity, lock, leader, isLeader and, while leading, fencingToken. */
  static Map<String, Object> details(LeaseholdElection e) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("election", e.name());
    details.put("identity", e.identity());
    details.put("lock", e.lockDescription());
    details.put("leader", e.leader());
    OptionalLong token = e.fencingToken(); // one read: isLeader and the token agree
    details.put("isLeader", token.isPresent());
    if (token.isPresent()) {
      details.put("fencingToken", token.getAsLong());
    }
    return details;
  }
}
