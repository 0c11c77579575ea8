package io.leasehold.simulation;

import java.util.EnumSet;
import java.util.List;

/**
 * The named models, for the tests and for replaying a seed with {@code -Dsimulation.model=NAME}.
 */
final class Models {
  private Models() {}

  /** Clock rates up to ρ^1.5 apart (ρ^(±0.75)), extremes forced; otherwise the safe model. */
  static final Model RATES_BEYOND_RHO =
      Model.SAFE.withRates(1.5, true).with(b -> b.callbackRules = false).named("rates-beyond-rho");

  /** The leader deadline switched off (client-go's behaviour); only pauses. */
  static final Model NO_DEADLINE_PAUSES =
      Model.SAFE
          .withLeaderDeadline(false)
          .withFaults(EnumSet.of(Fault.Kind.PAUSE))
          .with(b -> b.callbackRules = false)
          .named("no-deadline-pauses");

  /** The leader deadline switched off; only hung or slow requests (no pause), rates within ρ. */
  static final Model NO_DEADLINE_HANGS =
      Model.SAFE
          .withLeaderDeadline(false)
          .withRates(1.0, true)
          .withFaults(EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW))
          .with(b -> b.callbackRules = false)
          .named("no-deadline-hangs");

  /** The pause faults of {@link #NO_DEADLINE_PAUSES} with the deadline on: must be safe. */
  static final Model PAUSES =
      Model.SAFE
          .withFaults(EnumSet.of(Fault.Kind.PAUSE))
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.LEADERS_PAUSED,
                  Stats.Counter.WOKE_PAST_DEADLINE))
          .named("pauses");

  /** The hang faults of {@link #NO_DEADLINE_HANGS} with the deadline on: must be safe. */
  static final Model HANGS =
      Model.SAFE
          .withRates(1.0, true)
          .withFaults(EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW))
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.LEADERS_PARTITIONED,
                  Stats.Counter.AUTHORITY_RAN_OUT,
                  Stats.Counter.LATE_ARRIVALS))
          .named("hangs");

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
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.AUTHORITY_RAN_OUT,
                  Stats.Counter.LOST_RESPONSES))
          .named("coarse-raw");

  /**
   * {@link #COARSE_RAW} with only lost responses and partitions, so that renewals go through the
   * slow path: known bug 2 (about 1 seed in 200,000).
   */
  static final Model COARSE_RAW_LOST_RESPONSES =
      COARSE_RAW
          .withFaults(EnumSet.of(Fault.Kind.LOSSY, Fault.Kind.PARTITION))
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.LOST_RESPONSES,
                  Stats.Counter.LEADERS_PARTITIONED))
          .named("coarse-raw-lost-responses");

  /**
   * {@link #COARSE_RAW_LOST_RESPONSES} with margin 0 and lock-call timeouts short enough that a
   * renewal's slow path (after a fast-path write whose response was lost) fits in the renewal
   * window: the slow-path write then carries the same bytes as writes sent well before it, which
   * fix 2 (authority counted from the attempt's start, not the send) covers.
   */
  static final Model COARSE_SLOW_PATH =
      COARSE_RAW_LOST_RESPONSES
          .with(
              b -> {
                b.tightTimings = true;
                b.profiles = new int[] {6};
              })
          .named("coarse-slow-path");

  /**
   * Every follower watches, and watches misbehave in every way (late, out of order, skipped, stale
   * repeats, a stale snapshot on reconnection), with releases, crashes, pauses and partitions, and
   * extreme legal rates. Followers that act on a watched snapshot (issue 16: write against it
   * without a read) must stay safe: a stale snapshot's version is not the stored one, so such a
   * write must fail its compare-and-swap (checked at the store: {@link Network.Watched}). The run
   * must have seen such writes, some against snapshots already stale when the watch delivered them.
   */
  static final Model WATCHES =
      Model.SAFE
          .withWatches(1.0)
          .withRates(1.0, true)
          .withFaults(
              EnumSet.of(
                  Fault.Kind.WATCH,
                  Fault.Kind.PARTITION,
                  Fault.Kind.PAUSE,
                  Fault.Kind.STOP,
                  Fault.Kind.CRASH,
                  Fault.Kind.LOSSY))
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.STALE_WATCH_EVENTS,
                  Stats.Counter.STALE_RELEASED_EVENTS,
                  Stats.Counter.SKIPPED_WATCH_EVENTS,
                  Stats.Counter.WATCHED_WRITES,
                  Stats.Counter.WATCHED_WRITES_REFUSED,
                  Stats.Counter.STALE_WATCHED_WRITES,
                  Stats.Counter.LEADERS_PAUSED,
                  Stats.Counter.RESTARTS))
          .named("watches");

  /**
   * An operator deletes the record at random times, and nobody or a foreign writer re-creates it,
   * among all the classic faults: versions and tokens must keep rising, no overlap.
   */
  static final Model DELETIONS =
      Model.SAFE
          .with(
              b -> {
                b.faults = EnumSet.copyOf(Model.CLASSIC_FAULTS);
                b.faults.add(Fault.Kind.DELETE);
              })
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.DELETIONS,
                  Stats.Counter.FOREIGN_WRITES,
                  Stats.Counter.TOKENS_RAISED,
                  Stats.Counter.STALE_WATCH_EVENTS))
          .named("deletions");

  /**
   * An operator cleans up records nobody holds (released, or unchanged for the lease they name) at
   * random times, and nobody or a foreign writer re-creates them, among stops, crashes, pauses,
   * partitions, lost responses and misbehaving watches: versions and tokens must keep rising across
   * deletion, no overlap.
   */
  static final Model DELETIONS_OF_IDLE_RECORDS =
      DELETIONS
          .with(
              b -> {
                b.faults =
                    EnumSet.of(
                        Fault.Kind.DELETE_IDLE,
                        Fault.Kind.STOP,
                        Fault.Kind.CRASH,
                        Fault.Kind.PAUSE,
                        Fault.Kind.PARTITION,
                        Fault.Kind.LOSSY,
                        Fault.Kind.WATCH);
              })
          .named("deletions-of-idle-records");

  /**
   * Only callbacks misbehave (they throw; their executor starts tasks late, never, or rejects
   * them), with graceful stops and crashes: safety and liveness hold (a term counts as acting from
   * the moment the elector leads, handed to onStartedLeading or not), a term whose onStartedLeading
   * threw or could not start ends at once, stop() completes within renewDeadline + retryPeriod, no
   * exception escapes into a thread that is not the elector's.
   */
  static final Model CALLBACKS =
      Model.SAFE
          .with(b -> b.rejectingCallbackExecutors = true)
          .withFaults(
              EnumSet.of(
                  Fault.Kind.CALLBACK_STALL,
                  Fault.Kind.CALLBACK_THROWS,
                  Fault.Kind.STOP,
                  Fault.Kind.CRASH))
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.CALLBACKS_THREW,
                  Stats.Counter.STARTED_LEADING_THREW,
                  Stats.Counter.CALLBACK_TASKS_LATE,
                  Stats.Counter.CALLBACK_TASKS_DROPPED,
                  Stats.Counter.CALLBACK_TASKS_REJECTED,
                  Stats.Counter.STOPS_CHECKED,
                  Stats.Counter.RESTARTS))
          .named("callbacks");

  /** Misbehaving callbacks among all the classic faults. */
  static final Model CALLBACKS_AND_FAULTS =
      CALLBACKS
          .with(
              b -> {
                b.faults = EnumSet.copyOf(Model.CLASSIC_FAULTS);
                b.faults.add(Fault.Kind.CALLBACK_STALL);
                b.faults.add(Fault.Kind.CALLBACK_THROWS);
              })
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.CALLBACKS_THREW,
                  Stats.Counter.CALLBACK_TASKS_LATE,
                  Stats.Counter.CALLBACK_TASKS_DROPPED,
                  Stats.Counter.CALLBACK_TASKS_REJECTED,
                  Stats.Counter.LEADERS_PAUSED))
          .named("callbacks-and-faults");

  /**
   * Every lock completes calls whenever their response comes, long after the elector stopped
   * waiting; hangs and lost responses; extreme legal rates. Harmless by construction now (the old
   * cached-version locks turned this into bug 1).
   */
  static final Model LATE_RESPONSES =
      Model.SAFE
          .withLateResponses(1.0)
          .withRates(1.0, true)
          .withFaults(EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW, Fault.Kind.LOSSY))
          .withMustHappen(EnumSet.of(Stats.Counter.TAKEOVERS, Stats.Counter.LATE_ARRIVALS))
          .named("late-responses");

  /**
   * Migration step 2 of docs/KUBERNETES.md: one or two candidates of the old release use the real
   * {@code MultiLock} (a primary, the legacy ConfigMap, and the secondary, the Lease), the others
   * the Lease alone; followers poll; clock rates within ρ with one node at each end; calls fail,
   * hang, lose their responses; pauses, crashes, stops. The review's bug (MultiLock re-reading the
   * secondary and writing against that fresh read) made two leaders with one token here. MultiLock
   * candidates do not release here (see {@link #MULTILOCK_WITH_RELEASES}).
   */
  static final Model MULTILOCK =
      Model.SAFE
          .with(
              b -> {
                b.multiLockCandidates = 2;
                b.multiLockReleases = false;
                b.watchShare = 0;
                b.coarseRawShare = 0.5;
                b.forceExtremeRates = true;
                b.faults = EnumSet.copyOf(Model.CLASSIC_FAULTS);
                b.faults.remove(Fault.Kind.WATCH); // followers poll
                b.mustHappen =
                    EnumSet.of(
                        Stats.Counter.MULTILOCK_TERMS,
                        Stats.Counter.LEASE_ONLY_TAKEOVERS,
                        Stats.Counter.AUTHORITY_RAN_OUT,
                        Stats.Counter.LOST_RESPONSES);
              })
          .named("multilock");

  /**
   * {@link #MULTILOCK} with watching followers and misbehaving watches: MultiLock combines the
   * snapshots its two watches push, so a pair may be stale in either half, or never have been
   * stored as such; a write against it must fail the compare-and-swap.
   */
  static final Model MULTILOCK_WATCHES =
      MULTILOCK
          .with(
              b -> {
                b.watchShare = 1.0;
                b.faults = EnumSet.copyOf(b.faults);
                b.faults.add(Fault.Kind.WATCH);
                b.mustHappen = EnumSet.copyOf(b.mustHappen);
                b.mustHappen.add(Stats.Counter.STALE_WATCH_EVENTS);
                b.mustHappen.add(Stats.Counter.WATCHED_WRITES);
                b.mustHappen.add(Stats.Counter.STALE_WATCHED_WRITES);
              })
          .named("multilock-watches");

  /**
   * {@link #MULTILOCK} where MultiLock candidates release on stop too. Open bug: the pair's record
   * takes the lease duration of the primary, 1 s after a release, even when the secondary names a
   * Lease-only holder with a full lease, so a MultiLock candidate takes over between two renewals
   * of that holder (seed 382).
   */
  static final Model MULTILOCK_WITH_RELEASES =
      MULTILOCK.with(b -> b.multiLockReleases = true).named("multilock-with-releases");

  /**
   * Callback executors that start tasks late or never, among crashes, pauses, partitions, lost
   * responses and misbehaving watches (no graceful stops, whose end may wait for a callback):
   * {@code CallbackIndependenceTest} runs each seed twice, with and without the stalls, and the
   * stores must see the very same writes at the very same instants. (No rejections: a rejected
   * onStartedLeading task ends its term, which does change the writes.)
   */
  static final Model CALLBACK_STALLS =
      Model.SAFE
          .withFaults(
              EnumSet.of(
                  Fault.Kind.CALLBACK_STALL,
                  Fault.Kind.CRASH,
                  Fault.Kind.PAUSE,
                  Fault.Kind.PARTITION,
                  Fault.Kind.LOSSY,
                  Fault.Kind.WATCH))
          .withMustHappen(
              EnumSet.of(
                  Stats.Counter.TAKEOVERS,
                  Stats.Counter.CALLBACK_TASKS_LATE,
                  Stats.Counter.CALLBACK_TASKS_DROPPED))
          .named("callback-stalls");

  /**
   * {@link #LATE_RESPONSES} on locks that compare an update with the version of the last response
   * they received (late ones included) instead of the snapshot they are given: the Lock SPI before
   * issue 13. The checker must find bug 1 of docs/SAFETY.md again.
   */
  static final Model CACHED_VERSION_LOCKS =
      LATE_RESPONSES
          .with(
              b -> {
                b.cachedVersionLocks = true;
                b.callbackRules = false;
                b.faults = EnumSet.of(Fault.Kind.PARTITION, Fault.Kind.SLOW, Fault.Kind.WATCH);
                b.watchShare = 0.5;
              })
          .named("cached-version-locks");

  /**
   * A broken store whose updates ignore the version they are given (last writer wins), under the
   * watch model's faults: the checker must find two leaders (what compare-and-swap prevents).
   */
  static final Model NO_COMPARE_AND_SWAP =
      WATCHES
          .with(
              b -> {
                b.compareVersions = false;
                b.callbackRules = false;
              })
          .named("no-compare-and-swap");

  static final List<Model> ALL =
      List.of(
          Model.SAFE,
          COARSE_RAW,
          COARSE_RAW_LOST_RESPONSES,
          COARSE_SLOW_PATH,
          RATES_BEYOND_RHO,
          NO_DEADLINE_PAUSES,
          NO_DEADLINE_HANGS,
          PAUSES,
          HANGS,
          WATCHES,
          DELETIONS,
          DELETIONS_OF_IDLE_RECORDS,
          CALLBACKS,
          CALLBACKS_AND_FAULTS,
          LATE_RESPONSES,
          MULTILOCK,
          MULTILOCK_WATCHES,
          MULTILOCK_WITH_RELEASES,
          CALLBACK_STALLS,
          CACHED_VERSION_LOCKS,
          NO_COMPARE_AND_SWAP);

  /** The models that must hold for every seed. */
  static final List<Model> SAFE_MODELS =
      List.of(
          Model.SAFE,
          COARSE_RAW,
          COARSE_RAW_LOST_RESPONSES,
          COARSE_SLOW_PATH,
          PAUSES,
          HANGS,
          WATCHES,
          DELETIONS_OF_IDLE_RECORDS,
          CALLBACKS,
          CALLBACKS_AND_FAULTS,
          LATE_RESPONSES,
          MULTILOCK,
          MULTILOCK_WATCHES);

  /**
   * Safe models that still fail, each for a bug not fixed on this branch: they must join {@link
   * #SAFE_MODELS} once it is (see {@code OpenBugTest}).
   */
  static final List<Model> OPEN = List.of(DELETIONS, MULTILOCK_WITH_RELEASES);

  static Model named(String name) {
    for (Model m : ALL) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("no model named " + name + "; known: " + ALL);
  }
}
