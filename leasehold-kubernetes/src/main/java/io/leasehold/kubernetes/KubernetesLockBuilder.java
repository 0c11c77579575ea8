package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockBuilder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Builds a {@link LeaseLock}, {@link ConfigMapLock} or {@link EndpointsLock}: the object's
 * namespace and name, this candidate's identity (and event recorder, such as a {@link
 * KubernetesEventRecorder}), and labels. Nothing is sent until the lock's first call.
 *
 * @param <L> the lock it builds
 */
public final class KubernetesLockBuilder<L extends Lock>
    extends LockBuilder<KubernetesLockBuilder<L>> {
  private final KubernetesClient client;
  private final Function<LockSettings, L> factory;
  private final Map<String, String> labels = new LinkedHashMap<>();
  private String namespace;

  KubernetesLockBuilder(KubernetesClient client, Function<LockSettings, L> factory) {
    this.client = Objects.requireNonNull(client, "client");
    this.factory = factory;
  }

  /** The object's namespace (default: the client's namespace). */
  public KubernetesLockBuilder<L> namespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  /** Labels put on the object when it is created and kept on it at every update. */
  public KubernetesLockBuilder<L> labels(Map<String, String> labels) {
    this.labels.clear();
    this.labels.putAll(labels);
    return this;
  }

  /**
   * Builds the lock; nothing is sent until its first call.
   *
   * @throws IllegalArgumentException for a missing namespace (when the client has none either), or
   *     a missing or invalid name or identity
   */
  public L build() {
    String ns = namespace == null || namespace.isEmpty() ? client.getNamespace() : namespace;
    if (ns == null || ns.isEmpty()) {
      throw new IllegalArgumentException("namespace must be set (the client has no default)");
    }
    return factory.apply(
        new LockSettings(
            client,
            ns,
            checkedName(),
            checkedConfig(),
            Collections.unmodifiableMap(new LinkedHashMap<>(labels))));
  }
}
