package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leasehold's own threads, with the default clock and pools: a handful of electors run on at most
 * three of them in steady state, and none is left once every elector has closed.
 */
class ThreadsTest {
  private static final Duration T = Duration.ofSeconds(60);

  private static long leaseholdThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("leasehold-"))
        .count();
  }

  private static List<String> names() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("leasehold-"))
        .sorted()
        .toList();
  }

  @Test
  void aHandfulOfElectorsRunOnAtMostThreeThreads_andNoneRemainsAfterTheyClose() {
    InMemoryLockStore store = new InMemoryLockStore();
    List<LeaderElector> electors = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      LeaderElector e =
          new LeaderElector(
              LeaderElectionConfig.builder()
                  .lock(store.lock("threads", "c" + i))
                  .leaseDuration(Duration.ofSeconds(3))
                  .renewDeadline(Duration.ofSeconds(2))
                  .retryPeriod(Duration.ofMillis(300))
                  .releaseOnCancel(true)
                  .callbacks(
                      LeaderCallbacks.builder()
                          .onStartedLeading(ctx -> {})
                          .onStoppedLeading(() -> {})
                          .onNewLeader(id -> {})
                          .build())
                  .build());
      electors.add(e);
      e.start();
    }
    Await.until(T, () -> electors.stream().anyMatch(LeaderElector::isLeader), "a leader");
    // steady state: start-up callbacks done, their idle threads retired
    Await.until(
        T, () -> leaseholdThreads() <= 3, () -> leaseholdThreads() + " threads: " + names());
    long most = 0;
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      most = Math.max(most, leaseholdThreads());
      Thread.onSpinWait();
    }
    assertThat(most).as("threads while the leader renews every 0.3 s").isLessThanOrEqualTo(3);
    assertThat(electors.stream().filter(LeaderElector::isLeader)).hasSize(1);

    electors.forEach(LeaderElector::close);
    Await.until(
        T,
        () -> leaseholdThreads() == 0,
        () -> leaseholdThreads() + " threads left after every elector closed");
  }
}
