package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockContractTest;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

class MultiLockContractTest extends LockContractTest {
  private static final AtomicInteger OBJECTS = new AtomicInteger();
  private static MockCluster cluster;
  private String name;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @BeforeEach
  void freshObject() {
    name = "contract-" + OBJECTS.incrementAndGet();
  }

  @Override
  protected Lock newLock(String identity) {
    return KubernetesLocks.create(
        KubernetesLocks.CONFIGMAPS_LEASES,
        "test",
        name,
        cluster.client,
        ResourceLockConfig.of(identity));
  }
}
