package io.leasehold.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.leasehold.etcd.testing.EtcdCluster;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    client.getKVClient().put(key(), ByteSequence.from(value, StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
  }

  private String stored() throws Exception {
    return client.getKVClient().get(key()).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue()
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
    put("{\"holderIdentity\":\"go-1\",\"leaseDurationSeconds\":15,"
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
      {"{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":-1,\"leaderTransitions\":0}",
        "leaseDurationSeconds is out of range: -1"},
      {"{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":\"15\",\"leaderTransitions\":0}",
        "leaseDurationSeconds is not an integer"},
      {"{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":15,\"leaderTransitions\":0,"
          + "\"renewTime\":\"yesterday\"}", "renewTime is not an RFC 3339 time: 'yesterday'"},
      {"{\"holderIdentity\":\"a\",\"leaseDurationSeconds\":15,\"leaderTransitions\":0,"
          + "\"fencingToken\":-4}", "fencingToken is out of range"},
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
    assertThat(race(identity -> () -> {
      lock(identity).create(record(identity, 1), T);
      return identity;
    })).hasSize(1);
  }

  @Test
  void ofFiveRacingUpdatesFromTheSameReadExactlyOneWins() throws Exception {
    lock("x").create(record("x", 1), T);
    List<EtcdLock> locks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      EtcdLock l = lock("c" + i);
      l.get(T);
      locks.add(l);
    }
    List<String> winners = race(identity -> () -> {
      EtcdLock l = locks.get(Integer.parseInt(identity.substring(1)));
      l.update(record(identity, 2), T);
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
        results.add(pool.submit(() -> {
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
      l.create(record("a", 1), T);
      gone.members().get(0).kill();
      long start = System.nanoTime();
      assertThatThrownBy(() -> l.update(record("a", 1), Duration.ofMillis(500)))
          .isInstanceOf(LockException.class)
          .isNotInstanceOf(LockConflictException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThatThrownBy(() -> l.get(Duration.ofMillis(500)))
          .isInstanceOf(LockException.class)
          .hasMessageContaining("etcd");
    }
  }

  @Test
  void badNamesAndEndpointsAreRejectedClearly() {
    assertThatThrownBy(() -> EtcdLock.builder(client).name("a/b").identity("x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not contain '/'");
    assertThatThrownBy(() -> EtcdLock.builder(client).name("").identity("x").build())
        .isInstanceOf(IllegalArgumentException.class);
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
