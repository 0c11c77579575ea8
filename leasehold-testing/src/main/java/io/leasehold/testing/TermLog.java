package io.leasehold.testing;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Records every term of every candidate of a real-clock election (identity, fencing token, start
 * and end on this JVM's monotonic clock) from the callbacks, and checks the safety properties: no
 * two terms overlap, and fencing tokens strictly rise from term to term. A term's end is recorded
 * when its context is cancelled, which happens before the elector releases the lock.
 */
public final class TermLog {

  /** One term of leadership. */
  public static final class Term {
    public final String identity;
    public final long token;
    public final long start;
    private volatile long end;
    private final LeadershipContext context;

    Term(String identity, LeadershipContext context) {
      this.identity = identity;
      this.token = context.fencingToken();
      this.start = System.nanoTime();
      this.context = context;
    }

    /** Whether the term still runs. */
    public boolean active() {
      return end == 0 && !context.isCancelled();
    }

    /** The end on the monotonic clock, or 0 while active. */
    public long end() {
      return end;
    }

    @Override
    public String toString() {
      return identity + "#" + token + (end == 0 ? " (active)" : "");
    }
  }

  private final List<Term> terms = new ArrayList<>();

  /** Callbacks that record terms of {@code identity}. */
  public LeaderCallbacks callbacks(String identity) {
    return LeaderCallbacks.builder()
        .onStartedLeading(
            ctx -> {
              Term t = new Term(identity, ctx);
              synchronized (terms) {
                terms.add(t);
              }
              ctx.whenCancelled().thenRun(() -> t.end = System.nanoTime());
            })
        .onStoppedLeading(() -> {})
        .build();
  }

  /** A config on {@code lock} with these timings whose callbacks record terms. */
  public LeaderElectionConfig.Builder config(
      Lock lock, Duration lease, Duration renew, Duration retry) {
    return LeaderElectionConfig.builder()
        .lock(lock)
        .leaseDuration(lease)
        .renewDeadline(renew)
        .retryPeriod(retry)
        .callbacks(callbacks(lock.identity()));
  }

  /** All terms so far, in start order. */
  public List<Term> terms() {
    synchronized (terms) {
      List<Term> copy = new ArrayList<>(terms);
      copy.sort(Comparator.comparingLong(t -> t.start));
      return copy;
    }
  }

  /** The active term, if exactly one is active; null if none. */
  public Term active() {
    Term found = null;
    for (Term t : terms()) {
      if (t.active()) {
        if (found != null) {
          throw new AssertionError("two active terms: " + found + " and " + t);
        }
        found = t;
      }
    }
    return found;
  }

  /** Waits for an active term and returns it. */
  public Term awaitLeader(Duration timeout) {
    Await.until(timeout, () -> active() != null, "a leader");
    return active();
  }

  /** Waits for an active term other than {@code previous} and returns it. */
  public Term awaitNewLeader(Term previous, Duration timeout) {
    Await.until(
        timeout,
        () -> {
          Term t = active();
          return t != null && t != previous;
        },
        () -> "a leader after " + previous + "; terms: " + terms());
    return active();
  }

  /**
   * Asserts that no two terms overlapped in time and that each term's fencing token is greater than
   * every earlier term's.
   */
  public void assertSafe() {
    List<Term> all = terms();
    for (int i = 1; i < all.size(); i++) {
      Term previous = all.get(i - 1);
      Term next = all.get(i);
      long end = previous.end();
      if (end == 0 || end > next.start) {
        throw new AssertionError(
            "terms overlap: " + previous + " had not ended when " + next + " started; " + all);
      }
      if (next.token <= previous.token) {
        throw new AssertionError(
            "fencing token did not rise: " + previous + " then " + next + "; " + all);
      }
    }
  }
}
