package io.leasehold.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.testing.Await;
import io.leasehold.testing.EtcdCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is specific to etcd: the stored JSON, strict decoding, CAS under contention, bad input. */
class EtcdLockTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static EtcdCluster etcd;
  private static Client client;
  private String name;

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdCluster.start(1);
    client = EtcdClients.builder().endpoints(etcd.clientUrls()).build();
  }

  @AfterAll
  static void stopEtcd() {
    client.close();
    etcd.close();
  }

  @BeforeEach
  void freshName() {
    name = "lock-" + NAMES.incrementAndGet();
  }

  private EtcdLock lock(String identity) {
    return EtcdLock.builder(client).name(name).identity(identity).build();
  }

  private ByteSequence key() {
    return ByteSequence.from(EtcdLock.DEFAULT_PREFIX + name, StandardCharsets.UTF_8);
  }

  private void put(String value) throws Exception {
    client
        .getKVClient()
        .put(key(), ByteSequence.from(value, StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
  }

  private String stored() throws Exception {
    return client
        .getKVClient()
        .get(key())
        .get(10, TimeUnit.SECONDS)
        .getKvs()
        .get(0)
        .getValue()
        .toString(StandardCharsets.UTF_8);
  }

  private static LeaderElectionRecord record(String holder, long token) {
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(Instant.parse("2026-11-23T10:00:00.123456789Z"))
        .renewTime(Instant.parse("2026-11-23T10:00:05.5Z"))
        .leaderTransitions(3)
        .fencingToken(token)
        .build();
  }

  @Test
  void theRecordIsStoredAsJsonWithClientGosFieldNamesAtTheKey() throws Exception {
    EtcdLock lock = lock("a");
    assertThat(lock.key()).isEqualTo("/leasehold/leases/" + name);
    assertThat(lock.describe()).isEqualTo("etcd:/leasehold/leases/" + name);
    lock.create(record("a", 9), T);
    assertThat(stored())
        .isEqualTo(
            "{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":15,"
                + "\"acquireTime\":\"2026-11-23T10:00:00.123456789Z\","
                + "\"renewTime\":\"2026-11-23T10:00:05.500Z\",\"leaderTransitions\":3,"
                + "\"fencingToken\":9}");
    LockSnapshot read = lock("b").get(T).orElseThrow();
    assertThat(read.record()).isEqualTo(record("a", 9));
    assertThat(new String(read.raw(), StandardCharsets.UTF_8)).isEqualTo(stored());
  }

  @Test
  void aRecordWrittenByAGoCandidateWithoutATokenReadsAsTokenZero() throws Exception {
    put(
        "{\"holderIdentity\":\"go-1\",\"leaseDurationSeconds\":15,"
            + "\"acquireTime\":\"2026-11-23T10:00:00Z\",\"renewTime\":\"2026-11-23T10:00:05Z\","
            + "\"leaderTransitions\":0}");
    LeaderElectionRecord r = lock("a").get(T).orElseThrow().record();
    assertThat(r.holderIdentity()).isEqualTo("go-1");
    assertThat(r.fencingToken()).isZero();
    assertThat(r.renewTime()).isEqualTo(Instant.parse("2026-11-23T10:00:05Z"));
  }

  @Test
  void malformedValuesAreReportedAsCorrupt() throws Exception {
    String[][] cases = {
      {"not json at all", "the value is not JSON"},
      {"[1,2]", "not a JSON object"},
      {"{\"leaseDurationSeconds\":15,\"leaderTransitions\":0}", "holderIdentity is missing"},
      {
        "{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":-1,\"leaderTransitions\":0}",
        "leaseDurationSeconds must not be negative, found -1"
      },
      {
        "{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":\"15\",\"leaderTransitions\":0}",
        "leaseDurationSeconds is not an integer"
      },
      {
        "{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":15,\"leaderTransitions\":0,"
            + "\"renewTime\":\"yesterday\"}",
        "renewTime is not an RFC 3339 time: 'yesterday'"
      },
      {
        "{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":15,\"leaderTransitions\":0,"
            + "\"fencingToken\":-4}",
        "fencingToken must not be negative, found -4"
      },
    };
    for (String[] c : cases) {
      put(c[0]);
      assertThatThrownBy(() -> lock("a").get(T))
          .as(c[0])
          .isInstanceOf(CorruptRecordException.class)
          .hasMessageStartingWith("etcd:/leasehold/leases/" + name + ": ")
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void ofFiveRacingCreatesExactlyOneWins() throws Exception {
    assertThat(
            race(
                identity ->
                    () -> {
                      lock(identity).create(record(identity, 1), T);
                      return identity;
                    }))
        .hasSize(1);
  }

  @Test
  void ofFiveRacingUpdatesFromTheSameReadExactlyOneWins() throws Exception {
    lock("x").create(record("x", 1), T);
    List<EtcdLock> locks = new ArrayList<>();
    List<LockSnapshot> seen = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      EtcdLock l = lock("c" + i);
      seen.add(l.get(T).orElseThrow());
      locks.add(l);
    }
    List<String> winners =
        race(
            identity ->
                () -> {
                  int i = Integer.parseInt(identity.substring(1));
                  locks.get(i).update(seen.get(i), record(identity, 2), T);
                  return identity;
                });
    assertThat(winners).hasSize(1);
    assertThat(lock("y").get(T).orElseThrow().record().holderIdentity()).isEqualTo(winners.get(0));
  }

  /** Runs five calls at once; returns the identities whose call succeeded. Others must conflict. */
  private List<String> race(java.util.function.Function<String, Callable<String>> call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Callable<String> c = call.apply("c" + i);
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    return c.call();
                  } catch (LockConflictException e) {
                    return null;
                  }
                }));
      }
      go.countDown();
      List<String> winners = new ArrayList<>();
      for (Future<String> f : results) {
        String w = f.get(30, TimeUnit.SECONDS);
        if (w != null) {
          winners.add(w);
        }
      }
      return winners;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anUnreachableServerFailsWithinTheTimeoutAndIsNotAConflict() throws Exception {
    try (EtcdCluster gone = EtcdCluster.start(1);
        Client c = EtcdClients.builder().endpoints(gone.clientUrls()).build()) {
      EtcdLock l = EtcdLock.builder(c).name(name).identity("a").build();
      LockSnapshot created = l.create(record("a", 1), T);
      gone.members().get(0).kill();
      long start = System.nanoTime();
      assertThatThrownBy(() -> l.update(created, record("a", 1), Duration.ofMillis(500)))
          .isInstanceOf(LockException.class)
          .isNotInstanceOf(LockConflictException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThatThrownBy(() -> l.get(Duration.ofMillis(500)))
          .isInstanceOf(LockException.class)
          .hasMessageContaining("etcd");
      // a new term (two keys, an else branch) fails the same way, asynchronously
      assertThat(l.updateAsync(created, record("b", 2), Duration.ofMillis(500), Runnable::run))
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(LockException.class)
          .withMessageContaining("etcd");
    }
  }

  private ByteSequence fenceKey() {
    return ByteSequence.from(EtcdLock.DEFAULT_PREFIX + name + "/fence", StandardCharsets.UTF_8);
  }

  /** The fence key's value and mod revision, or empty. */
  private List<Object> fence() throws Exception {
    List<KeyValue> kvs = client.getKVClient().get(fenceKey()).get(10, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty()
        ? List.of()
        : List.of(
            kvs.get(0).getValue().toString(StandardCharsets.UTF_8), kvs.get(0).getModRevision());
  }

  private void deleteKey() throws Exception {
    client.getKVClient().delete(key()).get(10, TimeUnit.SECONDS);
  }

  private static LeaderElectionRecord released(long token) {
    return LeaderElectionRecord.builder().fencingToken(token).build();
  }

  @Test
  void versionsAndTokensKeepRisingThroughRoundsOfDeletionAndRecreation() throws Exception {
    long lastVersion = 0;
    long lastToken = 0;
    for (int round = 0; round < 4; round++) {
      EtcdLock a = lock("a");
      LockSnapshot s = a.create(record("a", 1), T); // a candidate that never saw the old key
      assertThat(Long.parseLong(s.version())).isGreaterThan(lastVersion);
      assertThat(s.record().fencingToken()).isGreaterThan(lastToken);
      assertThat(fence().get(0)).isEqualTo(Long.toString(s.record().fencingToken()));
      LockSnapshot renewed = a.update(s, record("a", s.record().fencingToken()), T);
      assertThat(renewed.record().fencingToken()).isEqualTo(s.record().fencingToken());
      EtcdLock b = lock("b");
      LockSnapshot taken = b.update(b.get(T).orElseThrow(), record("b", 2), T);
      assertThat(taken.record().fencingToken()).isGreaterThan(renewed.record().fencingToken());
      LockSnapshot done = b.update(taken, released(taken.record().fencingToken()), T);
      assertThat(Long.parseLong(done.version())).isGreaterThan(Long.parseLong(taken.version()));
      lastVersion = Long.parseLong(done.version());
      lastToken = done.record().fencingToken();
      deleteKey();
    }
  }

  @Test
  void renewalsAndReleasesLeaveTheFenceKeyAloneAndANewTermRaisesIt() throws Exception {
    EtcdLock a = lock("a");
    LockSnapshot s = a.create(record("a", 5), T);
    List<Object> created = fence();
    assertThat(created.get(0)).isEqualTo("5");
    for (int i = 0; i < 3; i++) {
      s = a.update(s, record("a", 5), T);
    }
    s = a.update(s, released(5), T);
    assertThat(fence()).isEqualTo(created);
    lock("b").update(s, record("b", 6), T);
    assertThat(fence().get(0)).isEqualTo("6");
  }

  @Test
  void aKeyWrittenBeforeTheFenceKeyExistedGetsOneOnItsNextTerm() throws Exception {
    put(new String(EtcdRecordCodec.encode(record("old", 7)), StandardCharsets.UTF_8));
    EtcdLock a = lock("a");
    LockSnapshot taken = a.update(a.get(T).orElseThrow(), record("a", 2), T);
    assertThat(taken.record().fencingToken()).isEqualTo(8);
    assertThat(fence().get(0)).isEqualTo("8");
    deleteKey();
    assertThat(lock("b").create(record("b", 1), T).record().fencingToken()).isEqualTo(9);
  }

  @Test
  void aStaleSnapshotStillConflictsWhenTheFenceKeyIsNotAsExpected() throws Exception {
    EtcdLock a = lock("a");
    LockSnapshot stale = a.create(record("a", 1), T);
    a.update(stale, record("a", 1), T);
    client.getKVClient().delete(fenceKey()).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> lock("b").update(stale, record("b", 2), T))
        .isInstanceOf(LockConflictException.class);
    assertThat(lock("c").get(T).orElseThrow().record().holderIdentity()).isEqualTo("a");
  }

  @Test
  void aFenceKeyThatIsNotANumberIsReportedAndNotOverwritten() throws Exception {
    EtcdLock a = lock("a");
    a.create(record("a", 1), T);
    client
        .getKVClient()
        .put(fenceKey(), ByteSequence.from("many", StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> a.update(a.get(T).orElseThrow(), record("a", 2), T))
        .isInstanceOf(LockException.class)
        .isNotInstanceOf(LockConflictException.class)
        .hasMessageContaining("/fence holds 'many', not a fencing token");
    assertThat(fence().get(0)).isEqualTo("many");
  }

  @Test
  void aCorruptValueCarriesItsVersionAndIsRepairedWithoutLoweringTheToken() throws Exception {
    EtcdLock a = lock("a");
    a.create(record("a", 3), T);
    put("{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":-1,\"fencingToken\":3}");
    long corruptRevision =
        client.getKVClient().get(key()).get(10, TimeUnit.SECONDS).getKvs().get(0).getModRevision();
    LockSnapshot stored = corrupt(a);
    assertThat(stored.version()).isEqualTo(Long.toString(corruptRevision));
    assertThat(stored.record()).isEqualTo(released(3));
    LockSnapshot repaired = a.update(stored, released(3), T);
    assertThat(lock("b").get(T).orElseThrow().record()).isEqualTo(released(3));
    assertThat(repaired.record().fencingToken()).isEqualTo(3);

    // no readable token: the repair starts a new term above the fence key's mark
    put("not json");
    stored = corrupt(a);
    assertThat(stored.record().fencingToken()).isZero();
    repaired = a.update(stored, released(0), T);
    assertThat(repaired.record().fencingToken()).isEqualTo(4);
    assertThat(lock("b").get(T).orElseThrow().record().fencingToken()).isEqualTo(4);
  }

  private static LockSnapshot corrupt(EtcdLock lock) {
    List<LockSnapshot> stored = new ArrayList<>();
    assertThatThrownBy(() -> lock.get(T))
        .isInstanceOfSatisfying(
            CorruptRecordException.class, e -> stored.add(e.stored().orElseThrow()));
    return stored.get(0);
  }

  @Test
  void theAsynchronousCallsHoldNoExecutorThreadWhileEtcdAnswers() throws Exception {
    EtcdLock a = lock("a");
    LockSnapshot created = a.create(record("a", 1), T);
    LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    Executor queued = tasks::add; // runs nothing until the test does
    CompletableFuture<LockSnapshot> renewal = a.updateAsync(created, record("a2", 1), T, queued);
    // etcd receives and applies the write while the executor has run nothing
    Await.until(
        Duration.ofSeconds(20),
        () -> {
          try {
            return stored().contains("\"holderIdentity\":\"a2\"");
          } catch (Exception e) {
            return false;
          }
        },
        "the renewal to reach etcd");
    // the answer waits for the executor: delivered there, not on the etcd client's threads
    Runnable delivery = tasks.poll(20, TimeUnit.SECONDS);
    assertThat(delivery).isNotNull();
    assertThat(renewal).isNotDone();
    delivery.run();
    assertThat(renewal.get(1, TimeUnit.SECONDS).record().holderIdentity()).isEqualTo("a2");
    assertThat(tasks).isEmpty();
  }

  @Test
  void badNamesAndEndpointsAreRejectedClearly() {
    assertThatThrownBy(() -> EtcdLock.builder(client).name("a/b").identity("x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not contain '/' (it is one etcd key segment); got \"a/b\"");
    assertThatThrownBy(() -> EtcdLock.builder(client).name("").identity("x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank; got \"\"");
    assertThatThrownBy(() -> EtcdClients.builder().build())
        .hasMessage("at least one etcd endpoint is required");
    assertThatThrownBy(() -> EtcdClients.builder().endpoints("127.0.0.1:2379").build())
        .hasMessageContaining("must start with http:// or https://");
    assertThatThrownBy(() -> EtcdClients.builder().endpoints("https://127.0.0.1:2379").build())
        .hasMessage("https etcd endpoints need a trusted CA certificate");
    assertThatThrownBy(
            () ->
                EtcdClients.builder()
                    .endpoints("https://127.0.0.1:2379")
                    .trustedCa(java.nio.file.Path.of("/no/such/ca.pem"))
                    .build())
        .hasMessageContaining("/no/such/ca.pem does not exist or is not readable");
  }
}
