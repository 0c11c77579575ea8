package io.leasehold.simulation;

import java.util.EnumSet;
import java.util.List;

/**
 * The named models, for the tests and for replaying a seed with {@code -Dsimulation.model=NAME}.
 */
final class Models {
  private Models() {}

  /** Clock rates up to ρ^1.5 apart (ρ^(±0.75)), extremes forced; otherwise the safe model. */
  static final Model RATES_BEYOND_RHO = Model.SAFE.withRates(1.5, true).named("rates-beyond-rho");

  /** The leader deadline switched off (client-go's behaviour); only pauses. */
  static final Model NO_DEADLINE_PAUSES =
      Model.SAFE
          .withLeaderDeadline(false)
          .withFaults(EnumSet.of(Fault.Kind.PAUSE))
          .named("no-deadline-pauses");

  /** The leader deadline switched off; only hung or slow requests (no pause), rates within ρ. */
  static final Model NO_DEADLINE_HANGS =
      Model.SAFE
          .withLeaderDeadline(false)
          .withRates(1.0, true)
          .withFaults(EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW))
          .named("no-deadline-hangs");

  /** The pause faults of {@link #NO_DEADLINE_PAUSES} with the deadline on: must be safe. */
  static final Model PAUSES = Model.SAFE.withFaults(EnumSet.of(Fault.Kind.PAUSE)).named("pauses");

  /** The hang faults of {@link #NO_DEADLINE_HANGS} with the deadline on: must be safe. */
  static final Model HANGS =
      Model.SAFE
          .withRates(1.0, true)
          .withFaults(EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW))
          .named("hangs");

  /** Locks that finish abandoned calls and cache their result; hangs; extreme legal rates. */
  static final Model OVERRUNNING_LOCKS =
      Model.SAFE
          .withOverrunningLocks(1.0)
          .withRates(1.0, true)
          .withFaults(EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW))
          .named("overrunning-locks");

  /** Watch notifications that lag behind reads; extreme legal rates. */
  static final Model LAGGING_WATCHES =
      Model.SAFE
          .withWatches(1.0)
          .withRates(1.0, true)
          .withFaults(EnumSet.of(Fault.Kind.WATCH_LAG, Fault.Kind.PARTITION, Fault.Kind.PAUSE))
          .named("lagging-watches");

  /**
   * Every seed on a lock with one-second change-detection granularity (as the Kubernetes locks) and
   * sub-second retry periods (where renewals can carry identical bytes), watching followers,
   * extreme legal rates: known bug 2 shows, rarely.
   */
  static final Model COARSE_RAW =
      Model.SAFE
          .withCoarseRaw(1.0)
          .withProfiles(3, 4)
          .withWatches(1.0)
          .withRates(1.0, true)
          .named("coarse-raw");

  /**
   * {@link #COARSE_RAW} with only lost responses and partitions, so that renewals go through the
   * slow path: known bug 2 (about 1 seed in 200,000).
   */
  static final Model COARSE_RAW_LOST_RESPONSES =
      COARSE_RAW
          .withFaults(EnumSet.of(Fault.Kind.LOSSY, Fault.Kind.PARTITION))
          .named("coarse-raw-lost-responses");

  static final List<Model> ALL =
      List.of(
          Model.SAFE,
          COARSE_RAW,
          COARSE_RAW_LOST_RESPONSES,
          RATES_BEYOND_RHO,
          NO_DEADLINE_PAUSES,
          NO_DEADLINE_HANGS,
          PAUSES,
          HANGS,
          OVERRUNNING_LOCKS,
          LAGGING_WATCHES);

  static Model named(String name) {
    for (Model m : ALL) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("no model named " + name + "; known: " + ALL);
  }
}
