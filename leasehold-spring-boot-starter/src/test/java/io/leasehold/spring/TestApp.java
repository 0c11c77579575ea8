package io.leasehold.spring;

import io.leasehold.spring.ElectionLog.Kind;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The application the tests start several times: a leader-only scheduled method and listeners of
 * Leasehold's events, reporting to the {@link ElectionLog} bean as instance {@code test.instance}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableScheduling
@Import(TestApp.Reporter.class)
class TestApp {

  /** Leader-only work and event listeners, as users write them. */
  static class Reporter {
    private final ElectionLog log;
    private final String instance;

    Reporter(ElectionLog log, @Value("${test.instance}") String instance) {
      this.log = log;
      this.instance = instance;
    }

    @Scheduled(fixedDelay = 20)
    @LeaderOnly
    public void work() {
      log.add(instance, Kind.WORK, Leadership.fencingToken(), "");
    }

    @EventListener
    public void granted(LeadershipGrantedEvent e) {
      log.add(instance, Kind.GRANTED, e.fencingToken(), "");
    }

    @EventListener
    public void revoked(LeadershipRevokedEvent e) {
      log.add(instance, Kind.REVOKED, e.fencingToken(), e.reason());
    }

    @EventListener
    public void leaderChanged(LeaderChangedEvent e) {
      log.add(instance, Kind.LEADER_CHANGED, -1, e.leader());
    }
  }
}
