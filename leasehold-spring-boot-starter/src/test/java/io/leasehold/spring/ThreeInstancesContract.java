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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three instances of one application on one lock: one leads at a time, only the leader runs the
 * leader-only scheduled method, and when its context closes another takes over through its release,
 * the revocation logged before the next grant.
 */
abstract class ThreeInstancesContract {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String STOPPED = "the elector was stopped";

  /** Instances configured for the lock under test. */
  abstract Instances instances();

  /** The application's configuration classes. */
  abstract Class<?>[] sources();

  /** Called with the leader's identity once all three agree on it. */
  void checkLockHolds(String leader, long token) throws Exception {}

  /** Called once the leader's context has closed. */
  void checkClosedLeader(String leader) throws Exception {}

  /** How long the lock may take to serve the instances again after the leader's close. */
  Duration afterClose() {
    return WAIT;
  }

  /**
   * A leader whose term is still open at the close last wrote less than a renew deadline before it
   * (its leader deadline), so no follower can take over by expiry before a lease duration minus a
   * renew deadline after the close (1 s): a handover sooner than that came from the release. Over
   * one retry period (0.5 s), the bound the issue names and the usual case (tens of milliseconds),
   * it may take on a loaded machine: a follower whose watch has not opened yet polls, and SQLite
   * writers that meet a lock back off in steps of up to 100 ms.
   */
  static final Duration BEFORE_ANY_EXPIRY = Instances.LEASE.minus(Instances.RENEW);

  @Test
  void oneLeaderWorksAloneAndHandsOverThroughItsReleaseWhenItsContextCloses() throws Exception {
    try (Instances instances = instances()) {
      ElectionLog log = instances.log;
      Map<String, ConfigurableApplicationContext> apps = new LinkedHashMap<>();
      for (String id : List.of("a", "b", "c")) {
        apps.put(id, instances.start(id, sources()));
      }

      Entry term = awaitSteadyLeader(log, apps);
      String leader = term.instance();
      checkLockHolds(leader, term.token());
      log.awaitCount(term.seq(), is(leader, WORK), 5, WAIT, "leader-only work");

      long closing = System.nanoTime();
      apps.remove(leader).close();
      // the close has returned: the closed instance's terms are all in the log, revocations too.
      // On a loaded machine its term may have ended on its deadline before the close, and it may
      // have taken the lock again: its last term is the one the close found, if any.
      List<Entry> grants = log.entries(is(leader, GRANTED));
      Entry last = grants.get(grants.size() - 1);
      List<Entry> revoked = log.entries(e -> is(leader, REVOKED).test(e) && e.seq() > last.seq());
      assertThat(revoked).as("%s", log).hasSize(1);
      assertThat(revoked.get(0).token()).as("%s", log).isEqualTo(last.token());
      Entry next = log.await(last.seq(), is(GRANTED), afterClose(), "the next leader");
      Duration handover = Duration.ofNanos(next.nanos() - closing);
      System.out.println(getClass().getSimpleName() + ": handover after close took " + handover);
      if (!revoked.get(0).detail().equals(STOPPED)) {
        // the machine was so slow that the term ended on its deadline before the close: the
        // handover did not come from the close, so its time says nothing about it
        System.out.println("term ended before the close: " + revoked.get(0) + "; not timed");
      } else {
        assertThat(handover).as("%s", log).isLessThan(BEFORE_ANY_EXPIRY);
      }
      assertThat(next.instance()).as("%s", log).isNotEqualTo(leader);
      assertThat(revoked.get(0).seq()).isLessThan(next.seq());
      assertThat(next.token()).isGreaterThan(last.token());
      checkClosedLeader(leader);

      // on a loaded machine the new term may end on its deadline and another follow: any leader
      log.awaitCount(next.seq(), is(WORK), 5, afterClose(), "leader-only work after the handover");
      assertTermsNeverOverlap(log);
      assertWorkOnlyInTerms(log);
    }
  }

  /**
   * Waits until all instances agree on a leader, and returns its term's grant: at no time do two
   * instances lead at once.
   */
  static Entry awaitSteadyLeader(ElectionLog log, Map<String, ConfigurableApplicationContext> apps)
      throws InterruptedException {
    log.await(0, is(GRANTED), WAIT, "a leader");
    Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              long leading =
                  apps.values().stream().filter(c -> Instances.election(c).isLeader()).count();
              assertThat(leading).as("instances leading at once").isLessThanOrEqualTo(1);
              String seen = null;
              for (ConfigurableApplicationContext c : apps.values()) {
                String l = Instances.election(c).leader();
                if (l.isEmpty() || (seen != null && !seen.equals(l))) {
                  return false;
                }
                seen = l;
              }
              return leading == 1
                  && apps.containsKey(seen)
                  && Instances.election(apps.get(seen)).isLeader();
            });
    List<Entry> grants = log.entries(is(GRANTED));
    return grants.get(grants.size() - 1);
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

  /** Every leader-only call ran inside a term of its instance, with that term's token. */
  static void assertWorkOnlyInTerms(ElectionLog log) {
    Entry open = null;
    for (Entry e : log.entries(e -> e.kind() != LEADER_CHANGED)) {
      switch (e.kind()) {
        case GRANTED -> open = e;
        case REVOKED -> open = null;
        case WORK -> {
          assertThat(open).as("%s outside any term:%n%s", e, log).isNotNull();
          assertThat(e.instance()).as("%s", e).isEqualTo(open.instance());
          assertThat(e.token()).as("%s", e).isEqualTo(open.token());
        }
        default -> {}
      }
    }
  }
}
