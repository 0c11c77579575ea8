package com.example.invoices;

import io.leasehold.spring.LeaderChangedEvent;
import io.leasehold.spring.LeadershipGrantedEvent;
import io.leasehold.spring.LeadershipRevokedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Logs the election's events (Spring Integration's OnGrantedEvent works too, when it is there). */
@Component
public class LeadershipLog {
  private static final Logger log = LoggerFactory.getLogger(LeadershipLog.class);

  @EventListener
  public void granted(LeadershipGrantedEvent e) {
    log.info("{} leads {} (fencing token {})", e.identity(), e.electionName(), e.fencingToken());
  }

  @EventListener
  public void revoked(LeadershipRevokedEvent e) {
    log.info("{} stopped leading {}: {}", e.identity(), e.electionName(), e.reason());
  }

  @EventListener
  public void leaderChanged(LeaderChangedEvent e) {
    log.info("leader of {} is now '{}'", e.electionName(), e.leader());
  }
}
