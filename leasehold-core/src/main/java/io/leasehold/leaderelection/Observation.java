package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;

/**
 * What one candidate last observed of the lock: the snapshot (the version a write is compared
 * with), when its raw bytes last changed on this candidate's monotonic clock (client-go's {@code
 * observedTime}: only a change restarts the lease countdown), and the highest fencing token seen.
 * Immutable; the elector replaces it as it reads, writes and receives watch events.
 *
 * @param snapshot the last snapshot observed, or null before the first
 * @param observedAt monotonic time at which the raw bytes last changed
 * @param highestToken the highest fencing token ever observed, so that tokens never go back
 */
record Observation(LockSnapshot snapshot, long observedAt, long highestToken) {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /** Nothing observed yet. */
  static final Observation NONE = new Observation(null, 0, 0);

  /** The observed record; empty before the first observation. */
  LeaderElectionRecord record() {
    return snapshot == null ? LeaderElectionRecord.EMPTY : snapshot.record();
  }

  /** The observed holder's identity, or "" when none. */
  String holder() {
    return record().holderIdentity();
  }

  /**
   * This observation after seeing {@code s} at {@code now}: the countdown restarts only when the
   * raw bytes changed; the newest version is kept either way, for the next compare-and-swap.
   */
  Observation observe(LockSnapshot s, long now) {
    long highest = Math.max(highestToken, s.record().fencingToken());
    return new Observation(s, s.sameRaw(snapshot) ? observedAt : now, highest);
  }

  /** This observation after this candidate wrote {@code s}, returned at {@code now}. */
  Observation written(LockSnapshot s, long now) {
    return new Observation(s, now, Math.max(highestToken, s.record().fencingToken()));
  }

  /** Whether the observed lease is still valid at {@code now}, by this candidate's own clock. */
  boolean leaseValid(long now) {
    return observedAt + record().leaseDurationSeconds() * NANOS_PER_SECOND - now > 0;
  }

  /** Nanoseconds from {@code now} until the observed lease expires (negative once it has). */
  long untilExpiry(long now) {
    return observedAt + record().leaseDurationSeconds() * NANOS_PER_SECOND - now;
  }
}
