package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A safety bug of the elector found by the simulation (docs/SAFETY.md, "Known bug"): the fast path
 * of tryAcquireOrRenew updates against the lock's cached version, which can be newer than the
 * record the elector believes it observed. A candidate whose own term has ended then overwrites
 * another candidate's valid lease at once, and both act as leader (with a duplicate fencing token
 * in the first case).
 *
 * <p>The two {@code @Disabled} tests state the property and fail with the elector of this branch;
 * enable them once the elector is fixed. {@link #theBugStillReproduces} pins the reproduction
 * while the bug is open, and is skipped (with a message) when run against an elector that no
 * longer shows it.
 */
class KnownBugTest {

  /** An abandoned get finishes late and moves the lock's cached version (InMemoryLock, JdbcLock). */
  static final long ABANDONED_GET_SEED = 295;

  /** A watch notification of the candidate's own old write arrives after a fresher read. */
  static final long LAGGING_WATCH_SEED = 8267;

  @Test
  @Disabled("elector bug: the fast path updates against a version it never observed; see docs/SAFETY.md")
  void aLateAbandonedReadMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(ABANDONED_GET_SEED, Models.OVERRUNNING_LOCKS, false).problem()).isNull();
  }

  @Test
  @Disabled("elector bug: the fast path updates against a version it never observed; see docs/SAFETY.md")
  void aLaggingWatchMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(LAGGING_WATCH_SEED, Models.LAGGING_WATCHES, false).problem()).isNull();
  }

  @Test
  void theBugStillReproduces() {
    String abandoned = Simulation.run(ABANDONED_GET_SEED, Models.OVERRUNNING_LOCKS, false).problem();
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
