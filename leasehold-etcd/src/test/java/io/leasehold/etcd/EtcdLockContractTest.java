package io.leasehold.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.testing.EtcdCluster;
import io.leasehold.testing.LockContractTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

class EtcdLockContractTest extends LockContractTest {
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static EtcdCluster etcd;
  private static Client client;
  private String lockName;

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
  void freshLockName() {
    lockName = "contract-" + TESTS.incrementAndGet();
  }

  @Override
  protected Lock newLock(String identity) {
    return EtcdLock.builder(client).name(lockName).identity(identity).build();
  }

  /** Deletes the record's key (not its fence key), as {@code etcdctl del} would. */
  @Override
  protected void deleteObject() throws Exception {
    client
        .getKVClient()
        .delete(ByteSequence.from(EtcdLock.DEFAULT_PREFIX + lockName, StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
  }
}
