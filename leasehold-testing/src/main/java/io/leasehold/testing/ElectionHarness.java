package io.leasehold.testing;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeaderMetric;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * Runs electors in virtual time: a {@link FakeClock}, an {@link InMemoryLockStore}, direct
 * executors and a seeded random, so that every run is deterministic and each callback is recorded
 * as "identity:event" in {@link #events}.
 */
public final class ElectionHarness {
  public static final String LOCK = "election";

  public final FakeClock clock = new FakeClock();
  public final InMemoryLockStore store = new InMemoryLockStore();
  public final List<String> events = new CopyOnWriteArrayList<>();
  public final List<LeadershipContext> contexts = new CopyOnWriteArrayList<>();
  public final List<String> metrics = new CopyOnWriteArrayList<>();
  private final Random random = new Random(42);

  /**
   * Lock calls run when a test lets them: normally at once, delayed while {@link #delay} is set.
   */
  public volatile Duration delay = Duration.ZERO;

  public final Executor lockCalls =
      task -> {
        Duration d = delay;
        if (d.isZero()) {
          task.run();
        } else {
          clock.schedule(task, d);
        }
      };

  /** A config for {@code identity} on the shared lock, polling (no watch), 15 s / 10 s / 2 s. */
  public LeaderElectionConfig.Builder config(String identity) {
    return config(store.lock(LOCK, identity).withoutWatch(), identity);
  }

  /** A config on {@code lock} whose callbacks record events. */
  public LeaderElectionConfig.Builder config(Lock lock, String identity) {
    return LeaderElectionConfig.builder()
        .lock(lock)
        .name(LOCK)
        .clock(clock)
        .executor(lockCalls)
        .callbackExecutor(Runnable::run)
        .random(new Random(random.nextLong()))
        .metricsProvider(
            () ->
                new LeaderMetric() {
                  @Override
                  public void on(String name) {
                    metrics.add(identity + ":on");
                  }

                  @Override
                  public void off(String name) {
                    metrics.add(identity + ":off");
                  }

                  @Override
                  public void slowpathExercised(String name) {
                    metrics.add(identity + ":slowpath");
                  }
                })
        .callbacks(
            LeaderCallbacks.builder()
                .onStartedLeading(
                    ctx -> {
                      contexts.add(ctx);
                      events.add(identity + ":started");
                    })
                .onStoppedLeading(() -> events.add(identity + ":stopped"))
                .onNewLeader(leader -> events.add(identity + ":leader=" + leader))
                .build());
  }

  /** Builds and starts an elector. */
  public LeaderElector start(LeaderElectionConfig.Builder config) {
    LeaderElector elector = new LeaderElector(config.build());
    elector.start();
    return elector;
  }

  /** Advances virtual time. */
  public void advance(Duration d) {
    clock.advance(d);
  }

  /** Advances in steps of {@code step}, checking after each that at most one elector leads. */
  public void advanceCheckingOneLeader(
      Duration total, Duration step, List<LeaderElector> electors) {
    long steps = total.toNanos() / step.toNanos();
    for (long i = 0; i < steps; i++) {
      clock.advance(step);
      List<LeaderElector> leaders = new ArrayList<>();
      for (LeaderElector e : electors) {
        if (e.isLeader()) {
          leaders.add(e);
        }
      }
      if (leaders.size() > 1) {
        throw new AssertionError("two leaders at " + clock.elapsed() + ": " + leaders);
      }
    }
  }

  /** The events of one candidate, without its identity prefix. */
  public List<String> eventsOf(String identity) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      if (e.startsWith(identity + ":")) {
        out.add(e.substring(identity.length() + 1));
      }
    }
    return out;
  }
}
