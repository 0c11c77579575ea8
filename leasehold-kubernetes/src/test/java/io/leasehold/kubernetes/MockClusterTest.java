package io.leasehold.kubernetes;

import io.leasehold.testing.MockCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Tests that share one mock API server per test class: started before the class's tests, closed
 * after them, its failure rules cleared after each test. The field is static and shared by the
 * subclasses, which works because test classes run one after another here.
 */
abstract class MockClusterTest {
  static MockCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @AfterEach
  void healCluster() {
    cluster.heal();
  }
}
