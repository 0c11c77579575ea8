package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Three instances on a Kubernetes Lease (the default type) through their KubernetesClient beans.
 */
class KubernetesThreeInstancesTest extends ThreeInstancesContract {
  private static MockApiServer server;

  @BeforeAll
  static void startServer() {
    server = new MockApiServer();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  Instances instances() {
    return new Instances(Map.of("test.kubernetes.url", server.url(), "leasehold.name", "three"));
  }

  @Override
  Class<?>[] sources() {
    return new Class<?>[] {TestApp.class, MockApiServer.ClientConfiguration.class};
  }

  /** Its last Event went out before its context closed the client. */
  @Override
  void checkClosedLeader(String leader) {
    Awaitility.await()
        .atMost(afterClose())
        .ignoreExceptions() // a request timing out while the mock stalls
        .untilAsserted(
            () -> {
              try (KubernetesClient client = server.newClient()) {
                assertThat(
                        client.v1().events().inNamespace(MockApiServer.NAMESPACE).list().getItems())
                    .extracting(Event::getMessage)
                    .contains(leader + " became leader", leader + " stopped leading");
              }
            });
  }

  @Override
  void checkLockHolds(String leader, long token) {
    try (KubernetesClient client = server.newClient()) {
      Lease lease = client.leases().inNamespace(MockApiServer.NAMESPACE).withName("three").get();
      assertThat(lease).as("the Lease test/three").isNotNull();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader);
    }
  }
}
