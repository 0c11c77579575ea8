package io.leasehold.bench;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The elector's own cost per renewal, without any I/O: one leader on the in-memory lock, virtual
 * time, every executor direct. Each operation advances the clock by one retry period, which runs
 * exactly one renewal (timer, fast-path update, leader-deadline re-arm). A second benchmark does
 * the same with a follower watching, so each renewal also notifies it.
 *
 * <pre>bin/bench jmh RenewCycleBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RenewCycleBenchmark {
  private static final Duration RETRY = Duration.ofSeconds(2);

  private FakeClock clock;
  private LeaderElector leader;
  private LeaderElector follower;

  @Setup(Level.Trial)
  public void setUp() {
    clock = new FakeClock();
    InMemoryLockStore store = new InMemoryLockStore();
    leader = elector(store, "leader");
    leader.start();
    clock.advance(Duration.ZERO);
    follower = elector(store, "follower");
    follower.start();
    clock.advance(Duration.ZERO);
    if (!leader.isLeader()) {
      throw new IllegalStateException("the leader did not acquire");
    }
  }

  private LeaderElector elector(InMemoryLockStore store, String identity) {
    return new LeaderElector(
        LeaderElectionConfig.builder()
            .lock(store.lock("bench", identity))
            .clock(clock)
            .executor(Runnable::run)
            .callbackExecutor(Runnable::run)
            .callbacks(
                LeaderCallbacks.builder()
                    .onStartedLeading(ctx -> {})
                    .onStoppedLeading(() -> {})
                    .build())
            .build());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (!leader.isLeader()) {
      throw new IllegalStateException("the leader lost its lease during the benchmark");
    }
    follower.close();
    leader.close();
  }

  /** One renewal by the leader, seen by a watching follower. */
  @Benchmark
  public void renewalWithAWatchingFollower() {
    clock.advance(RETRY);
  }
}
