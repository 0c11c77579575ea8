package io.leasehold.simulation;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a batch of seeds may draw: the spread of clock rates, whether the leader deadline is
 * enforced, which faults occur, which lock flavours and timing profiles. {@link #SAFE} is what the
 * elector must survive; {@link Models} holds the others: more safe models that each cover one new
 * ground, and models that break one assumption on purpose, to show that the checker does fail when
 * safety is really lost.
 *
 * @param name shown in reports
 * @param rateSpread clock rates are drawn log-uniformly in [ρ^(-s/2), ρ^(s/2)]: s = 1 keeps the
 *     fastest/slowest ratio within ρ, larger values break that assumption
 * @param forceExtremeRates always put one node at each end of the rate range (otherwise 40% of
 *     seeds)
 * @param enforceLeaderDeadline the elector's leader deadline
 * @param faults the kinds of fault drawn
 * @param coarseRawShare share of seeds whose locks have one-second change-detection granularity
 * @param watchShare share of seeds in which (some) followers watch instead of polling
 * @param lateResponseShare share of seeds whose locks let a call run on past the timeout they were
 *     given and complete it whenever the response comes (which must be harmless); the others end
 *     the call at that timeout
 * @param profiles indexes of the timing profiles drawn from (see {@link Scenario}), empty for all
 * @param multiLockCandidates 0: every candidate uses one lock; n: n candidates (at most) use a
 *     {@code MultiLock} over a primary and the secondary store, the others the secondary alone
 * @param multiLockReleases whether MultiLock candidates release on stop when the scenario says so
 *     (see {@code Models.MULTILOCK_WITH_RELEASES})
 * @param compareVersions false only to show that the checker notices: the store's updates ignore
 *     the version they are given (last writer wins)
 * @param cachedVersionLocks false but to show what explicit versions prevent: each lock compares an
 *     update with the version of the last response it received, late ones included, instead of the
 *     snapshot it is given (the Lock SPI before issue 13, where bug 1 of docs/SAFETY.md lived)
 * @param callbackRules check the rules of callbacks and stopping (a term whose onStartedLeading
 *     threw or could not be started ends at once; stop() completes within renewDeadline +
 *     retryPeriod; no exception escapes into a thread that is not the elector's): on everywhere but
 *     in models that show what breaks without them
 * @param rejectingCallbackExecutors whether callback stalls may reject tasks (a saturated bounded
 *     pool), which ends the term of an onStartedLeading that could not start
 * @param tightTimings margin 0 and a lock-call timeout between retryPeriod / 4 and renewDeadline /
 *     2, so that a renewal's slow path fits in its window after a fast-path write whose response
 *     was lost; and every lost-responses fault followed, within it, by a partition of the node
 * @param mustHappen what the faults must have done over a batch of 500 seeds or more, so that a
 *     green run shows it tested something
 */
record Model(
    String name,
    double rateSpread,
    boolean forceExtremeRates,
    boolean enforceLeaderDeadline,
    Set<Fault.Kind> faults,
    double coarseRawShare,
    double watchShare,
    double lateResponseShare,
    int[] profiles,
    int multiLockCandidates,
    boolean multiLockReleases,
    boolean compareVersions,
    boolean cachedVersionLocks,
    boolean callbackRules,
    boolean rejectingCallbackExecutors,
    boolean tightTimings,
    Set<Stats.Counter> mustHappen) {

  /** The fault kinds of the original safe model: network, store and process faults, watches. */
  static final Set<Fault.Kind> CLASSIC_FAULTS =
      EnumSet.of(
          Fault.Kind.PARTITION,
          Fault.Kind.STORE_DOWN,
          Fault.Kind.SLOW,
          Fault.Kind.PAUSE,
          Fault.Kind.CRASH,
          Fault.Kind.STOP,
          Fault.Kind.LOSSY,
          Fault.Kind.FLAKY,
          Fault.Kind.WATCH);

  /**
   * Everything the elector is specified to survive with one lock: clock rates within ρ, every
   * network, store and process fault, watches that lag, reorder, skip or repeat stale snapshots,
   * locks whose late responses complete after the elector stopped waiting, and one-second raw
   * bytes. Deletion, callbacks and MultiLock have their own models ({@link Models}).
   */
  static final Model SAFE =
      new Model(
          "safe",
          1.0,
          false,
          true,
          CLASSIC_FAULTS,
          0.3,
          0.7,
          0.3,
          new int[0],
          0, // multiLockCandidates
          true, // multiLockReleases
          true, // compareVersions
          false, // cachedVersionLocks
          true, // callbackRules
          false, // rejectingCallbackExecutors
          false, // tightTimings
          EnumSet.of(
              Stats.Counter.TERMS,
              Stats.Counter.TAKEOVERS,
              Stats.Counter.LEADERS_PAUSED,
              Stats.Counter.WOKE_PAST_DEADLINE,
              Stats.Counter.AUTHORITY_RAN_OUT,
              Stats.Counter.LEADERS_CRASHED,
              Stats.Counter.LEADERS_PARTITIONED,
              Stats.Counter.LATE_ARRIVALS,
              Stats.Counter.LOST_RESPONSES,
              Stats.Counter.RESTARTS,
              Stats.Counter.STALE_WATCH_EVENTS,
              Stats.Counter.STALE_RELEASED_EVENTS,
              Stats.Counter.SKIPPED_WATCH_EVENTS));

  /** A copy changed by {@code change}. */
  Model with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  Model named(String n) {
    return with(b -> b.name = n);
  }

  Model withRates(double spread, boolean extremes) {
    return with(
        b -> {
          b.rateSpread = spread;
          b.forceExtremeRates = extremes;
        });
  }

  Model withLeaderDeadline(boolean enforce) {
    return with(b -> b.enforceLeaderDeadline = enforce);
  }

  Model withFaults(Set<Fault.Kind> kinds) {
    return with(b -> b.faults = copy(kinds, Fault.Kind.class));
  }

  Model withCoarseRaw(double share) {
    return with(b -> b.coarseRawShare = share);
  }

  Model withWatches(double share) {
    return with(b -> b.watchShare = share);
  }

  Model withLateResponses(double share) {
    return with(b -> b.lateResponseShare = share);
  }

  Model withProfiles(int... indexes) {
    return with(b -> b.profiles = indexes);
  }

  Model withMustHappen(Set<Stats.Counter> counters) {
    return with(b -> b.mustHappen = copy(counters, Stats.Counter.class));
  }

  private static <E extends Enum<E>> Set<E> copy(Set<E> s, Class<E> type) {
    return s.isEmpty() ? EnumSet.noneOf(type) : EnumSet.copyOf(s);
  }

  @Override
  public String toString() {
    return name;
  }

  /** Mutable copy of a model. */
  static final class Builder {
    String name;
    double rateSpread;
    boolean forceExtremeRates;
    boolean enforceLeaderDeadline;
    Set<Fault.Kind> faults;
    double coarseRawShare;
    double watchShare;
    double lateResponseShare;
    int[] profiles;
    int multiLockCandidates;
    boolean multiLockReleases;
    boolean compareVersions;
    boolean cachedVersionLocks;
    boolean callbackRules;
    boolean rejectingCallbackExecutors;
    boolean tightTimings;
    Set<Stats.Counter> mustHappen;

    Builder(Model m) {
      name = m.name;
      rateSpread = m.rateSpread;
      forceExtremeRates = m.forceExtremeRates;
      enforceLeaderDeadline = m.enforceLeaderDeadline;
      faults = m.faults;
      coarseRawShare = m.coarseRawShare;
      watchShare = m.watchShare;
      lateResponseShare = m.lateResponseShare;
      profiles = m.profiles;
      multiLockCandidates = m.multiLockCandidates;
      multiLockReleases = m.multiLockReleases;
      compareVersions = m.compareVersions;
      cachedVersionLocks = m.cachedVersionLocks;
      callbackRules = m.callbackRules;
      rejectingCallbackExecutors = m.rejectingCallbackExecutors;
      tightTimings = m.tightTimings;
      mustHappen = m.mustHappen;
    }

    Model build() {
      return new Model(
          name,
          rateSpread,
          forceExtremeRates,
          enforceLeaderDeadline,
          faults,
          coarseRawShare,
          watchShare,
          lateResponseShare,
          profiles,
          multiLockCandidates,
          multiLockReleases,
          compareVersions,
          cachedVersionLocks,
          callbackRules,
          rejectingCallbackExecutors,
          tightTimings,
          mustHappen);
    }
  }
}
