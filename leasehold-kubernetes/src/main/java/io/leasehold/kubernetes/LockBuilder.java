package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.util.Map;
import java.util.Objects;

/**
 * What every Kubernetes lock's builder sets: the object's namespace and name, this candidate's
 * identity (and event recorder), and labels. Nothing is sent until the lock's first call.
 *
 * @param <B> the concrete builder
 * @param <L> the lock it builds
 */
public abstract class LockBuilder<B extends LockBuilder<B, L>, L extends Lock> {
  final LockSettings settings;

  LockBuilder(KubernetesClient client) {
    this.settings = new LockSettings(client);
  }

  abstract B self();

  /** The object's namespace (default: the client's namespace). */
  public B namespace(String namespace) {
    settings.namespace = namespace;
    return self();
  }

  /** The object's name (required). */
  public B name(String name) {
    settings.name = name;
    return self();
  }

  /** This candidate's identity (or use {@link #config}). */
  public B identity(String identity) {
    settings.config = ResourceLockConfig.of(identity);
    return self();
  }

  /** This candidate's identity and event recorder, such as a {@link KubernetesEventRecorder}. */
  public B config(ResourceLockConfig config) {
    settings.config = Objects.requireNonNull(config, "config");
    return self();
  }

  /** Labels put on the object when it is created and kept on it at every update. */
  public B labels(Map<String, String> labels) {
    settings.labels.clear();
    settings.labels.putAll(labels);
    return self();
  }

  /**
   * Builds the lock; nothing is sent until the first call.
   *
   * @throws IllegalArgumentException for a missing name, namespace or identity
   */
  public abstract L build();
}
