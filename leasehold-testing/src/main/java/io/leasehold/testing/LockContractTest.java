package io.leasehold.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link Lock} SPI contract. Every backend's test extends this class and supplies fresh locks
 * on one shared, initially absent object; the tests then pin what the elector relies on: reads and
 * writes return snapshots, a write is a compare-and-swap against the snapshot it is given, versions
 * never repeat (across deletion and re-creation too), and fencing tokens never go back.
 */
public abstract class LockContractTest {
  /** A generous timeout for each call; backends run on loopback. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(5);

  /**
   * Returns a lock for {@code identity} on the object under test. All locks returned during one
   * test refer to the same object, which does not exist when the test starts.
   */
  protected abstract Lock newLock(String identity) throws Exception;

  /** Deletes the object under test behind the locks' backs, as an operator or a script would. */
  protected abstract void deleteObject() throws Exception;

  /**
   * Whether the backend keeps the highest fencing token apart from the record, so that tokens keep
   * rising after the record is deleted (true for every backend but Kubernetes, where deleting an
   * object takes its history with it).
   */
  protected boolean keepsTokensAcrossDeletion() {
    return true;
  }

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
  void createReturnsWhatGetThenReads() throws Exception {
    LeaderElectionRecord r = record("a", 0, 1);
    LockSnapshot created = newLock("a").create(r, TIMEOUT);
    assertThat(created.record()).isEqualTo(r);
    LockSnapshot read = newLock("b").get(TIMEOUT).orElseThrow();
    assertThat(read.record()).isEqualTo(r);
    assertThat(read.version()).isEqualTo(created.version());
    assertThat(read.sameRaw(created)).isTrue();
    assertThat(read.raw()).isNotEmpty();
  }

  @Test
  void createFailsWithConflictWhenTheObjectExists() throws Exception {
    newLock("a").create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    assertThatThrownBy(() -> b.create(record("b", 0, 1), TIMEOUT))
        .isInstanceOf(LockConflictException.class);
  }

  @Test
  void updateAgainstTheCurrentVersionWritesTheRecord() throws Exception {
    LockSnapshot created = newLock("a").create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    LeaderElectionRecord r = record("b", 1, 2);
    LockSnapshot written = b.update(b.get(TIMEOUT).orElseThrow(), r, TIMEOUT);
    assertThat(written.record()).isEqualTo(r);
    assertThat(written.version()).isNotEqualTo(created.version());
    LockSnapshot read = newLock("c").get(TIMEOUT).orElseThrow();
    assertThat(read.record()).isEqualTo(r);
    assertThat(read.version()).isEqualTo(written.version());
  }

  @Test
  void updateAgainstAnOlderVersionFailsWithConflictAndWritesNothing() throws Exception {
    Lock a = newLock("a");
    LockSnapshot created = a.create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    LockSnapshot seenByB = b.get(TIMEOUT).orElseThrow();
    a.update(created, record("a", 0, 1), TIMEOUT);
    assertThatThrownBy(() -> b.update(seenByB, record("b", 1, 2), TIMEOUT))
        .isInstanceOf(LockConflictException.class);
    assertThatThrownBy(() -> a.update(created, record("a", 0, 1), TIMEOUT))
        .as("a lock's own older snapshot is no better")
        .isInstanceOf(LockConflictException.class);
    assertThat(newLock("c").get(TIMEOUT).orElseThrow().record().holderIdentity()).isEqualTo("a");
  }

  @Test
  void successiveUpdatesChainTheReturnedSnapshots() throws Exception {
    Lock a = newLock("a");
    LockSnapshot s = a.create(record("a", 0, 1), TIMEOUT);
    for (int i = 0; i < 3; i++) {
      s = a.update(s, record("a", 0, 1), TIMEOUT);
    }
    LockSnapshot read = newLock("b").get(TIMEOUT).orElseThrow();
    assertThat(read.version()).isEqualTo(s.version());
    assertThat(read.record().holderIdentity()).isEqualTo("a");
  }

  @Test
  void ofRacingWritersAgainstOneVersionExactlyOneWins() throws Exception {
    newLock("a").create(record("a", 0, 1), TIMEOUT);
    Lock shared = newLock("b"); // one instance, many threads: locks keep no per-caller state
    LockSnapshot base = shared.get(TIMEOUT).orElseThrow();
    int racers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        String holder = "racer-" + i;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    shared.update(base, record(holder, 1, 2), TIMEOUT);
                    return true;
                  } catch (LockConflictException e) {
                    return false;
                  }
                }));
      }
      go.countDown();
      int wins = 0;
      for (Future<Boolean> f : results) {
        wins += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(wins).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(newLock("c").get(TIMEOUT).orElseThrow().record().holderIdentity())
        .startsWith("racer-");
  }

  @Test
  void updateOfADeletedObjectFailsWithConflict() throws Exception {
    LockSnapshot created = newLock("a").create(record("a", 0, 1), TIMEOUT);
    deleteObject();
    assertThatThrownBy(() -> newLock("a").update(created, record("a", 0, 1), TIMEOUT))
        .isInstanceOf(LockConflictException.class);
    assertThat(newLock("b").get(TIMEOUT)).isEmpty();
  }

  @Test
  void aSnapshotFromBeforeADeletionNeverMatchesTheRecreatedObject() throws Exception {
    Lock a = newLock("a");
    LockSnapshot stale = a.create(record("a", 0, 1), TIMEOUT);
    deleteObject();
    Lock b = newLock("b");
    b.create(record("b", 0, 1), TIMEOUT);
    assertThatThrownBy(() -> a.update(stale, record("a", 1, 2), TIMEOUT))
        .isInstanceOf(LockConflictException.class);
    assertThat(newLock("c").get(TIMEOUT).orElseThrow().record().holderIdentity()).isEqualTo("b");
  }

  @Test
  void versionsNeverRepeatAcrossDeletionAndRecreation() throws Exception {
    Set<String> versions = new HashSet<>();
    Lock a = newLock("a");
    for (int round = 0; round < 3; round++) {
      LockSnapshot s = a.create(record("a", 0, round + 1), TIMEOUT);
      assertThat(versions.add(s.version())).as("version %s repeats", s.version()).isTrue();
      for (int i = 0; i < 2; i++) {
        s = a.update(s, record("a", 0, s.record().fencingToken()), TIMEOUT);
        assertThat(versions.add(s.version())).as("version %s repeats", s.version()).isTrue();
      }
      deleteObject();
    }
  }

  @Test
  void aRenewalKeepsTheTokenAndANewTermRaisesIt() throws Exception {
    Lock a = newLock("a");
    LockSnapshot s = a.create(record("a", 0, 41), TIMEOUT);
    s = a.update(s, record("a", 0, 41), TIMEOUT);
    assertThat(s.record().fencingToken()).isEqualTo(41);
    Lock b = newLock("b");
    s = b.update(b.get(TIMEOUT).orElseThrow(), record("b", 1, 42), TIMEOUT);
    assertThat(s.record().fencingToken()).isEqualTo(42);
    assertThat(newLock("c").get(TIMEOUT).orElseThrow().record().fencingToken()).isEqualTo(42);
  }

  @Test
  void tokensKeepRisingWhenTheRecordIsDeletedAndRecreated() throws Exception {
    Lock a = newLock("a");
    LockSnapshot s = a.create(record("a", 0, 5), TIMEOUT);
    s = a.update(s, record("a", 0, 7), TIMEOUT);
    deleteObject();
    // a candidate that never saw the old record proposes token 1
    LockSnapshot recreated = newLock("b").create(record("b", 0, 1), TIMEOUT);
    if (keepsTokensAcrossDeletion()) {
      assertThat(recreated.record().fencingToken()).isGreaterThan(7);
      assertThat(newLock("c").get(TIMEOUT).orElseThrow().record().fencingToken())
          .isEqualTo(recreated.record().fencingToken());
      Lock d = newLock("d");
      LockSnapshot next =
          d.update(d.get(TIMEOUT).orElseThrow(), record("d", 1, 2), TIMEOUT); // a stale proposal
      assertThat(next.record().fencingToken()).isGreaterThan(recreated.record().fencingToken());
    } else {
      assertThat(recreated.record().fencingToken()).isEqualTo(1);
    }
  }

  @Test
  void rawBytesChangeWhenTheRecordChanges() throws Exception {
    Lock a = newLock("a");
    LockSnapshot created = a.create(record("a", 0, 1), TIMEOUT);
    Lock b = newLock("b");
    LockSnapshot first = b.get(TIMEOUT).orElseThrow();
    LockSnapshot again = b.get(TIMEOUT).orElseThrow();
    assertThat(again.sameRaw(first)).as("an unchanged object reads the same raw bytes").isTrue();
    LeaderElectionRecord renewed =
        record("a", 0, 1).toBuilder()
            .renewTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(7))
            .build();
    a.update(created, renewed, TIMEOUT);
    assertThat(b.get(TIMEOUT).orElseThrow().sameRaw(first)).isFalse();
  }

  @Test
  void anEmptyHolderRoundTrips() throws Exception {
    Lock a = newLock("a");
    LockSnapshot s = a.create(record("a", 3, 4), TIMEOUT);
    LeaderElectionRecord released =
        LeaderElectionRecord.builder()
            .leaseDurationSeconds(1)
            .acquireTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            .renewTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            .leaderTransitions(3)
            .fencingToken(4)
            .build();
    a.update(s, released, TIMEOUT);
    LeaderElectionRecord read = newLock("b").get(TIMEOUT).orElseThrow().record();
    assertThat(read.hasHolder()).isFalse();
    assertThat(read.holderIdentity()).isEmpty();
    assertThat(read.leaseDurationSeconds()).isEqualTo(1);
    assertThat(read.leaderTransitions()).isEqualTo(3);
    assertThat(read.fencingToken()).isEqualTo(4);
  }

  @Test
  void theAsynchronousCallsAnswerAsTheBlockingOnes() throws Exception {
    Lock a = newLock("a");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      assertThat(a.getAsync(TIMEOUT, pool).get(30, TimeUnit.SECONDS)).isEmpty();
      LockSnapshot created =
          a.createAsync(record("a", 0, 1), TIMEOUT, pool).get(30, TimeUnit.SECONDS);
      LockSnapshot updated =
          a.updateAsync(created, record("a", 0, 1), TIMEOUT, pool).get(30, TimeUnit.SECONDS);
      Optional<LockSnapshot> read = a.getAsync(TIMEOUT, pool).get(30, TimeUnit.SECONDS);
      assertThat(read.orElseThrow().version()).isEqualTo(updated.version());
      assertThat(a.updateAsync(created, record("a", 0, 1), TIMEOUT, pool))
          .failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(LockConflictException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void identityAndDescriptionAreSet() throws Exception {
    Lock a = newLock("candidate-7");
    assertThat(a.identity()).isEqualTo("candidate-7");
    assertThat(a.describe()).isNotBlank();
    a.recordEvent("became leader");
  }
}
