package io.leasehold.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lock on a {@code coordination.k8s.io/v1} Lease, client-go's {@code resourcelock.LeaseLock}: the
 * lock type to use on any cluster since Kubernetes 1.14.
 *
 * <p>The record lives in the Lease's spec exactly as client-go writes it: {@code holderIdentity},
 * {@code leaseDurationSeconds}, {@code acquireTime} and {@code renewTime} as {@code MicroTime}
 * ({@code 2024-01-02T03:04:05.123456Z}), {@code leaseTransitions}, and {@code strategy} and {@code
 * preferredHolder} only when set. Go candidates (kube-controller-manager style components, any
 * client-go program) and fabric8's own elector can therefore share a Lease with Leasehold
 * candidates. The fencing token is kept in the annotation {@value
 * KubernetesLocks#FENCING_TOKEN_ANNOTATION}, which other clients ignore; when the annotation is
 * missing the token reads as 0.
 *
 * <p>A snapshot's version is the Lease's {@code resourceVersion} and its source the Lease itself;
 * {@link #update} sends back a copy of the snapshot's Lease, with that {@code resourceVersion}, so
 * that the API server refuses it with HTTP 409 ({@link
 * io.leasehold.leaderelection.resourcelock.LockConflictException}) when somebody wrote since. The
 * raw bytes compared for change detection are the record's JSON as client-go computes it, with
 * times in whole seconds, so Java and Go candidates notice the same changes; hence a {@link
 * #changeDetectionGranularity()} of one second.
 *
 * <pre>{@code
 * Lock lock = LeaseLock.builder(client)
 *     .namespace("payments")
 *     .name("payments-controller")
 *     .identity(System.getenv("POD_NAME"))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe. Needs RBAC verbs get, create and update on leases (and watch, list when watched);
 * see docs/kubernetes-rbac.yaml.
 */
public final class LeaseLock extends ObjectLock {

  private LeaseLock(LockSettings settings) {
    super(ResourceType.LEASES, settings);
  }

  /** Starts a builder of a lock that uses {@code client}; the caller keeps ownership of it. */
  public static KubernetesLockBuilder<LeaseLock> builder(KubernetesClient client) {
    return new KubernetesLockBuilder<>(client, LeaseLock::new);
  }

  @Override
  LeaderElectionRecord readRecord(GenericKubernetesResource object) {
    Object specValue = object.getAdditionalProperties().get("spec");
    LeaderElectionRecord.Builder b = LeaderElectionRecord.builder();
    if (specValue == null) {
      return b.build();
    }
    if (!(specValue instanceof Map<?, ?> spec)) {
      throw new IllegalArgumentException("spec must be an object");
    }
    return b.holderIdentity(text(spec, "holderIdentity"))
        .leaseDurationSeconds(count(spec, "leaseDurationSeconds"))
        .acquireTime(time(spec, "acquireTime"))
        .renewTime(time(spec, "renewTime"))
        .leaderTransitions(count(spec, "leaseTransitions"))
        .strategy(RecordJson.emptyToNull(text(spec, "strategy")))
        .preferredHolder(RecordJson.emptyToNull(text(spec, "preferredHolder")))
        .build();
  }

  /** client-go's LeaseSpecToLeaderElectionRecord then json.Marshal: times in whole seconds. */
  @Override
  byte[] raw(GenericKubernetesResource object, LeaderElectionRecord record) {
    return RecordJson.bytes(record);
  }

  @Override
  void writeRecord(
      LeaderElectionRecord record,
      GenericKubernetesResource target,
      Map<String, String> annotations) {
    target.setAdditionalProperty("spec", spec(record));
  }

  /** client-go's LeaderElectionRecordToLeaseSpec, as the JSON map fabric8 sends. */
  static Map<String, Object> spec(LeaderElectionRecord record) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("holderIdentity", record.holderIdentity());
    spec.put("leaseDurationSeconds", record.leaseDurationSeconds());
    if (record.acquireTime() != null) {
      spec.put("acquireTime", WireTimes.micros(record.acquireTime()));
    }
    if (record.renewTime() != null) {
      spec.put("renewTime", WireTimes.micros(record.renewTime()));
    }
    spec.put("leaseTransitions", record.leaderTransitions());
    if (record.strategy() != null && !record.strategy().isEmpty()) {
      spec.put("strategy", record.strategy());
    }
    if (record.preferredHolder() != null && !record.preferredHolder().isEmpty()) {
      spec.put("preferredHolder", record.preferredHolder());
    }
    return spec;
  }

  private static String text(Map<?, ?> spec, String field) {
    Object v = spec.get(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException("spec." + field + " must be a string, found " + v);
  }

  private static int count(Map<?, ?> spec, String field) {
    Object v = spec.get(field);
    if (v == null) {
      return 0;
    }
    if ((v instanceof Integer || v instanceof Long)
        && ((Number) v).intValue() == ((Number) v).longValue()) {
      return ((Number) v).intValue();
    }
    throw new IllegalArgumentException("spec." + field + " must be a 32-bit integer, found " + v);
  }

  private static Instant time(Map<?, ?> spec, String field) {
    Object v = spec.get(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      throw new IllegalArgumentException(
          "spec." + field + " must be a MicroTime string, found " + v);
    }
    try {
      return WireTimes.parse((String) v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spec." + field + ": " + e.getMessage(), e);
    }
  }
}
