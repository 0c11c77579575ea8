package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.util.Map;

/** What a {@link KubernetesLockBuilder} hands to the lock it builds, checked. */
record LockSettings(
    KubernetesClient client,
    String namespace,
    String name,
    ResourceLockConfig config,
    Map<String, String> labels) {}
