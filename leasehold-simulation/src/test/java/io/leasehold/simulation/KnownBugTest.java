package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Safety bugs of the elector found by the simulation (docs/SAFETY.md, "Known bugs").
 *
 * <p>1. The fast path of tryAcquireOrRenew updates against the lock's cached version, which can be
 * newer than the record the elector believes it observed. A candidate whose own term has ended then
 * overwrites another candidate's valid lease at once, and both act as leader (with a duplicate
 * fencing token in the first case).
 *
 * <p>2. With raw bytes of one-second granularity, the leader counts its authority from the send
 * time of its last write, but that write can carry the same bytes as writes sent more than the
 * granularity earlier (a slow-path renewal carries the time its attempt began), so a follower's
 * countdown began earlier than the elector allows for.
 *
 * <p>The {@code @Disabled} tests state the property and fail with the elector of this branch;
 * enable them once the elector is fixed. The {@code ...StillReproduces} tests pin the reproductions
 * while the bugs are open, and are skipped (with a message) when run against an elector that no
 * longer shows them.
 */
class KnownBugTest {

  /**
   * An abandoned get finishes late and moves the lock's cached version (InMemoryLock, JdbcLock).
   */
  static final long ABANDONED_GET_SEED = 68890;

  /** A watch notification of the candidate's own old write arrives after a fresher read. */
  static final long LAGGING_WATCH_SEED = 8267;

  /** Two identical-byte renewals, the second sent by the slow path after a hung fast-path write. */
  static final long COARSE_SLOW_PATH_SEED = 133291;

  @Test
  @Disabled(
      "elector bug 2: authority counted from the send time, not from the time in the bytes; see"
          + " docs/SAFETY.md")
  void aSlowPathRenewalWithIdenticalBytesMustNotOutlastTheFollowersCountdown() {
    assertThat(
            Simulation.run(COARSE_SLOW_PATH_SEED, Models.COARSE_RAW_LOST_RESPONSES, false)
                .problem())
        .isNull();
  }

  @Test
  void bug2StillReproduces() {
    String problem =
        Simulation.run(COARSE_SLOW_PATH_SEED, Models.COARSE_RAW_LOST_RESPONSES, false).problem();
    assumeTrue(
        problem != null,
        "seed "
            + COARSE_SLOW_PATH_SEED
            + " of model coarse-raw-lost-responses passes with this"
            + " elector: check with -Dsimulation.model=coarse-raw-lost-responses"
            + " -Dsimulation.seeds=1000000 before enabling the @Disabled test");
    assertThat(problem).startsWith("two leaders act at once");
  }

  @Test
  @Disabled(
      "elector bug: the fast path updates against a version it never observed; see docs/SAFETY.md")
  void aLateAbandonedReadMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(ABANDONED_GET_SEED, Models.OVERRUNNING_LOCKS, false).problem())
        .isNull();
  }

  @Test
  @Disabled(
      "elector bug: the fast path updates against a version it never observed; see docs/SAFETY.md")
  void aLaggingWatchMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(LAGGING_WATCH_SEED, Models.LAGGING_WATCHES, false).problem())
        .isNull();
  }

  @Test
  void theBugStillReproduces() {
    String abandoned =
        Simulation.run(ABANDONED_GET_SEED, Models.OVERRUNNING_LOCKS, false).problem();
    String lagging = Simulation.run(LAGGING_WATCH_SEED, Models.LAGGING_WATCHES, false).problem();
    assumeTrue(
        abandoned != null || lagging != null,
        "the known fast-path bug does not reproduce with this elector: enable the @Disabled tests"
            + " of KnownBugTest, delete this one, and let Model.SAFE draw lagging watches and"
            + " overrunning locks");
    assertThat(abandoned).startsWith("fencing token did not rise");
    assertThat(lagging).startsWith("two leaders act at once");
  }
}
