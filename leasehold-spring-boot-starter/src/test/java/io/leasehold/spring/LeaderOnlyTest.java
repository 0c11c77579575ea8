package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.testing.Faults;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.event.EventListener;

/** {@link LeaderOnly} methods called directly: they run only on the leader, with its token. */
class LeaderOnlyTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** The auto-configuration with short election timings: lease 3 s, renew 2 s, retry 0.5 s. */
  private static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LeaseholdAutoConfiguration.class))
        .withPropertyValues(
            "leasehold.lease-duration=3s",
            "leasehold.renew-deadline=2s",
            "leasehold.retry-period=500ms");
  }

  /** A bean with a leader-only method. */
  static class Work {
    private final AtomicInteger calls = new AtomicInteger();

    @LeaderOnly
    public Long token() {
      calls.incrementAndGet();
      return Leadership.fencingToken();
    }

    int calls() {
      return calls.get();
    }
  }

  @Test
  void runsOnTheLeaderOnlyWithItsToken() {
    InMemoryLockStore store = new InMemoryLockStore();
    ApplicationContextRunner runner = runner().withBean(Work.class);
    runner
        .withBean(Lock.class, () -> store.lock("work", "leader"))
        .run(
            leader -> {
              LeaseholdElection election = leader.getBean(LeaseholdElection.class);
              Work work = leader.getBean(Work.class);
              Awaitility.await().atMost(WAIT).until(() -> work.token() != null); // granted
              assertThat(work.token()).isEqualTo(election.fencingToken().getAsLong());

              runner
                  .withBean(Lock.class, () -> store.lock("work", "follower"))
                  .run(
                      follower -> {
                        LeaseholdElection e = follower.getBean(LeaseholdElection.class);
                        Awaitility.await().atMost(WAIT).until(() -> e.leader().equals("leader"));
                        Work followerWork = follower.getBean(Work.class);
                        assertThat(followerWork.token()).isNull();
                        assertThat(followerWork.calls()).isZero();
                      });
            });
  }

  /**
   * A leader-only method that runs until told to return (fields are read through methods: the bean
   * is a proxy).
   */
  static class Blocking {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> order = new CopyOnWriteArrayList<>();
    private volatile LeadershipContext term;

    public boolean awaitEntered() throws InterruptedException {
      return entered.await(20, TimeUnit.SECONDS);
    }

    public void release() {
      release.countDown();
    }

    public List<String> order() {
      return order;
    }

    public LeadershipContext term() {
      return term;
    }

    /** True once leader-only calls are admitted (null before). */
    @LeaderOnly
    public Boolean admitted() {
      return true;
    }

    @LeaderOnly
    public void run() throws InterruptedException {
      term = Leadership.current();
      entered.countDown();
      release.await();
      order.add("work returned");
    }

    @EventListener
    public void revoked(LeadershipRevokedEvent e) {
      order.add("revoked");
    }
  }

  /** Calls {@code work.run()} (through the proxy) on another thread. */
  private static CompletableFuture<Void> runAsync(Blocking work) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            work.run();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /**
   * Stopping the leader's context ends the term at once, but publishes the revocation and releases
   * the lock only after the leader-only call that is running has returned.
   */
  @Test
  void stoppingWaitsForRunningLeaderOnlyCallsBeforeRevokingAndReleasing() throws Exception {
    InMemoryLockStore store = new InMemoryLockStore();
    runner()
        .withBean(Lock.class, () -> store.lock("block", "leader"))
        .withBean(Blocking.class)
        .run(
            context -> {
              LeaseholdElection election = context.getBean(LeaseholdElection.class);
              Blocking work = context.getBean(Blocking.class);
              Awaitility.await().atMost(WAIT).until(() -> work.admitted() != null); // granted
              CompletableFuture<Void> call = runAsync(work);
              assertThat(work.awaitEntered()).isTrue();

              CompletableFuture<Void> stopped = CompletableFuture.runAsync(election::stop);
              Awaitility.await().atMost(WAIT).until(() -> work.term().isCancelled());
              assertThat(election.isLeader()).isFalse();
              // while the call runs: no revocation (given half a second to show up), no release
              assertThat(stopped).isNotDone();
              Awaitility.await()
                  .during(Duration.ofMillis(500))
                  .atMost(Duration.ofSeconds(5))
                  .until(() -> work.order().isEmpty());
              assertThat(store.record("block").orElseThrow().holderIdentity()).isEqualTo("leader");

              work.release();
              stopped.get(20, TimeUnit.SECONDS);
              call.get(20, TimeUnit.SECONDS);
              assertThat(work.order()).containsExactly("work returned", "revoked");
              assertThat(store.record("block").orElseThrow().holderIdentity()).isEmpty();
            });
  }

  /** The terms' grants and revocations, with their tokens, in order. */
  static class Terms {
    private final List<String> events = new CopyOnWriteArrayList<>();

    @EventListener
    public void granted(LeadershipGrantedEvent e) {
      events.add("granted " + e.fencingToken());
    }

    @EventListener
    public void revoked(LeadershipRevokedEvent e) {
      events.add("revoked " + e.fencingToken());
    }

    List<String> events() {
      return events;
    }
  }

  /**
   * A term can start while the previous one still waits for a leader-only call (here: renewals
   * failed, the term ended on its deadline, the lock came back and the elector took it again): the
   * new term is granted only after the previous one's call returned and its revocation was
   * delivered.
   */
  @Test
  void aNewTermIsGrantedOnlyAfterThePreviousTermsRevocation() throws Exception {
    InMemoryLockStore store = new InMemoryLockStore();
    Faults faults = new Faults();
    runner()
        .withBean(Lock.class, () -> faults.wrap(store.lock("terms", "leader")))
        .withBean(Blocking.class)
        .withBean(Terms.class)
        .run(
            context -> {
              LeaseholdElection election = context.getBean(LeaseholdElection.class);
              Blocking work = context.getBean(Blocking.class);
              Terms terms = context.getBean(Terms.class);
              Awaitility.await().atMost(WAIT).until(() -> work.admitted() != null); // granted
              long first = election.fencingToken().orElseThrow();
              CompletableFuture<Void> call = runAsync(work);
              assertThat(work.awaitEntered()).isTrue();

              faults.setUnavailable(true); // renewals fail: the term ends on its deadline
              Awaitility.await().atMost(WAIT).until(() -> work.term().isCancelled());
              faults.setUnavailable(false); // and the elector takes the lock again
              Awaitility.await()
                  .atMost(WAIT)
                  .until(() -> election.fencingToken().orElse(first) > first);
              long second = election.fencingToken().getAsLong();
              work.release();
              call.get(20, TimeUnit.SECONDS);
              Awaitility.await().atMost(WAIT).until(() -> terms.events().size() >= 3);
              assertThat(terms.events())
                  .containsExactly("granted " + first, "revoked " + first, "granted " + second);
              assertThat(work.order()).containsExactly("work returned", "revoked");
            });
  }

  /** A grant listener that waits until told to return, and a leader-only method. */
  static class SlowGrant {
    private final CountDownLatch inListener = new CountDownLatch(1);
    private final CountDownLatch proceed = new CountDownLatch(1);

    @EventListener
    public void granted(LeadershipGrantedEvent e) throws InterruptedException {
      inListener.countDown();
      proceed.await(20, TimeUnit.SECONDS);
    }

    public boolean awaitInListener() throws InterruptedException {
      return inListener.await(20, TimeUnit.SECONDS);
    }

    public void proceed() {
      proceed.countDown();
    }

    @LeaderOnly
    public Boolean admitted() {
      return true;
    }
  }

  /** Leader-only calls run only once the grant's listeners have returned (they may prepare). */
  @Test
  void leaderOnlyCallsWaitForTheGrantListeners() {
    InMemoryLockStore store = new InMemoryLockStore();
    runner()
        .withBean(Lock.class, () -> store.lock("grant", "leader"))
        .withBean(SlowGrant.class)
        .run(
            context -> {
              SlowGrant grant = context.getBean(SlowGrant.class);
              assertThat(grant.awaitInListener()).isTrue();
              assertThat(context.getBean(LeaseholdElection.class).isLeader()).isTrue();
              assertThat(grant.admitted()).as("admitted during the grant").isNull();
              grant.proceed();
              Awaitility.await().atMost(WAIT).until(() -> grant.admitted() != null);
            });
  }

  @Test
  void leadershipIsUnknownOutsideLeaderOnlyMethods() {
    assertThatThrownBy(Leadership::fencingToken)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@LeaderOnly");
  }
}
