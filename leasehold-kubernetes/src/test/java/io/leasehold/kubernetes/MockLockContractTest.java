package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.testing.LockContractTest;
import io.leasehold.testing.MockCluster;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The Lock contract for each Kubernetes lock on the mock API server; subclasses pick the lock. */
abstract class MockLockContractTest extends LockContractTest {
  static final String NS = "test";
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

  /** A lock for {@code identity} on the object {@link #name} in namespace {@value #NS}. */
  abstract Lock lock(String identity);

  /** The resources the lock keeps its object(s) in. */
  abstract List<ResourceType> objects();

  @Override
  protected Lock newLock(String identity) {
    return lock(identity);
  }

  /** Deletes the object(s) with a plain client, as {@code kubectl delete} would. */
  @Override
  protected void deleteObject() {
    for (ResourceType type : objects()) {
      cluster
          .client
          .genericKubernetesResources(type.context)
          .inNamespace(NS)
          .withName(name)
          .delete();
    }
  }

  /** Deleting a Kubernetes object takes its annotations, fencing token included, with it. */
  @Override
  protected boolean keepsTokensAcrossDeletion() {
    return false;
  }
}
