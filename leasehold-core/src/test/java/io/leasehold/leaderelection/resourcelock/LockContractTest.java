package io.leasehold.leaderelection.resourcelock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@link Lock} SPI contract. Every backend's test extends this class and supplies fresh locks
 * on one shared, initially absent object; the tests then pin what the elector relies on.
 */
public abstract class LockContractTest {
  /** A generous timeout for each call; backends run on loopback. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(5);

  /**
   * Returns a lock for {@code identity} on the object under test. All locks returned during one
   * test refer to the same object, which does not exist when the test starts.
   */
  protected abstract Lock newLock(String identity) throws Exception;

  /** A record as the elector writes it, with times at whole seconds. */
  protected static LeaderElectionRecord record(String holder, int transitions, long token) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(now.minusSeconds(30))
        .renewTime(now)
        .leaderTransitions(transitions)
        .fencingToken(token)
        .build();
  }

  @Test
  void getOfAMissingObjectIsEmpty() throws Exception {
    assertThat(newLock("a").get(TIMEOUT)).isEmpty();
  }

  @Test
  void createThenGetReturnsTheRecord() throws Exception {
    Lock a = newLock("a");
    LeaderElectionRecord r = record("a", 0, 1);
    a.create(r, TIMEOUT);
    Optional<LockSnapshot> read = newLock("b").get(TIMEOUT);
    assertThat(read).isPresent();
    assertThat(read.get().record()).isEqualTo(r);
    assertThat(read.get().raw()).isNotEmpty();
  }

  @Test
  void createFailsWithConflictWhenTheObjectExists() throws Exception {
    newLock("a").create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    assertThatThrownBy(() -> b.create(record("b", 0, 1), TIMEOUT))
        .isInstanceOf(LockConflictException.class);
  }

  @Test
  void updateBeforeAnyGetOrCreateFailsClearly() throws Exception {
    newLock("a").create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    assertThatThrownBy(() -> b.update(record("b", 1, 2), TIMEOUT))
        .isInstanceOf(LockException.class)
        .isNotInstanceOf(LockConflictException.class)
        .hasMessageContaining("get");
  }

  @Test
  void updateAfterGetWritesTheRecord() throws Exception {
    newLock("a").create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    b.get(TIMEOUT);
    LeaderElectionRecord r = record("b", 1, 2);
    b.update(r, TIMEOUT);
    assertThat(newLock("c").get(TIMEOUT).orElseThrow().record()).isEqualTo(r);
  }

  @Test
  void updateFailsWithConflictWhenAnotherCandidateWroteSinceTheLastGet() throws Exception {
    Lock a = newLock("a");
    a.create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    b.get(TIMEOUT);
    a.update(record("a", 0, 1), TIMEOUT);
    assertThatThrownBy(() -> b.update(record("b", 1, 2), TIMEOUT))
        .isInstanceOf(LockConflictException.class);
    assertThat(newLock("c").get(TIMEOUT).orElseThrow().record().holderIdentity()).isEqualTo("a");
  }

  @Test
  void successiveUpdatesByTheSameLockNeedNoGetInBetween() throws Exception {
    Lock a = newLock("a");
    a.create(record("a", 0, 1), TIMEOUT);
    a.update(record("a", 0, 1), TIMEOUT);
    a.update(record("a", 0, 1), TIMEOUT);
    assertThat(newLock("b").get(TIMEOUT).orElseThrow().record().holderIdentity()).isEqualTo("a");
  }

  @Test
  void rawBytesChangeWhenTheRecordChanges() throws Exception {
    Lock a = newLock("a");
    a.create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    LockSnapshot first = b.get(TIMEOUT).orElseThrow();
    LockSnapshot again = b.get(TIMEOUT).orElseThrow();
    assertThat(again.sameRaw(first)).as("an unchanged object reads the same raw bytes").isTrue();
    LeaderElectionRecord renewed =
        record("a", 0, 1).toBuilder()
            .renewTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(7))
            .build();
    a.update(renewed, TIMEOUT);
    assertThat(b.get(TIMEOUT).orElseThrow().sameRaw(first)).isFalse();
  }

  @Test
  void anEmptyHolderRoundTrips() throws Exception {
    Lock a = newLock("a");
    a.create(record("a", 3, 4), TIMEOUT);
    LeaderElectionRecord released =
        LeaderElectionRecord.builder()
            .leaseDurationSeconds(1)
            .acquireTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            .renewTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            .leaderTransitions(3)
            .fencingToken(4)
            .build();
    a.update(released, TIMEOUT);
    LeaderElectionRecord read = newLock("b").get(TIMEOUT).orElseThrow().record();
    assertThat(read.hasHolder()).isFalse();
    assertThat(read.holderIdentity()).isEmpty();
    assertThat(read.leaseDurationSeconds()).isEqualTo(1);
    assertThat(read.leaderTransitions()).isEqualTo(3);
  }

  @Test
  void theFencingTokenRoundTrips() throws Exception {
    Lock a = newLock("a");
    a.create(record("a", 0, 41), TIMEOUT);
    a.update(record("a", 0, 42), TIMEOUT);
    assertThat(newLock("b").get(TIMEOUT).orElseThrow().record().fencingToken()).isEqualTo(42);
  }

  @Test
  void identityAndDescriptionAreSet() throws Exception {
    Lock a = newLock("candidate-7");
    assertThat(a.identity()).isEqualTo("candidate-7");
    assertThat(a.describe()).isNotBlank();
    a.recordEvent("became leader");
  }
}
