package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory by lock type and the client helpers. */
class KubernetesLocksTest extends MockClusterTest {
  private static final ResourceLockConfig ME = ResourceLockConfig.of("me");

  @Test
  void createsEachLockTypeOfClientGo() {
    KubernetesClient c = cluster.client;
    assertThat(KubernetesLocks.create("leases", "ns", "n", c, ME)).isInstanceOf(LeaseLock.class);
    assertThat(KubernetesLocks.create("configmaps", "ns", "n", c, ME))
        .isInstanceOf(ConfigMapLock.class);
    assertThat(KubernetesLocks.create("endpoints", "ns", "n", c, ME))
        .isInstanceOf(EndpointsLock.class);
    Lock cml = KubernetesLocks.create("configmapsleases", "ns", "n", c, ME);
    assertThat(cml).isInstanceOf(MultiLock.class);
    assertThat(((MultiLock) cml).primary()).isInstanceOf(ConfigMapLock.class);
    assertThat(((MultiLock) cml).secondary()).isInstanceOf(LeaseLock.class);
    Lock eml = KubernetesLocks.create("endpointsleases", "ns", "n", c, ME);
    assertThat(((MultiLock) eml).primary()).isInstanceOf(EndpointsLock.class);
    assertThat(eml.describe()).isEqualTo("ns/n");
    assertThat(eml.identity()).isEqualTo("me");
    assertThat(eml.changeDetectionGranularity()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void rejectsAnUnknownTypeWithClientGosMessage() {
    assertThatThrownBy(() -> KubernetesLocks.create("zookeeper", "ns", "n", cluster.client, ME))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid lock-type zookeeper");
  }

  @Test
  void validatesNameAndIdentity() {
    assertThatThrownBy(() -> KubernetesLocks.create("leases", "ns", "", cluster.client, ME))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(
            () ->
                KubernetesLocks.create(
                    "leases", "ns", "n", cluster.client, ResourceLockConfig.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identity");
    assertThatThrownBy(
            () ->
                new MultiLock(
                    LeaseLock.builder(cluster.client)
                        .namespace("ns")
                        .name("n")
                        .identity("a")
                        .build(),
                    LeaseLock.builder(cluster.client)
                        .namespace("ns")
                        .name("n")
                        .identity("b")
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same identity");
  }

  @Test
  void theNamespaceDefaultsToTheClients() {
    assertThat(LeaseLock.builder(cluster.client).name("n").identity("a").build().describe())
        .isEqualTo(cluster.client.getNamespace() + "/n");
  }

  @Test
  void theRequestTimeoutIsHalfTheRenewDeadlineAndAtLeastOneSecond() {
    assertThat(KubernetesLocks.requestTimeout(Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(KubernetesLocks.requestTimeout(Duration.ofMillis(1500)))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void newClientKeepsTheConfigAndSetsTheTimeout() throws Exception {
    try (KubernetesClient c =
        KubernetesLocks.newClient(cluster.client.getConfiguration(), Duration.ofSeconds(8))) {
      assertThat(c.getConfiguration().getRequestTimeout()).isEqualTo(4000);
      assertThat(c.getMasterUrl()).isEqualTo(cluster.client.getMasterUrl());
      assertThat(cluster.client.getConfiguration().getRequestTimeout()).isNotEqualTo(4000);
      roundTrip(c, "via-config");
    }
  }

  @Test
  void newClientReadsAKubeconfigFile(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("config");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: mock",
            "  cluster:",
            "    server: " + cluster.client.getMasterUrl(),
            "contexts:",
            "- name: mock",
            "  context:",
            "    cluster: mock",
            "    user: tester",
            "    namespace: from-kubeconfig",
            "current-context: mock",
            "users:",
            "- name: tester",
            "  user:",
            "    token: not-checked",
            ""));
    try (KubernetesClient c = KubernetesLocks.newClient(kubeconfig, Duration.ofSeconds(1))) {
      assertThat(c.getConfiguration().getRequestTimeout()).isEqualTo(1000);
      assertThat(c.getNamespace()).isEqualTo("from-kubeconfig");
      roundTrip(c, "via-kubeconfig");
    }
  }

  private static void roundTrip(KubernetesClient c, String name) throws Exception {
    Lock lock = KubernetesLocks.create("leases", "helpers", name, c, ME);
    Instant now = Instant.now();
    lock.create(
        LeaderElectionRecord.builder()
            .holderIdentity("me")
            .leaseDurationSeconds(5)
            .acquireTime(now)
            .renewTime(now)
            .build(),
        Duration.ofSeconds(5));
    assertThat(lock.get(Duration.ofSeconds(5)).orElseThrow().record().holderIdentity())
        .isEqualTo("me");
  }
}
