package io.leasehold.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Safety bugs of the elector found by the simulation and fixed (docs/SAFETY.md, "Bugs found");
 * these seeds reproduced them and now guard against their return.
 *
 * <p>1. The fast path of tryAcquireOrRenew updated against the lock's cached version, which could
 * be newer than the record the elector believed it observed (an abandoned read that finished late,
 * a watch notification older than the last read). A candidate whose own term had ended then
 * overwrote another candidate's valid lease, and both acted as leader. The elector now writes only
 * while the cache is known to match its observation.
 *
 * <p>2. With raw bytes of one-second granularity, the leader counted its authority from the send
 * time of its last write, but that write could carry the same bytes as writes sent more than the
 * granularity earlier (a slow-path renewal carries the time its attempt began), so a follower's
 * countdown began earlier than the elector allowed for. Authority now counts from the start of the
 * attempt whose time the record carries.
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
  void aLateAbandonedReadMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(ABANDONED_GET_SEED, Models.OVERRUNNING_LOCKS, false).problem()).isNull();
    assertThat(Simulation.run(295, Models.OVERRUNNING_LOCKS, false).problem()).isNull();
  }

  @Test
  void aLaggingWatchMustNotLetACandidateOverwriteAValidLease() {
    assertThat(Simulation.run(LAGGING_WATCH_SEED, Models.LAGGING_WATCHES, false).problem())
        .isNull();
  }

  @Test
  void aSlowPathRenewalWithIdenticalBytesMustNotOutlastTheFollowersCountdown() {
    assertThat(Simulation.run(COARSE_SLOW_PATH_SEED, Models.COARSE_RAW_LOST_RESPONSES, false).problem())
        .isNull();
  }
}
