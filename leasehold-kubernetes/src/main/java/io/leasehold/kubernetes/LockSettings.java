package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What the lock builders collect; validated by {@link #validate()}. */
final class LockSettings {
  final KubernetesClient client;
  String namespace;
  String name;
  ResourceLockConfig config;
  final Map<String, String> labels = new LinkedHashMap<>();

  LockSettings(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * Fills the namespace from the client when unset and checks every setting.
   *
   * @throws IllegalArgumentException naming the missing or invalid setting
   */
  LockSettings validate() {
    if (namespace == null || namespace.isEmpty()) {
      namespace = client.getNamespace();
    }
    if (namespace == null || namespace.isEmpty()) {
      throw new IllegalArgumentException("namespace must be set (the client has no default)");
    }
    if (name == null || name.isEmpty() || name.length() > 253) {
      throw new IllegalArgumentException("lock name must have 1 to 253 characters");
    }
    if (config == null) {
      throw new IllegalArgumentException("identity must be set");
    }
    if (config.identity().isEmpty()) {
      throw new IllegalArgumentException("identity must not be empty");
    }
    return this;
  }
}
