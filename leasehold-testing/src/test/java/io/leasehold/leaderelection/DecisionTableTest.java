package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.TryAcquireOrRenew.Decision;
import io.leasehold.leaderelection.TryAcquireOrRenew.Wait;
import io.leasehold.leaderelection.TryAcquireOrRenew.Write;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TryAcquireOrRenew} as a table: what a candidate "me" (lease 15 s) decides from what it
 * observed before, what it read (or, on the fast path, nothing), the time and its term. Times are
 * seconds on the candidate's monotonic clock; "seen at" is when the observation's raw bytes last
 * changed.
 */
class DecisionTableTest {
  private static final long S = 1_000_000_000L;
  private static final Instant WALL = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant EARLIER = WALL.minusSeconds(600);
  private static final TryAcquireOrRenew DECIDE = new TryAcquireOrRenew("me", 15);

  /** A snapshot: raw bytes and version from {@code version}, so equal versions mean no change. */
  private static LockSnapshot stored(String holder, int transitions, long token, int version) {
    LeaderElectionRecord r =
        LeaderElectionRecord.builder()
            .holderIdentity(holder)
            .leaseDurationSeconds(holder.isEmpty() ? 1 : 15)
            .acquireTime(EARLIER)
            .renewTime(EARLIER)
            .leaderTransitions(transitions)
            .fencingToken(token)
            .build();
    byte[] raw = ("v" + version).getBytes(StandardCharsets.US_ASCII);
    return new LockSnapshot(r, raw, Integer.toString(version));
  }

  private static Observation seen(LockSnapshot s, long atSeconds, long highest) {
    return new Observation(s, atSeconds * S, highest);
  }

  /**
   * One row: the situation and the expected decision ("create", "update", "wait", "alarm", or
   * "read" when the fast path must read first), with the written holder, transitions and token,
   * whether acquire time is kept, and when the observation's countdown (re)started.
   */
  record Row(
      String situation,
      Observation before,
      Optional<LockSnapshot> read, // null: the fast path, nothing read
      long nowSeconds,
      long term,
      boolean watchCurrent,
      String expect,
      String holder,
      int transitions,
      long token,
      boolean keepsAcquireTime,
      long seenAtSeconds) {
    @Override
    public String toString() {
      return situation;
    }
  }

  static Stream<Row> table() {
    LockSnapshot other = stored("other", 3, 7, 10);
    LockSnapshot otherRenewed = stored("other", 3, 7, 11);
    LockSnapshot mine = stored("me", 3, 7, 10);
    LockSnapshot released = stored("", 3, 7, 12);
    return Stream.of(
        // ---- the slow path: 2. obtain or create, 3. check identity and time, 4. fill in
        new Row(
            "nothing stored: create, token above all seen",
            Observation.NONE,
            Optional.empty(),
            0,
            0,
            false,
            "create",
            "me",
            0,
            1,
            false,
            0),
        new Row(
            "nothing stored, tokens seen before: still above them",
            seen(null, 0, 9),
            Optional.empty(),
            5,
            0,
            false,
            "create",
            "me",
            0,
            10,
            false,
            0),
        new Row(
            "held by another, first seen now: wait a lease",
            Observation.NONE,
            Optional.of(other),
            100,
            0,
            false,
            "wait",
            null,
            0,
            0,
            false,
            100),
        new Row(
            "held, unchanged for less than a lease: wait",
            seen(other, 100, 7),
            Optional.of(other),
            114,
            0,
            false,
            "wait",
            null,
            0,
            0,
            false,
            100),
        new Row(
            "held, unchanged for a full lease: take over",
            seen(other, 100, 7),
            Optional.of(other),
            115,
            0,
            false,
            "update",
            "me",
            4,
            8,
            false,
            100),
        new Row(
            "held, changed since: the countdown restarts",
            seen(other, 100, 7),
            Optional.of(otherRenewed),
            130,
            0,
            false,
            "wait",
            null,
            0,
            0,
            false,
            130),
        new Row(
            "released: take at once",
            seen(other, 100, 7),
            Optional.of(released),
            101,
            0,
            false,
            "update",
            "me",
            4,
            8,
            false,
            101),
        new Row(
            "stored token behind one seen: the new token is above both",
            seen(other, 0, 12),
            Optional.of(other),
            20,
            0,
            false,
            "update",
            "me",
            4,
            13,
            false,
            0),
        new Row(
            "mine, renewing my term: keep acquire time, transitions, token",
            seen(mine, 100, 7),
            Optional.of(mine),
            102,
            7,
            false,
            "update",
            "me",
            3,
            7,
            true,
            100),
        new Row(
            "mine after a restart (no term): renew at once with a new token",
            Observation.NONE,
            Optional.of(mine),
            100,
            0,
            false,
            "update",
            "me",
            3,
            8,
            true,
            100),
        new Row(
            "mine but another term's token: another process has my identity",
            seen(mine, 100, 7),
            Optional.of(mine),
            101,
            5,
            false,
            "alarm",
            null,
            0,
            0,
            false,
            100),
        // ---- 1. the fast path: decide on the observation, no read
        new Row(
            "fast path: leader with a valid lease renews on what it wrote",
            seen(mine, 100, 7),
            null,
            102,
            7,
            false,
            "update",
            "me",
            3,
            7,
            true,
            100),
        new Row(
            "fast path: a leader whose lease looks expired reads first",
            seen(mine, 100, 7),
            null,
            116,
            7,
            false,
            "read",
            null,
            0,
            0,
            false,
            0),
        new Row(
            "fast path: a follower without a current watch reads",
            seen(other, 100, 7),
            null,
            116,
            0,
            false,
            "read",
            null,
            0,
            0,
            false,
            0),
        new Row(
            "fast path: a watched follower waits without a call",
            seen(other, 100, 7),
            null,
            110,
            0,
            true,
            "wait",
            null,
            0,
            0,
            false,
            100),
        new Row(
            "fast path: a watched follower takes an expired lease directly",
            seen(other, 100, 7),
            null,
            115,
            0,
            true,
            "update",
            "me",
            4,
            8,
            false,
            100),
        new Row(
            "fast path: a watched follower takes a released lease directly",
            seen(released, 100, 7),
            null,
            100,
            0,
            true,
            "update",
            "me",
            4,
            8,
            false,
            100));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(Row row) {
    long now = row.nowSeconds() * S;
    Optional<Decision> decided =
        row.read() == null
            ? DECIDE.withoutRead(row.before(), now, WALL, row.term(), row.watchCurrent())
            : Optional.of(DECIDE.afterRead(row.before(), row.read(), now, WALL, row.term()));
    if (row.expect().equals("read")) {
      assertThat(decided).isEmpty();
      return;
    }
    Decision d = decided.orElseThrow();
    assertThat(d.observation().observedAt())
        .as("countdown start")
        .isEqualTo(row.seenAtSeconds() * S);
    switch (row.expect()) {
      case "wait", "alarm" -> {
        assertThat(d).isInstanceOf(Wait.class);
        assertThat(((Wait) d).alarming()).isEqualTo(row.expect().equals("alarm"));
      }
      case "create", "update" -> {
        assertThat(d).isInstanceOf(Write.class);
        Write w = (Write) d;
        LockSnapshot expectedBase =
            row.expect().equals("create")
                ? null
                : row.read() != null ? row.read().orElseThrow() : row.before().snapshot();
        assertThat(w.base()).as("compared against").isSameAs(expectedBase);
        LeaderElectionRecord r = w.record();
        assertThat(r.holderIdentity()).isEqualTo(row.holder());
        assertThat(r.leaseDurationSeconds()).isEqualTo(15);
        assertThat(r.leaderTransitions()).isEqualTo(row.transitions());
        assertThat(r.fencingToken()).isEqualTo(row.token());
        assertThat(r.renewTime()).isEqualTo(WALL);
        assertThat(r.acquireTime()).isEqualTo(row.keepsAcquireTime() ? EARLIER : WALL);
      }
      default -> throw new AssertionError(row.expect());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void isPure_theSameInputsGiveTheSameDecision(Row row) {
    long now = row.nowSeconds() * S;
    for (int i = 0; i < 2; i++) {
      Object first =
          row.read() == null
              ? DECIDE.withoutRead(row.before(), now, WALL, row.term(), row.watchCurrent())
              : DECIDE.afterRead(row.before(), row.read(), now, WALL, row.term());
      Object again =
          row.read() == null
              ? DECIDE.withoutRead(row.before(), now, WALL, row.term(), row.watchCurrent())
              : DECIDE.afterRead(row.before(), row.read(), now, WALL, row.term());
      assertThat(again).isEqualTo(first);
    }
  }
}
