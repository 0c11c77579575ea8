package io.leasehold.spring;

import static io.leasehold.spring.ElectionLog.Kind.GRANTED;
import static io.leasehold.spring.ElectionLog.Kind.LEADER_CHANGED;
import static io.leasehold.spring.ElectionLog.Kind.REVOKED;
import static io.leasehold.spring.ElectionLog.Kind.WORK;
import static io.leasehold.spring.ElectionLog.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.spring.ElectionLog.Entry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three instances of one application on one lock: exactly one leads, only it runs the leader-only
 * scheduled method, and when its context closes another takes over within one retry period, its
 * revocation logged before the next grant.
 */
abstract class ThreeInstancesContract {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** Instances configured for the lock under test. */
  abstract Instances instances();

  /** The application's configuration classes. */
  abstract Class<?>[] sources();

  /** Called with the leader's identity once all three agree on it. */
  void checkLockHolds(String leader, long token) throws Exception {}

  @Test
  void oneLeaderWorksAloneAndHandsOverWithinOneRetryPeriodWhenItsContextCloses() throws Exception {
    try (Instances instances = instances()) {
      ElectionLog log = instances.log;
      Map<String, ConfigurableApplicationContext> apps = new LinkedHashMap<>();
      for (String id : List.of("a", "b", "c")) {
        apps.put(id, instances.start(id, sources()));
      }

      Entry first = log.await(0, is(GRANTED), WAIT, "a leader");
      String leader = first.instance();
      for (String id : apps.keySet()) {
        log.await(
            0,
            e -> is(id, LEADER_CHANGED).test(e) && e.detail().equals(leader),
            WAIT,
            id + " seeing " + leader + " lead");
      }
      for (var app : apps.entrySet()) {
        LeaseholdElection election = Instances.election(app.getValue());
        assertThat(election.isLeader()).as(app.getKey()).isEqualTo(app.getKey().equals(leader));
        assertThat(election.leader()).as(app.getKey()).isEqualTo(leader);
      }
      checkLockHolds(leader, first.token());
      log.awaitCount(first.seq(), is(WORK), 5, WAIT, "leader-only work");

      long closing = System.nanoTime();
      apps.remove(leader).close();
      Entry next = log.await(first.seq(), is(GRANTED), WAIT, "the next leader");
      Duration handover = Duration.ofNanos(next.nanos() - closing);
      System.out.println(getClass().getSimpleName() + ": handover after close took " + handover);

      assertThat(next.instance()).isNotEqualTo(leader);
      assertThat(handover).isLessThan(Instances.RETRY);
      List<Entry> revoked = log.entries(is(leader, REVOKED));
      assertThat(revoked).hasSize(1);
      assertThat(revoked.get(0).seq()).isLessThan(next.seq());
      assertThat(revoked.get(0).token()).isEqualTo(first.token());
      assertThat(next.token()).isGreaterThan(first.token());

      log.awaitCount(next.seq(), is(next.instance(), WORK), 5, WAIT, "the new leader's work");
      for (Entry w : log.entries(is(WORK))) {
        Entry term = w.seq() < revoked.get(0).seq() ? first : next;
        assertThat(w.instance()).as("%s", w).isEqualTo(term.instance());
        assertThat(w.token()).as("%s", w).isEqualTo(term.token());
        assertThat(w.seq()).as("%s", w).isGreaterThan(term.seq());
      }
      assertTermsNeverOverlap(log);
    }
  }

  /** Grants and revocations alternate: nobody is granted while another's term is open. */
  static void assertTermsNeverOverlap(ElectionLog log) {
    String holder = null;
    for (Entry e : log.entries(e -> e.kind() == GRANTED || e.kind() == REVOKED)) {
      if (e.kind() == GRANTED) {
        assertThat(holder)
            .as("granted to %s while %s leads:%n%s", e.instance(), holder, log)
            .isNull();
        holder = e.instance();
      } else {
        assertThat(e.instance()).as("revoked from %s:%n%s", e.instance(), log).isEqualTo(holder);
        holder = null;
      }
    }
  }
}
