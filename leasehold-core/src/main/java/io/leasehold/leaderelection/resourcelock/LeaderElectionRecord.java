package io.leasehold.leaderelection.resourcelock;

import java.time.Instant;
import java.util.Objects;

/**
 * The state of one election as it is stored in a lock: who holds the lease, for how long, since
 * when, and how many times it changed hands. Immutable.
 *
 * <p>The fields and their meaning are those of client-go's {@code
 * resourcelock.LeaderElectionRecord}:
 *
 * <ul>
 *   <li>{@code holderIdentity}: the identity of the holder; empty when nobody holds the lease (a
 *       holder that steps down writes an empty identity, and any candidate may then acquire).
 *   <li>{@code leaseDurationSeconds}: how long, after they last observed a change of this record,
 *       other candidates must wait before they may take the lease over.
 *   <li>{@code acquireTime}, {@code renewTime}: wall-clock times written by the holder. They are
 *       informational; no candidate compares them with its own clock.
 *   <li>{@code leaderTransitions}: how many times the lease passed to a different holder.
 *   <li>{@code strategy}, {@code preferredHolder}: the optional fields of coordinated leader
 *       election (Kubernetes 1.31+), kept so that a record read from a newer writer round-trips.
 * </ul>
 *
 * <p>Leasehold adds one field, {@code fencingToken}: a number that rises strictly every time a
 * holder acquires the lease (0 when none was ever assigned). Backends that speak client-go's wire
 * format store it where Go candidates ignore it.
 *
 * <p>The builder is the one place that checks a record: the lease duration, the transitions and the
 * fencing token are never negative. A lock that decodes a stored record reports a violation as a
 * {@link CorruptRecordException} that says where it found it.
 */
public final class LeaderElectionRecord {

  /** The record of a lock that nobody has written yet: no holder, no times, no transitions. */
  public static final LeaderElectionRecord EMPTY = builder().build();

  private final String holderIdentity;
  private final int leaseDurationSeconds;
  private final Instant acquireTime;
  private final Instant renewTime;
  private final int leaderTransitions;
  private final String strategy;
  private final String preferredHolder;
  private final long fencingToken;

  private LeaderElectionRecord(Builder b) {
    this.holderIdentity = b.holderIdentity == null ? "" : b.holderIdentity;
    this.leaseDurationSeconds = b.leaseDurationSeconds;
    this.acquireTime = b.acquireTime;
    this.renewTime = b.renewTime;
    this.leaderTransitions = b.leaderTransitions;
    this.strategy = b.strategy;
    this.preferredHolder = b.preferredHolder;
    this.fencingToken = b.fencingToken;
  }

  /** Returns a builder for a new record, all fields empty or zero. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder initialised with this record's fields. */
  public Builder toBuilder() {
    return new Builder()
        .holderIdentity(holderIdentity)
        .leaseDurationSeconds(leaseDurationSeconds)
        .acquireTime(acquireTime)
        .renewTime(renewTime)
        .leaderTransitions(leaderTransitions)
        .strategy(strategy)
        .preferredHolder(preferredHolder)
        .fencingToken(fencingToken);
  }

  /** The holder's identity, or the empty string when nobody holds the lease. Never null. */
  public String holderIdentity() {
    return holderIdentity;
  }

  /** Whether somebody holds the lease according to this record. */
  public boolean hasHolder() {
    return !holderIdentity.isEmpty();
  }

  /** The lease duration the holder announced, in whole seconds. */
  public int leaseDurationSeconds() {
    return leaseDurationSeconds;
  }

  /** When the current holder acquired the lease (holder's wall clock), or null if never set. */
  public Instant acquireTime() {
    return acquireTime;
  }

  /** When the holder last renewed the lease (holder's wall clock), or null if never set. */
  public Instant renewTime() {
    return renewTime;
  }

  /** How many times the lease changed hands. */
  public int leaderTransitions() {
    return leaderTransitions;
  }

  /** The coordinated-election strategy, or null when not set. */
  public String strategy() {
    return strategy;
  }

  /** The coordinated-election preferred holder, or null when not set. */
  public String preferredHolder() {
    return preferredHolder;
  }

  /** The fencing token of the current holder's acquisition; 0 when none was ever assigned. */
  public long fencingToken() {
    return fencingToken;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof LeaderElectionRecord r
        && leaseDurationSeconds == r.leaseDurationSeconds
        && leaderTransitions == r.leaderTransitions
        && fencingToken == r.fencingToken
        && holderIdentity.equals(r.holderIdentity)
        && Objects.equals(acquireTime, r.acquireTime)
        && Objects.equals(renewTime, r.renewTime)
        && Objects.equals(strategy, r.strategy)
        && Objects.equals(preferredHolder, r.preferredHolder);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        holderIdentity,
        leaseDurationSeconds,
        acquireTime,
        renewTime,
        leaderTransitions,
        strategy,
        preferredHolder,
        fencingToken);
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder("LeaderElectionRecord{holderIdentity='")
            .append(holderIdentity)
            .append("', leaseDurationSeconds=")
            .append(leaseDurationSeconds)
            .append(", acquireTime=")
            .append(acquireTime)
            .append(", renewTime=")
            .append(renewTime)
            .append(", leaderTransitions=")
            .append(leaderTransitions)
            .append(", fencingToken=")
            .append(fencingToken);
    if (strategy != null) {
      s.append(", strategy=").append(strategy);
    }
    if (preferredHolder != null) {
      s.append(", preferredHolder=").append(preferredHolder);
    }
    return s.append('}').toString();
  }

  /** Builds {@link LeaderElectionRecord}s. Not thread-safe. */
  public static final class Builder {
    private String holderIdentity = "";
    private int leaseDurationSeconds;
    private Instant acquireTime;
    private Instant renewTime;
    private int leaderTransitions;
    private String strategy;
    private String preferredHolder;
    private long fencingToken;

    private Builder() {}

    /** Sets the holder; null or empty means no holder. */
    public Builder holderIdentity(String holderIdentity) {
      this.holderIdentity = holderIdentity == null ? "" : holderIdentity;
      return this;
    }

    /** Sets the announced lease duration in seconds. */
    public Builder leaseDurationSeconds(int leaseDurationSeconds) {
      this.leaseDurationSeconds = leaseDurationSeconds;
      return this;
    }

    /** Sets the acquire time; may be null. */
    public Builder acquireTime(Instant acquireTime) {
      this.acquireTime = acquireTime;
      return this;
    }

    /** Sets the renew time; may be null. */
    public Builder renewTime(Instant renewTime) {
      this.renewTime = renewTime;
      return this;
    }

    /** Sets the number of leader transitions. */
    public Builder leaderTransitions(int leaderTransitions) {
      this.leaderTransitions = leaderTransitions;
      return this;
    }

    /** Sets the coordinated-election strategy; null when unset. */
    public Builder strategy(String strategy) {
      this.strategy = strategy;
      return this;
    }

    /** Sets the coordinated-election preferred holder; null when unset. */
    public Builder preferredHolder(String preferredHolder) {
      this.preferredHolder = preferredHolder;
      return this;
    }

    /** Sets the fencing token; 0 means none assigned. */
    public Builder fencingToken(long fencingToken) {
      this.fencingToken = fencingToken;
      return this;
    }

    /**
     * Returns the immutable record.
     *
     * @throws IllegalArgumentException when the lease duration, the transitions or the fencing
     *     token is negative, naming the field and its value
     */
    public LeaderElectionRecord build() {
      requireNotNegative("leaseDurationSeconds", leaseDurationSeconds);
      requireNotNegative("leaderTransitions", leaderTransitions);
      requireNotNegative("fencingToken", fencingToken);
      return new LeaderElectionRecord(this);
    }

    private static void requireNotNegative(String field, long value) {
      if (value < 0) {
        throw new IllegalArgumentException(field + " must not be negative, found " + value);
      }
    }
  }
}
