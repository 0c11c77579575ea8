package io.leasehold.leaderelection.example;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Three in-process candidates on the in-memory lock, in real time: the first election, a graceful
 * handover (the leader releases) and a failover after a crash (the leader vanishes without
 * releasing), each printed on a timeline. Run with {@code bin/example}.
 */
public final class ThreeCandidatesExample {
  private static final long START = System.nanoTime();
  private static final Duration LEASE = Duration.ofSeconds(3);

  private ThreeCandidatesExample() {}

  public static void main(String[] args) throws Exception {
    InMemoryLockStore store = new InMemoryLockStore();
    List<LeaderElector> electors = new ArrayList<>();
    CountDownLatch[] leaders = {
      new CountDownLatch(1), new CountDownLatch(2), new CountDownLatch(3)
    };
    say("three candidates start on one lock (lease 3 s, renew deadline 2 s, retry 0.4 s)");
    for (String id : List.of("alpha", "bravo", "charlie")) {
      LeaderElectionConfig config =
          LeaderElectionConfig.builder()
              .lock(store.lock("example", id).withoutWatch())
              .name("example")
              .leaseDuration(LEASE)
              .renewDeadline(Duration.ofSeconds(2))
              .retryPeriod(Duration.ofMillis(400))
              .releaseOnCancel(true)
              .callbacks(
                  LeaderCallbacks.builder()
                      .onStartedLeading(
                          ctx -> {
                            say(id + " leads (fencing token " + ctx.fencingToken() + ")");
                            ctx.whenCancelled()
                                .thenRun(
                                    () -> say(id + " stops acting: " + ctx.cancellationReason()));
                            for (CountDownLatch l : leaders) {
                              l.countDown();
                            }
                          })
                      .onStoppedLeading(() -> say(id + " stopped"))
                      .build())
              .build();
      LeaderElector elector = new LeaderElector(config);
      electors.add(elector);
      elector.start();
    }
    await(leaders[0]);
    LeaderElector first = leader(electors);
    Thread.sleep(1000);

    long t0 = System.nanoTime();
    say("graceful handover: " + first.config().lock().identity() + " releases the lease");
    first.close();
    await(leaders[1]);
    say(String.format("handover took %d ms", ms(t0)));

    LeaderElector second = leader(electors);
    Thread.sleep(1000);
    String crashed = second.config().lock().identity();
    store.setInterceptor(
        (op, name, identity) -> {
          if (identity.equals(crashed)) {
            throw new io.leasehold.leaderelection.resourcelock.LockException("crashed");
          }
        });
    long t1 = System.nanoTime();
    say("crash: " + crashed + " can no longer reach the lock and will not release it");
    await(leaders[2]);
    say(
        String.format(
            "failover took %d ms (%.2f x the lease)", ms(t1), ms(t1) / (double) LEASE.toMillis()));
    for (LeaderElector e : electors) {
      e.close();
    }
    say("done");
  }

  private static LeaderElector leader(List<LeaderElector> electors) {
    return electors.stream().filter(LeaderElector::isLeader).findFirst().orElseThrow();
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no leader within 30 s");
    }
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  private static void say(String what) {
    System.out.printf("%6.2f s  %s%n", (System.nanoTime() - START) / 1e9, what);
  }
}
