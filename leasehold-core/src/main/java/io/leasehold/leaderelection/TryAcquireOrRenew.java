package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.time.Instant;
import java.util.Optional;

/**
 * client-go's {@code tryAcquireOrRenew}, step by step, as a pure function: from what a candidate
 * observed, the snapshot it read (or observed), the time and its current term, it decides what to
 * write, if anything, and what it has now observed. It does no I/O and keeps no state; the elector
 * runs the lock calls and feeds the answers back in.
 *
 * <p>Leasehold's additions: every write is a compare-and-swap against the snapshot it was decided
 * on, and a new term gets a fencing token above every token observed.
 */
final class TryAcquireOrRenew {

  /** What to do after a decision. */
  sealed interface Decision {
    /** What the candidate has observed once the decision is made. */
    Observation observation();
  }

  /**
   * Write {@code record}: an update against {@code base}, or a create when {@code base} is null.
   */
  record Write(LockSnapshot base, LeaderElectionRecord record, Observation observation)
      implements Decision {}

  /**
   * Write nothing: the lease is held by another candidate, or (alarming) the record names this
   * candidate with another term's token.
   */
  record Wait(String reason, Observation observation, boolean alarming) implements Decision {}

  private final String identity;
  private final int leaseSeconds;

  TryAcquireOrRenew(String identity, int leaseSeconds) {
    this.identity = identity;
    this.leaseSeconds = leaseSeconds;
  }

  /**
   * 1. The fast path: decide on the observed snapshot without reading, when it can be trusted to be
   * current. As in client-go, the leader assumes the record it wrote last is current while its
   * lease is valid; Leasehold adds followers whose healthy watch keeps the observation current.
   * Either way a newer version makes the write fail, and the attempt then reads (the slow path).
   *
   * @param watchCurrent whether a healthy watch has reported every change since the observation
   * @param term the fencing token of the current term, or 0 when not leading
   * @return the decision, or empty when the lock must be read first
   */
  Optional<Decision> withoutRead(
      Observation observed, long now, Instant wallNow, long term, boolean watchCurrent) {
    boolean mine = observed.snapshot() != null && observed.holder().equals(identity);
    if (observed.snapshot() == null || !(mine && observed.leaseValid(now) || watchCurrent)) {
      return Optional.empty();
    }
    return Optional.of(afterRead(observed, Optional.of(observed.snapshot()), now, wallNow, term));
  }

  /**
   * 2 to 4. The slow path, once the lock was read.
   *
   * @param read the snapshot read, or empty when the object does not exist
   * @param term the fencing token of the current term, or 0 when not leading
   */
  Decision afterRead(
      Observation observed, Optional<LockSnapshot> read, long now, Instant wallNow, long term) {
    // 2. obtain or create the record
    if (read.isEmpty()) {
      LeaderElectionRecord created =
          desired(wallNow).fencingToken(observed.highestToken() + 1).build();
      return new Write(null, created, observed);
    }
    LockSnapshot current = read.get();
    LeaderElectionRecord old = current.record();

    // 3. record obtained: only a change of its raw bytes restarts the countdown
    Observation seen = observed.observe(current, now);
    boolean mine = old.holderIdentity().equals(identity);
    if (old.hasHolder() && seen.leaseValid(now) && !mine) {
      return new Wait(
          "the lease is held by " + old.holderIdentity() + " and has not expired", seen, false);
    }

    // 4. fill in the record: a renewal keeps acquire time and transitions, a takeover counts one
    LeaderElectionRecord.Builder next = desired(wallNow);
    if (mine) {
      next.acquireTime(old.acquireTime()).leaderTransitions(old.leaderTransitions());
    } else {
      next.leaderTransitions(old.leaderTransitions() + 1);
    }
    if (term == 0) {
      next.fencingToken(Math.max(old.fencingToken(), seen.highestToken()) + 1);
    } else if (old.fencingToken() == term) {
      next.fencingToken(term);
    } else {
      return new Wait(
          "the lock names us as holder but carries fencing token "
              + old.fencingToken()
              + " instead of our "
              + term
              + "; is another process using identity "
              + identity
              + "?",
          seen,
          true);
    }
    return new Write(current, next.build(), seen);
  }

  /**
   * The record a holder releasing the lease writes over {@code held}: no holder, a one-second
   * lease, transitions and fencing token kept (client-go's release).
   */
  static LeaderElectionRecord released(LeaderElectionRecord held, Instant wallNow) {
    return LeaderElectionRecord.builder()
        .leaseDurationSeconds(1)
        .acquireTime(wallNow)
        .renewTime(wallNow)
        .leaderTransitions(held.leaderTransitions())
        .fencingToken(held.fencingToken())
        .build();
  }

  private LeaderElectionRecord.Builder desired(Instant wallNow) {
    return LeaderElectionRecord.builder()
        .holderIdentity(identity)
        .leaseDurationSeconds(leaseSeconds)
        .acquireTime(wallNow)
        .renewTime(wallNow);
  }
}
