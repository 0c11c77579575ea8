package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * client-go's record JSON: Go's escaping when writing, Go's leniency and strictness when reading.
 */
class RecordJsonTest {

  @Test
  void stringsAreEscapedAsGoEscapesThem() {
    LeaderElectionRecord r =
        LeaderElectionRecord.builder().holderIdentity("a<b>&\"c\\d\n\t\b\f\u0001\u2028é😀").build();
    assertThat(RecordJson.write(r))
        .startsWith(
            "{\"holderIdentity\":\"a\\u003cb\\u003e\\u0026\\\"c\\\\d\\n"
                + "\\t\\b\\f\\u0001\\u2028é😀\",");
  }

  @Test
  void unsetTimesAreNull() {
    assertThat(RecordJson.write(LeaderElectionRecord.EMPTY))
        .isEqualTo(
            "{\"holderIdentity\":\"\",\"leaseDurationSeconds\":0,\"acquireTime\":null,"
                + "\"renewTime\":null,\"leaderTransitions\":0}");
  }

  @Test
  void readsWhatGoWritesIncludingNullsUnknownFieldsAndOtherOffsets() {
    LeaderElectionRecord r =
        RecordJson.read(
            "{\"HolderIdentity\":\"x\",\"leaseDurationSeconds\":15,\"acquireTime\":null,"
                + "\"renewTime\":\"2024-01-02T04:04:05+01:00\",\"leaderTransitions\":2,"
                + "\"somethingNew\":{\"a\":[1]}}");
    assertThat(r.holderIdentity()).isEqualTo("x");
    assertThat(r.leaseDurationSeconds()).isEqualTo(15);
    assertThat(r.acquireTime()).isNull();
    assertThat(r.renewTime()).isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
    assertThat(r.leaderTransitions()).isEqualTo(2);
    assertThat(RecordJson.read("{}")).isEqualTo(LeaderElectionRecord.EMPTY);
    assertThat(RecordJson.read("null")).isEqualTo(LeaderElectionRecord.EMPTY);
  }

  @Test
  void roundTripsEveryField() {
    LeaderElectionRecord r =
        LeaderElectionRecord.builder()
            .holderIdentity("h")
            .leaseDurationSeconds(9)
            .acquireTime(Instant.parse("2024-05-06T07:08:09Z"))
            .renewTime(Instant.parse("2024-05-06T07:08:10Z"))
            .leaderTransitions(4)
            .strategy("OldestEmulationVersion")
            .preferredHolder("p")
            .build();
    assertThat(RecordJson.read(RecordJson.write(r))).isEqualTo(r);
  }

  @Test
  void rejectsWhatGoRejects() {
    for (String bad :
        new String[] {
          "",
          "not json",
          "[]",
          "\"text\"",
          "{\"holderIdentity\":5}",
          "{\"leaseDurationSeconds\":1.5}",
          "{\"leaseDurationSeconds\":\"15\"}",
          "{\"renewTime\":\"yesterday\"}",
          "{\"renewTime\":\"\"}",
          "{\"acquireTime\":12}",
          "{} trailing",
          "{\"leaderTransitions\":-1}"
        }) {
      assertThatThrownBy(() -> RecordJson.read(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void timesAreTruncatedNotRounded() {
    Instant t = Instant.parse("2024-01-02T03:04:05.999999999Z");
    assertThat(WireTimes.seconds(t)).isEqualTo("2024-01-02T03:04:05Z");
    assertThat(WireTimes.micros(t)).isEqualTo("2024-01-02T03:04:05.999999Z");
    assertThat(WireTimes.micros(Instant.parse("2024-01-02T03:04:05Z")))
        .isEqualTo("2024-01-02T03:04:05.000000Z");
  }
}
