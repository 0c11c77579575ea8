package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A safety bug of the elector found by the simulation and fixed (docs/SAFETY.md, "Found by the
 * simulation"): the fast path of tryAcquireOrRenew updated against the lock's cached version,
 * which could be newer than the record the elector believed it observed (an abandoned read that
 * finished late, or a watch notification older than the last read). A candidate whose own term had
 * ended then overwrote another candidate's valid lease, and both acted as leader. The elector now
 * writes only while the cache is known to match its observation. These seeds reproduced the bug.
 */
class KnownBugTest {

  /** An abandoned get finishes late and moves the lock's cached version (InMemoryLock, JdbcLock). */
  static final long ABANDONED_GET_SEED = 295;

  /** A watch notification of the candidate's own old write arrives after a fresher read. */
  static final long LAGGING_WATCH_SEED = 8267;

  @Test
  void aLateAbandonedReadMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(ABANDONED_GET_SEED, Models.OVERRUNNING_LOCKS, false).problem()).isNull();
  }

  @Test
  void aLaggingWatchMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(LAGGING_WATCH_SEED, Models.LAGGING_WATCHES, false).problem()).isNull();
  }
}
