package io.leasehold.simulation;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a batch of seeds may draw: the spread of clock rates, whether the leader deadline is
 * enforced, which faults occur, which lock flavours and timing profiles. {@link #SAFE} is what the
 * elector must survive; the other models break one assumption on purpose, to show that the checker
 * does fail when safety is really lost, or reproduce a known bug.
 *
 * @param name shown in reports
 * @param rateSpread clock rates are drawn log-uniformly in [ρ^(-s/2), ρ^(s/2)]: s = 1 keeps the
 *     fastest/slowest ratio within ρ, larger values break that assumption
 * @param forceExtremeRates always put one node at each end of the rate range (otherwise 40% of
 *     seeds)
 * @param enforceLeaderDeadline the elector's leader deadline
 * @param faults the kinds of fault drawn
 * @param coarseRawShare share of seeds whose lock has one-second change-detection granularity
 * @param watchShare share of seeds in which (some) followers watch instead of polling
 * @param overrunShare share of seeds whose lock lets a call run on past the timeout the elector
 *     gave it and, when it finishes, caches what it read or wrote (as {@code InMemoryLock} and
 *     {@code JdbcLock} can); the others drop a response that comes after the timeout (as {@code
 *     EtcdLock})
 * @param profiles indexes of the timing profiles drawn from (see {@link Scenario}), empty for all
 */
record Model(
    String name,
    double rateSpread,
    boolean forceExtremeRates,
    boolean enforceLeaderDeadline,
    Set<Fault.Kind> faults,
    double coarseRawShare,
    double watchShare,
    double overrunShare,
    int[] profiles) {

  /**
   * Everything the elector is specified to survive: clock rates within ρ, every fault kind
   * (lagging watches included), some locks that finish abandoned calls late and cache their
   * result, and some with one-second raw bytes. (These exposed the two bugs described in
   * docs/SAFETY.md, both fixed; see {@link KnownBugTest}.)
   */
  static final Model SAFE =
      new Model(
          "safe",
          1.0,
          false,
          true,
          EnumSet.allOf(Fault.Kind.class),
          0.3,
          0.7,
          0.3,
          new int[0]);

  Model named(String n) {
    return new Model(
        n,
        rateSpread,
        forceExtremeRates,
        enforceLeaderDeadline,
        faults,
        coarseRawShare,
        watchShare,
        overrunShare,
        profiles);
  }

  Model withRates(double spread, boolean extremes) {
    return new Model(
        name,
        spread,
        extremes,
        enforceLeaderDeadline,
        faults,
        coarseRawShare,
        watchShare,
        overrunShare,
        profiles);
  }

  Model withLeaderDeadline(boolean enforce) {
    return new Model(
        name,
        rateSpread,
        forceExtremeRates,
        enforce,
        faults,
        coarseRawShare,
        watchShare,
        overrunShare,
        profiles);
  }

  Model withFaults(Set<Fault.Kind> kinds) {
    return new Model(
        name,
        rateSpread,
        forceExtremeRates,
        enforceLeaderDeadline,
        kinds,
        coarseRawShare,
        watchShare,
        overrunShare,
        profiles);
  }

  Model withCoarseRaw(double share) {
    return new Model(
        name,
        rateSpread,
        forceExtremeRates,
        enforceLeaderDeadline,
        faults,
        share,
        watchShare,
        overrunShare,
        profiles);
  }

  Model withWatches(double share) {
    return new Model(
        name,
        rateSpread,
        forceExtremeRates,
        enforceLeaderDeadline,
        faults,
        coarseRawShare,
        share,
        overrunShare,
        profiles);
  }

  Model withOverrunningLocks(double share) {
    return new Model(
        name,
        rateSpread,
        forceExtremeRates,
        enforceLeaderDeadline,
        faults,
        coarseRawShare,
        watchShare,
        share,
        profiles);
  }

  Model withProfiles(int... indexes) {
    return new Model(
        name,
        rateSpread,
        forceExtremeRates,
        enforceLeaderDeadline,
        faults,
        coarseRawShare,
        watchShare,
        overrunShare,
        indexes);
  }

  @Override
  public String toString() {
    return name;
  }
}
