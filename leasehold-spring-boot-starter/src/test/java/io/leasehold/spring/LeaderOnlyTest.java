package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

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

  @Test
  void leadershipIsUnknownOutsideLeaderOnlyMethods() {
    assertThatThrownBy(Leadership::fencingToken)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@LeaderOnly");
  }
}
