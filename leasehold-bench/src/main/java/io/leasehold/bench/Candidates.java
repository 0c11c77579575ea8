package io.leasehold.bench;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.testing.CountingLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Candidates on one lock of a backend, with the instants at which each started leading. */
final class Candidates implements AutoCloseable {
  /** One candidate. */
  static final class Candidate {
    final String identity;
    final CountingLock lock;
    final LeaderElector elector;

    Candidate(String identity, CountingLock lock, LeaderElector elector) {
      this.identity = identity;
      this.lock = lock;
      this.elector = elector;
    }
  }

  /** A leadership start: who, and when on the monotonic clock. */
  record Start(String identity, long at) {}

  final Timings timings;
  private final Backend backend;
  private final String lockName;
  private final boolean release;
  private final List<Candidate> running = new ArrayList<>();
  private final LinkedBlockingQueue<Start> starts = new LinkedBlockingQueue<>();
  private int next;

  Candidates(Backend backend, String lockName, Timings timings, boolean release) {
    this.backend = backend;
    this.lockName = lockName;
    this.timings = timings;
    this.release = release;
  }

  Candidate add() {
    String identity = "c" + next++;
    CountingLock lock = new CountingLock(backend.lock(lockName, identity));
    LeaderElector e =
        new LeaderElector(
            LeaderElectionConfig.builder()
                .lock(lock)
                .leaseDuration(timings.lease)
                .renewDeadline(timings.renew)
                .retryPeriod(timings.retry)
                .releaseOnCancel(release)
                .whenLost(WhenLost.COMPETE_AGAIN)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onStartedLeading(ctx -> starts.add(new Start(identity, System.nanoTime())))
                        .onStoppedLeading(() -> {})
                        .build())
                .build());
    Candidate c = new Candidate(identity, lock, e);
    running.add(c);
    e.start();
    return c;
  }

  /** The next leadership start, waiting up to {@code timeout}. */
  Start nextStart(Duration timeout) throws InterruptedException {
    Start s = starts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (s == null) {
      throw new IllegalStateException("no leader within " + timeout + " on " + backend.name);
    }
    return s;
  }

  Candidate get(String identity) {
    for (Candidate c : running) {
      if (c.identity.equals(identity)) {
        return c;
      }
    }
    throw new IllegalArgumentException(identity);
  }

  /**
   * Waits until one candidate leads, every running candidate sees it lead, and it renewed twice
   * more; returns it, forgetting the starts seen meanwhile. The first leader may lose its term
   * before it renews (a cold client's first call can use up a short term's authority): the one that
   * leads then is the one returned.
   */
  Candidate awaitSteadyLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Candidate leader =
          running.stream().filter(c -> c.elector.isLeader()).findFirst().orElse(null);
      if (leader != null
          && running.stream().allMatch(c -> c.elector.getLeader().equals(leader.identity))) {
        long renewals = leader.lock.calls();
        while (leader.elector.isLeader() && leader.lock.calls() < renewals + 2) {
          pause(deadline);
        }
        if (leader.elector.isLeader()) {
          starts.clear();
          return leader;
        }
      }
      pause(deadline);
    }
  }

  private static void pause(long deadline) throws InterruptedException {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("the candidates did not settle in time");
    }
    Thread.sleep(5);
  }

  /** Stops {@code c} (releasing if this group releases) and forgets it. */
  void stop(Candidate c) {
    running.remove(c);
    c.elector.close();
  }

  List<Candidate> running() {
    return running;
  }

  @Override
  public void close() {
    for (Candidate c : running) {
      c.elector.close();
    }
    running.clear();
  }
}
