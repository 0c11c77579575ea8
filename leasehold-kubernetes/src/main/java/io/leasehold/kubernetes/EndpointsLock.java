package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.util.Map;
import java.util.Objects;

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
 * KubernetesLocks#FENCING_TOKEN_ANNOTATION}. Updates are optimistic on the object's {@code
 * resourceVersion}; the raw bytes compared for change detection are the annotation's text.
 *
 * <p>Thread-safe. Needs RBAC verbs get, create and update on endpoints (and watch, list when
 * watched).
 */
public final class EndpointsLock extends AnnotationLock {

  private EndpointsLock(LockSettings settings) {
    super(ResourceType.ENDPOINTS, settings);
  }

  /** Starts a builder of a lock that uses {@code client}; the caller keeps ownership of it. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /** Builds a {@link EndpointsLock}. */
  public static final class Builder {
    private final LockSettings settings;

    private Builder(KubernetesClient client) {
      this.settings = new LockSettings(client);
    }

    /** The object's namespace (default: the client's namespace). */
    public Builder namespace(String namespace) {
      settings.namespace = namespace;
      return this;
    }

    /** The object's name (required). */
    public Builder name(String name) {
      settings.name = name;
      return this;
    }

    /** This candidate's identity (or use {@link #config}). */
    public Builder identity(String identity) {
      settings.config = ResourceLockConfig.of(identity);
      return this;
    }

    /** This candidate's identity and event recorder, such as a {@link KubernetesEventRecorder}. */
    public Builder config(ResourceLockConfig config) {
      settings.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Labels put on the object when it is created and kept on it at every update. */
    public Builder labels(Map<String, String> labels) {
      settings.labels.clear();
      settings.labels.putAll(labels);
      return this;
    }

    /**
     * Builds the lock; nothing is sent until the first call.
     *
     * @throws IllegalArgumentException for a missing name, namespace or identity
     */
    public EndpointsLock build() {
      return new EndpointsLock(settings.validate());
    }
  }
}
