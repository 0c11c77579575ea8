package io.leasehold.leaderelection;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One term of leadership, handed to {@code onStartedLeading}: client-go's cancellation context,
 * plus what Leasehold adds. It is cancelled when the term ends, for whatever reason (renewal
 * failed, the leader deadline passed, the elector was stopped, another holder was observed).
 *
 * <p>Code that acts as leader should check {@link #isCancelled()} or call {@link #checkLeading()}
 * before each action, and pass {@link #fencingToken()} to any resource that can reject stale
 * writers. {@code isCancelled()} reads the clock itself: once the leader's deadline has passed it
 * returns true even if the timer that cancels the context has not run yet (a paused process that
 * wakes up sees at once that it may no longer act).
 */
public final class LeadershipContext {
  private final String identity;
  private final String electionName;
  private final long fencingToken;
  private final ElectionClock clock;
  private final boolean deadlineEnforced;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile long authorityEnd;
  private volatile boolean ended;
  private volatile String reason;

  LeadershipContext(
      String identity,
      String electionName,
      long fencingToken,
      ElectionClock clock,
      boolean deadlineEnforced,
      long authorityEnd) {
    this.identity = identity;
    this.electionName = electionName;
    this.fencingToken = fencingToken;
    this.clock = clock;
    this.deadlineEnforced = deadlineEnforced;
    this.authorityEnd = authorityEnd;
  }

  /** This candidate's identity. */
  public String identity() {
    return identity;
  }

  /** The election's name (the config's name). */
  public String electionName() {
    return electionName;
  }

  /**
   * The fencing token of this term: strictly greater than the token of every earlier term of this
   * lock, by any candidate. Pass it to guarded resources so that they can reject a stale leader.
   */
  public long fencingToken() {
    return fencingToken;
  }

  /** Whether this term has ended; once true, stays true. */
  public boolean isCancelled() {
    return ended || (deadlineEnforced && clock.nanoTime() - authorityEnd >= 0);
  }

  /**
   * Throws {@link LeadershipLostException} if this term has ended; call it before every action
   * taken as leader.
   */
  public void checkLeading() {
    if (isCancelled()) {
      throw new LeadershipLostException(
          "leadership of " + electionName + " by " + identity + " ended: " + cancellationReason());
    }
  }

  /**
   * How long this term may still act without another successful renewal, by the elector's clock:
   * zero once cancelled, effectively unbounded when the leader deadline is switched off.
   */
  public Duration remaining() {
    if (isCancelled()) {
      return Duration.ZERO;
    }
    if (!deadlineEnforced) {
      return ChronoUnit.FOREVER.getDuration();
    }
    return Duration.ofNanos(Math.max(0, authorityEnd - clock.nanoTime()));
  }

  /** Why the term ended, or null while it lasts. */
  public String cancellationReason() {
    String r = reason;
    if (r == null && isCancelled()) {
      return "leader deadline passed";
    }
    return r;
  }

  /**
   * A future completed when the term ends. Completing or cancelling the returned copy has no effect
   * on the term.
   */
  public CompletableFuture<Void> whenCancelled() {
    return done.copy();
  }

  /** Blocks until the term ends. */
  public void awaitCancellation() throws InterruptedException {
    try {
      done.get();
    } catch (ExecutionException e) {
      // never completed exceptionally
    }
  }

  /**
   * Blocks until the term ends or {@code timeout} passes (real time).
   *
   * @return true if the term ended
   */
  public boolean awaitCancellation(Duration timeout) throws InterruptedException {
    try {
      done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return isCancelled();
    } catch (ExecutionException e) {
      return true;
    }
  }

  // ---- used by the elector

  ElectionClock clock() {
    return clock;
  }

  long authorityEnd() {
    return authorityEnd;
  }

  void extendAuthority(long end) {
    authorityEnd = end;
  }

  /** Marks the term ended; cheap, safe under the elector's lock. */
  void markEnded(String why) {
    if (!ended) {
      if (reason == null) {
        reason = why;
      }
      ended = true;
    }
  }

  /** Completes the cancellation future; runs dependants, so never under the elector's lock. */
  void fireCancelled() {
    done.complete(null);
  }

  @Override
  public String toString() {
    return "LeadershipContext{"
        + electionName
        + ", identity="
        + identity
        + ", fencingToken="
        + fencingToken
        + (isCancelled() ? ", cancelled: " + cancellationReason() : ", active")
        + "}";
  }
}
