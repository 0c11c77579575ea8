package io.leasehold.leaderelection.resourcelock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The record's builder is the one place that checks a record. */
class LeaderElectionRecordTest {

  @Test
  void countsAreNeverNegative() {
    assertThatThrownBy(() -> LeaderElectionRecord.builder().leaseDurationSeconds(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaseDurationSeconds must not be negative, found -1");
    assertThatThrownBy(() -> LeaderElectionRecord.builder().leaderTransitions(-2).build())
        .hasMessage("leaderTransitions must not be negative, found -2");
    assertThatThrownBy(() -> LeaderElectionRecord.builder().fencingToken(-3).build())
        .hasMessage("fencingToken must not be negative, found -3");
  }

  @Test
  void aReleasedRecordHasNoHolderAndAPositiveDuration() {
    LeaderElectionRecord released =
        LeaderElectionRecord.builder().holderIdentity(null).leaseDurationSeconds(1).build();
    assertThat(released.hasHolder()).isFalse();
    assertThat(released.holderIdentity()).isEmpty();
    assertThat(released.toBuilder().build()).isEqualTo(released);
  }
}
