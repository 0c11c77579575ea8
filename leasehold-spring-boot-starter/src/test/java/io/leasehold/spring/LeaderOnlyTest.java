package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
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
    ApplicationContextRunner runner =
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LeaseholdAutoConfiguration.class))
            .withPropertyValues(
                "leasehold.lease-duration=3s",
                "leasehold.renew-deadline=2s",
                "leasehold.retry-period=500ms")
            .withBean(Work.class);
    runner
        .withBean(Lock.class, () -> store.lock("work", "leader"))
        .run(
            leader -> {
              LeaseholdElection election = leader.getBean(LeaseholdElection.class);
              Awaitility.await().atMost(Duration.ofSeconds(20)).until(election::isLeader);
              Work work = leader.getBean(Work.class);
              assertThat(work.token()).isEqualTo(election.fencingToken().getAsLong());
              assertThat(work.calls()).isEqualTo(1);

              runner
                  .withBean(Lock.class, () -> store.lock("work", "follower"))
                  .run(
                      follower -> {
                        LeaseholdElection e = follower.getBean(LeaseholdElection.class);
                        Awaitility.await()
                            .atMost(Duration.ofSeconds(20))
                            .until(() -> e.leader().equals("leader"));
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

  /**
   * Stopping the leader's context ends the term at once, but publishes the revocation and releases
   * the lock only after the leader-only call that is running has returned.
   */
  @Test
  void stoppingWaitsForRunningLeaderOnlyCallsBeforeRevokingAndReleasing() throws Exception {
    InMemoryLockStore store = new InMemoryLockStore();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LeaseholdAutoConfiguration.class))
        .withPropertyValues(
            "leasehold.lease-duration=3s",
            "leasehold.renew-deadline=2s",
            "leasehold.retry-period=500ms")
        .withBean(Lock.class, () -> store.lock("block", "leader"))
        .withBean(Blocking.class)
        .run(
            context -> {
              LeaseholdElection election = context.getBean(LeaseholdElection.class);
              Awaitility.await().atMost(Duration.ofSeconds(20)).until(election::isLeader);
              Blocking work = context.getBean(Blocking.class);
              CompletableFuture<Void> call =
                  CompletableFuture.runAsync(
                      () -> {
                        try {
                          work.run();
                        } catch (InterruptedException e) {
                          throw new IllegalStateException(e);
                        }
                      });
              assertThat(work.awaitEntered()).isTrue();

              CompletableFuture<Void> stopped = CompletableFuture.runAsync(election::stop);
              Awaitility.await()
                  .atMost(Duration.ofSeconds(20))
                  .until(() -> work.term().isCancelled());
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

  @Test
  void leadershipIsUnknownOutsideLeaderOnlyMethods() {
    assertThatThrownBy(Leadership::fencingToken)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@LeaderOnly");
  }
}
