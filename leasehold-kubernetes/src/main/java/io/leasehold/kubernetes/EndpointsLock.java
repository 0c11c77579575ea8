package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A legacy lock on an Endpoints object, client-go's {@code resourcelock.EndpointsLock}: the record
 * is JSON in the annotation {@value KubernetesLocks#LEADER_ANNOTATION}, with client-go's field
 * names and times in whole seconds ({@code 2024-01-02T03:04:05Z}).
 *
 * <p><b>Legacy.</b> client-go removed this lock type in Kubernetes 1.28; Leasehold keeps it for
 * older clusters and for migrating a fleet that still uses it. New deployments should use {@link
 * LeaseLock}. To migrate, run a release whose candidates use {@link MultiLock} ({@code
 * endpointsleases} in {@link KubernetesLocks#create}), which writes both objects, then a release on
 * {@code leases} alone; see docs/KUBERNETES.md.
 *
 * <p>An object without the annotation holds the empty record (any candidate may acquire it); the
 * annotations map is created when missing. An annotation that is not a valid record makes {@link
 * #get} fail with {@link io.leasehold.leaderelection.resourcelock.CorruptRecordException}, so that
 * no candidate takes a lock it cannot read. The fencing token is kept in the annotation {@value
 * KubernetesLocks#FENCING_TOKEN_ANNOTATION}. An update sends back the object of the snapshot it is
 * given and is optimistic on its {@code resourceVersion} (the snapshot's version); the raw bytes
 * compared for change detection are the annotation's text.
 *
 * <p>Thread-safe. Needs RBAC verbs get, create and update on endpoints (and watch, list when
 * watched).
 */
public final class EndpointsLock extends AnnotationLock {

  private EndpointsLock(LockSettings settings) {
    super(ResourceType.ENDPOINTS, settings);
  }

  /** Starts a builder of a lock that uses {@code client}; the caller keeps ownership of it. */
  public static KubernetesLockBuilder<EndpointsLock> builder(KubernetesClient client) {
    return new KubernetesLockBuilder<>(client, EndpointsLock::new);
  }
}
