package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockContractTest;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The Lock contract for each Kubernetes lock on the mock API server; subclasses pick the lock. */
abstract class MockLockContractTest extends LockContractTest {
  private static final AtomicInteger OBJECTS = new AtomicInteger();
  static MockCluster cluster;
  String name;

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

  /** A lock for {@code identity} on the object {@link #name} in namespace {@code test}. */
  abstract Lock lock(String identity);

  @Override
  protected Lock newLock(String identity) {
    return lock(identity);
  }
}
