package io.leasehold.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.testing.Await;
import io.leasehold.testing.CountingLock;
import io.leasehold.testing.ElectionContractTest;
import io.leasehold.testing.EtcdCluster;
import io.leasehold.testing.TermLog;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The election contract on one real etcd, plus what only etcd does: a malformed value, the watch.
 */
class EtcdElectionTest extends ElectionContractTest {
  private static EtcdCluster etcd;
  private static Client client;

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

  @Override
  protected Lock lock(String name, String identity) {
    return EtcdLock.builder(client).name(name).identity(identity).build();
  }

  @Test
  void aMalformedValueIsNeverTakenOver() throws Exception {
    ByteSequence key =
        ByteSequence.from(EtcdLock.DEFAULT_PREFIX + lockName, StandardCharsets.UTF_8);
    client
        .getKVClient()
        .put(key, ByteSequence.from("{\"holderIdentity\": 7}", StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
    CountingLock a = new CountingLock(lock(lockName, "a"));
    LeaderElector elector = start(a, false);
    // a keeps trying: after a dozen attempts (retry 0.2 s) it must still not lead
    Await.until(WAIT, () -> a.gets() >= 12, "a dozen attempts");
    assertThat(elector.isLeader()).isFalse();
    assertThat(a.successfulWrites()).isZero();
    assertThat(log.terms()).isEmpty();
    assertThat(a.lastFailure()).contains("holderIdentity is missing or not a string");

    client.getKVClient().delete(key).get(10, TimeUnit.SECONDS);
    log.awaitLeader(WAIT);
  }

  @Test
  void aFollowerSendsNoRequestsWhileTheLeaderRenewsAndTakesAReleasedLockAtOnce() {
    CountingLock leader = new CountingLock(lock(lockName, "a"));
    CountingLock follower = new CountingLock(lock(lockName, "b"));
    LeaderElector a = start(leader, true);
    TermLog.Term first = log.awaitLeader(WAIT);
    LeaderElector b = start(follower, false);
    Await.until(WAIT, () -> b.getLeader().equals("a"), "b sees a lead");
    long settle = leader.successfulWrites();
    Await.until(WAIT, () -> leader.successfulWrites() - settle >= 3, "the watch to settle");
    long before = follower.calls();
    long renewals = leader.successfulWrites();
    Await.until(WAIT, () -> leader.successfulWrites() - renewals >= 10, "ten renewals by a");
    assertThat(follower.calls() - before).as("requests sent by the follower").isZero();

    a.close();
    TermLog.Term second = log.awaitNewLeader(first, WAIT);
    assertThat(second.identity).isEqualTo("b");
    assertThat(java.time.Duration.ofNanos(second.start - first.end())).isLessThan(LEASE);
    log.assertSafe();
  }
}
