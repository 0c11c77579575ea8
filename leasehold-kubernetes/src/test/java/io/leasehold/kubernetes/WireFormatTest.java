package io.leasehold.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import io.leasehold.testing.MockCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pins the bytes on the wire and the bytes compared for change detection, for a fixed record. */
class WireFormatTest extends MockClusterTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A record whose times have sub-microsecond digits, to show truncation. */
  static final LeaderElectionRecord RECORD =
      LeaderElectionRecord.builder()
          .holderIdentity("pod-1")
          .leaseDurationSeconds(15)
          .acquireTime(Instant.parse("2024-01-02T03:04:05.123456789Z"))
          .renewTime(Instant.parse("2024-01-02T03:04:07.999999999Z"))
          .leaderTransitions(3)
          .fencingToken(42)
          .build();

  /** client-go's json.Marshal of the record: times in whole seconds, no fencing token. */
  static final String CANONICAL =
      "{\"holderIdentity\":\"pod-1\",\"leaseDurationSeconds\":15,"
          + "\"acquireTime\":\"2024-01-02T03:04:05Z\",\"renewTime\":\"2024-01-02T03:04:07Z\","
          + "\"leaderTransitions\":3}";

  @Test
  void theLeaseSpecIsSentWithMicroTimesAndTheTokenInAnAnnotation() throws Exception {
    LeaseLock lock =
        LeaseLock.builder(cluster.client)
            .namespace("wire")
            .name("lease-golden")
            .identity("pod-1")
            .labels(Map.of("app", "payments"))
            .build();
    lock.create(RECORD, T);

    JsonNode sent = sentBody("POST", "/leases");
    assertThat(JSON.writeValueAsString(sent.get("spec")))
        .isEqualTo(
            "{\"holderIdentity\":\"pod-1\",\"leaseDurationSeconds\":15,"
                + "\"acquireTime\":\"2024-01-02T03:04:05.123456Z\","
                + "\"renewTime\":\"2024-01-02T03:04:07.999999Z\",\"leaseTransitions\":3}");
    assertThat(sent.get("apiVersion").asText()).isEqualTo("coordination.k8s.io/v1");
    assertThat(sent.get("kind").asText()).isEqualTo("Lease");
    assertThat(JSON.writeValueAsString(sent.get("metadata").get("annotations")))
        .isEqualTo("{\"leasehold.io/fencing-token\":\"42\"}");
    assertThat(JSON.writeValueAsString(sent.get("metadata").get("labels")))
        .isEqualTo("{\"app\":\"payments\"}");

    LockSnapshot read = lock.get(T).orElseThrow();
    assertThat(new String(read.raw(), StandardCharsets.UTF_8)).isEqualTo(CANONICAL);
    assertThat(read.record().fencingToken()).isEqualTo(42);
    assertThat(read.record().acquireTime()).isEqualTo(Instant.parse("2024-01-02T03:04:05.123456Z"));
  }

  @Test
  void theUpdateSendsTheSnapshotsResourceVersionAndOptionalFieldsOnlyWhenSet() throws Exception {
    LeaseLock lock =
        LeaseLock.builder(cluster.client)
            .namespace("wire")
            .name("lease-update")
            .identity("pod-1")
            .build();
    LockSnapshot created = lock.create(RECORD, T);
    LockSnapshot read = lock.get(T).orElseThrow();
    String version = resourceVersion("lease-update");
    assertThat(read.version()).isEqualTo(version).isEqualTo(created.version());
    LeaderElectionRecord coordinated =
        RECORD.toBuilder()
            .acquireTime(null)
            .strategy("OldestEmulationVersion")
            .preferredHolder("pod-2")
            .build();
    LockSnapshot updated = lock.update(read, coordinated, T);

    JsonNode sent = sentBody("PUT", "/leases/lease-update");
    assertThat(updated.version()).isEqualTo(resourceVersion("lease-update")).isNotEqualTo(version);
    assertThat(sent.get("metadata").get("resourceVersion").asText()).isEqualTo(version);
    assertThat(JSON.writeValueAsString(sent.get("spec")))
        .isEqualTo(
            "{\"holderIdentity\":\"pod-1\",\"leaseDurationSeconds\":15,"
                + "\"renewTime\":\"2024-01-02T03:04:07.999999Z\",\"leaseTransitions\":3,"
                + "\"strategy\":\"OldestEmulationVersion\",\"preferredHolder\":\"pod-2\"}");
    assertThat(new String(lock.get(T).orElseThrow().raw(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"holderIdentity\":\"pod-1\",\"leaseDurationSeconds\":15,\"acquireTime\":null,"
                + "\"renewTime\":\"2024-01-02T03:04:07Z\",\"leaderTransitions\":3,"
                + "\"strategy\":\"OldestEmulationVersion\",\"preferredHolder\":\"pod-2\"}");
  }

  @Test
  void aReleasedLeaseSendsAnEmptyHolder() throws Exception {
    LeaseLock lock =
        LeaseLock.builder(cluster.client)
            .namespace("wire")
            .name("lease-released")
            .identity("pod-1")
            .build();
    lock.create(RECORD.toBuilder().holderIdentity("").leaseDurationSeconds(1).build(), T);
    assertThat(sentBody("POST", "/leases").get("spec").get("holderIdentity").asText()).isEmpty();
    assertThat(lock.get(T).orElseThrow().record().hasHolder()).isFalse();
  }

  @Test
  void theConfigMapAnnotationIsClientGosJsonAndIsTheRawBytes() throws Exception {
    ConfigMapLock lock =
        ConfigMapLock.builder(cluster.client)
            .namespace("wire")
            .name("cm-golden")
            .identity("pod-1")
            .build();
    lock.create(RECORD, T);

    JsonNode sent = sentBody("POST", "/configmaps");
    assertThat(sent.get("apiVersion").asText()).isEqualTo("v1");
    assertThat(sent.get("kind").asText()).isEqualTo("ConfigMap");
    JsonNode annotations = sent.get("metadata").get("annotations");
    assertThat(annotations.get("control-plane.alpha.kubernetes.io/leader").asText())
        .isEqualTo(CANONICAL);
    assertThat(annotations.get("leasehold.io/fencing-token").asText()).isEqualTo("42");
    assertThat(new String(lock.get(T).orElseThrow().raw(), StandardCharsets.UTF_8))
        .isEqualTo(CANONICAL);
  }

  @Test
  void theEndpointsAnnotationIsTheSame() throws Exception {
    EndpointsLock lock =
        EndpointsLock.builder(cluster.client)
            .namespace("wire")
            .name("ep-golden")
            .identity("pod-1")
            .build();
    lock.create(RECORD, T);
    JsonNode sent = sentBody("POST", "/endpoints");
    assertThat(sent.get("kind").asText()).isEqualTo("Endpoints");
    assertThat(
            sent.get("metadata")
                .get("annotations")
                .get("control-plane.alpha.kubernetes.io/leader")
                .asText())
        .isEqualTo(CANONICAL);
  }

  @Test
  void aLeaseWrittenByAGoClientIsReadWithTokenZero() throws Exception {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("holderIdentity", "go-candidate");
    spec.put("leaseDurationSeconds", 15);
    spec.put("acquireTime", "2024-01-02T03:04:05.000000Z");
    spec.put("renewTime", "2024-01-02T03:04:09.654321Z");
    spec.put("leaseTransitions", 7);
    createGeneric("go-lease", spec);

    LockSnapshot s =
        LeaseLock.builder(cluster.client)
            .namespace("wire")
            .name("go-lease")
            .identity("java")
            .build()
            .get(T)
            .orElseThrow();
    assertThat(s.record().holderIdentity()).isEqualTo("go-candidate");
    assertThat(s.record().fencingToken()).isZero();
    assertThat(s.record().leaderTransitions()).isEqualTo(7);
    assertThat(s.record().renewTime()).isEqualTo(Instant.parse("2024-01-02T03:04:09.654321Z"));
    assertThat(new String(s.raw(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"holderIdentity\":\"go-candidate\",\"leaseDurationSeconds\":15,"
                + "\"acquireTime\":\"2024-01-02T03:04:05Z\",\"renewTime\":\"2024-01-02T03:04:09Z\","
                + "\"leaderTransitions\":7}");
  }

  @Test
  void aLeaseWithoutSpecIsTheEmptyRecord() throws Exception {
    createGeneric("bare-lease", null);
    LockSnapshot s =
        LeaseLock.builder(cluster.client)
            .namespace("wire")
            .name("bare-lease")
            .identity("java")
            .build()
            .get(T)
            .orElseThrow();
    assertThat(s.record()).isEqualTo(LeaderElectionRecord.EMPTY);
    assertThat(new String(s.raw(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"holderIdentity\":\"\",\"leaseDurationSeconds\":0,\"acquireTime\":null,"
                + "\"renewTime\":null,\"leaderTransitions\":0}");
  }

  @Test
  void multiLockRawIsPrimaryCommaSecondaryAndDisagreementIsUnknownLeader() throws Exception {
    Lock multi =
        KubernetesLocks.create(
            KubernetesLocks.CONFIGMAPS_LEASES,
            "wire",
            "multi-golden",
            cluster.client,
            ResourceLockConfig.of("pod-1"));
    LockSnapshot created = multi.create(RECORD, T);
    LockSnapshot both = multi.get(T).orElseThrow();
    assertThat(new String(both.raw(), StandardCharsets.UTF_8))
        .isEqualTo(CANONICAL + "," + CANONICAL);
    assertThat(both.version())
        .isEqualTo(created.version())
        .isEqualTo(configMapVersion("multi-golden") + "," + resourceVersion("multi-golden"));
    assertThat(both.record().holderIdentity()).isEqualTo("pod-1");

    // a candidate of the next release takes the Lease alone
    LeaseLock next =
        LeaseLock.builder(cluster.client)
            .namespace("wire")
            .name("multi-golden")
            .identity("pod-9")
            .build();
    LeaderElectionRecord taken =
        RECORD.toBuilder().holderIdentity("pod-9").leaderTransitions(4).fencingToken(43).build();
    next.update(next.get(T).orElseThrow(), taken, T);

    LockSnapshot disagreeing = multi.get(T).orElseThrow();
    assertThat(disagreeing.record().holderIdentity()).isEqualTo("leaderelection.k8s.io/unknown");
    assertThat(disagreeing.record().fencingToken()).isEqualTo(43);
    assertThat(new String(disagreeing.raw(), StandardCharsets.UTF_8))
        .isEqualTo(
            CANONICAL.replace("pod-1", "leaderelection.k8s.io/unknown")
                + ","
                + CANONICAL
                    .replace("pod-1", "pod-9")
                    .replace("\"leaderTransitions\":3", "\"leaderTransitions\":4"));
  }

  @Test
  void multiLockWithoutSecondaryAnswersWithThePrimary() throws Exception {
    ConfigMapLock legacy =
        ConfigMapLock.builder(cluster.client)
            .namespace("wire")
            .name("multi-half")
            .identity("old-pod")
            .build();
    legacy.create(RECORD.toBuilder().holderIdentity("old-pod").build(), T);
    Lock multi =
        KubernetesLocks.create(
            KubernetesLocks.CONFIGMAPS_LEASES,
            "wire",
            "multi-half",
            cluster.client,
            ResourceLockConfig.of("new-pod"));
    LockSnapshot s = multi.get(T).orElseThrow();
    assertThat(s.record().holderIdentity()).isEqualTo("old-pod");
    assertThat(new String(s.raw(), StandardCharsets.UTF_8))
        .isEqualTo(CANONICAL.replace("pod-1", "old-pod"));
    assertThat(s.version()).isEqualTo(configMapVersion("multi-half") + ",-");

    // taking over writes the ConfigMap and creates the Lease
    multi.update(
        s,
        RECORD.toBuilder().holderIdentity("new-pod").leaderTransitions(4).fencingToken(43).build(),
        T);
    LockSnapshot lease =
        LeaseLock.builder(cluster.client)
            .namespace("wire")
            .name("multi-half")
            .identity("x")
            .build()
            .get(T)
            .orElseThrow();
    assertThat(lease.record().holderIdentity()).isEqualTo("new-pod");
    assertThat(lease.record().fencingToken()).isEqualTo(43);
  }

  // ---------------------------------------------------------------- helpers

  private static JsonNode sentBody(String method, String pathPart) throws Exception {
    List<MockCluster.Request> sent = cluster.requests(method, pathPart);
    assertThat(sent).as(method + " " + pathPart).isNotEmpty();
    return JSON.readTree(sent.get(sent.size() - 1).body());
  }

  private static String resourceVersion(String leaseName) {
    return cluster
        .client
        .genericKubernetesResources(ResourceType.LEASES.context)
        .inNamespace("wire")
        .withName(leaseName)
        .get()
        .getMetadata()
        .getResourceVersion();
  }

  private static String configMapVersion(String name) {
    return cluster
        .client
        .configMaps()
        .inNamespace("wire")
        .withName(name)
        .get()
        .getMetadata()
        .getResourceVersion();
  }

  private static void createGeneric(String name, Map<String, Object> spec) {
    GenericKubernetesResource lease = new GenericKubernetesResource();
    lease.setApiVersion("coordination.k8s.io/v1");
    lease.setKind("Lease");
    lease.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("wire").build());
    if (spec != null) {
      lease.setAdditionalProperty("spec", spec);
    }
    cluster
        .client
        .genericKubernetesResources(ResourceType.LEASES.context)
        .inNamespace("wire")
        .resource(lease)
        .create();
  }
}
