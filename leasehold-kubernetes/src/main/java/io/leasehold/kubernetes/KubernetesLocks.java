package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Creates Kubernetes locks by type name, as client-go's {@code resourcelock.New}, and builds
 * fabric8 clients suited to leader election.
 *
 * <pre>{@code
 * Duration renewDeadline = Duration.ofSeconds(10);
 * try (KubernetesClient client = KubernetesLocks.newClient(renewDeadline)) {
 *   Lock lock = KubernetesLocks.create(
 *       KubernetesLocks.LEASES, "payments", "payments-controller", client,
 *       ResourceLockConfig.of(podName, new KubernetesEventRecorder(client)));
 *   ...
 * }
 * }</pre>
 */
public final class KubernetesLocks {
  /** Lock type: a {@link LeaseLock}. */
  public static final String LEASES = "leases";

  /** Lock type: a legacy {@link ConfigMapLock}. */
  public static final String CONFIGMAPS = "configmaps";

  /** Lock type: a legacy {@link EndpointsLock}. */
  public static final String ENDPOINTS = "endpoints";

  /** Lock type: a {@link MultiLock} of a ConfigMap (primary) and a Lease, for migrating. */
  public static final String CONFIGMAPS_LEASES = "configmapsleases";

  /** Lock type: a {@link MultiLock} of an Endpoints (primary) and a Lease, for migrating. */
  public static final String ENDPOINTS_LEASES = "endpointsleases";

  /** The annotation holding the record in ConfigMap and Endpoints locks, as in client-go. */
  public static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

  /**
   * The annotation holding Leasehold's fencing token on every Kubernetes lock object; clients that
   * do not know it leave it alone or drop it, and a missing annotation reads as token 0.
   */
  public static final String FENCING_TOKEN_ANNOTATION = "leasehold.io/fencing-token";

  /**
   * The annotation a lock bumps when an update would leave the object unchanged (two renewals of a
   * legacy lock within one second): the API server keeps the resourceVersion of a no-op update, and
   * the bump makes every write a new version that stale writers conflict with.
   */
  public static final String REWRITE_ANNOTATION = "leasehold.io/rewrite";

  /**
   * The holder a {@link MultiLock} reports when its two objects disagree: client-go's {@code
   * resourcelock.UnknownLeader}, with its value.
   */
  public static final String UNKNOWN_LEADER = "leaderelection.k8s.io/unknown";

  private KubernetesLocks() {}

  /**
   * Creates a lock of the given type (client-go's {@code resourcelock.New}).
   *
   * @param lockType one of {@value #LEASES}, {@value #CONFIGMAPS}, {@value #ENDPOINTS}, {@value
   *     #CONFIGMAPS_LEASES}, {@value #ENDPOINTS_LEASES}
   * @param namespace the namespace of the lock object(s)
   * @param name the name of the lock object(s)
   * @param client the client to use; the caller keeps ownership of it
   * @param config the candidate's identity and optional event recorder
   * @throws IllegalArgumentException {@code "Invalid lock-type <type>"} for an unknown type, or for
   *     an invalid namespace, name or identity
   */
  public static Lock create(
      String lockType,
      String namespace,
      String name,
      KubernetesClient client,
      ResourceLockConfig config) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(config, "config");
    String type = String.valueOf(lockType);
    return switch (type) {
      case LEASES -> lease(namespace, name, client, config);
      case CONFIGMAPS -> configMap(namespace, name, client, config);
      case ENDPOINTS -> endpoints(namespace, name, client, config);
      case CONFIGMAPS_LEASES ->
          new MultiLock(
              configMap(namespace, name, client, config), lease(namespace, name, client, config));
      case ENDPOINTS_LEASES ->
          new MultiLock(
              endpoints(namespace, name, client, config), lease(namespace, name, client, config));
      default -> throw new IllegalArgumentException("Invalid lock-type " + type);
    };
  }

  /**
   * The request timeout client-go uses for leader election: renewDeadline / 2, at least one second,
   * so that one hung request cannot use up the whole renew deadline.
   */
  public static Duration requestTimeout(Duration renewDeadline) {
    return LeaderElectionConfig.defaultLockCallTimeout(renewDeadline);
  }

  /**
   * A client configured the usual way (the kubeconfig named by {@code KUBECONFIG} or in {@code
   * ~/.kube/config}, else the in-cluster service account) with the {@link #requestTimeout} for
   * {@code renewDeadline}. The caller closes it.
   */
  public static KubernetesClient newClient(Duration renewDeadline) {
    return newClient(Config.autoConfigure(null), renewDeadline);
  }

  /** A client from the kubeconfig file {@code kubeconfig} (its current context). */
  public static KubernetesClient newClient(Path kubeconfig, Duration renewDeadline) {
    File file = kubeconfig.toFile();
    return newClient(Config.fromKubeconfig(file), renewDeadline);
  }

  /**
   * A client with {@code config}'s settings (not modified) and the {@link #requestTimeout} for
   * {@code renewDeadline}, as client-go's {@code NewFromKubeconfig} sets up its client.
   */
  public static KubernetesClient newClient(Config config, Duration renewDeadline) {
    Config copy = new ConfigBuilder(config).build();
    copy.setRequestTimeout(
        (int) Math.min(Integer.MAX_VALUE, requestTimeout(renewDeadline).toMillis()));
    return new KubernetesClientBuilder().withConfig(copy).build();
  }

  private static LeaseLock lease(
      String namespace, String name, KubernetesClient client, ResourceLockConfig config) {
    return LeaseLock.builder(client).namespace(namespace).name(name).config(config).build();
  }

  private static ConfigMapLock configMap(
      String namespace, String name, KubernetesClient client, ResourceLockConfig config) {
    return ConfigMapLock.builder(client).namespace(namespace).name(name).config(config).build();
  }

  private static EndpointsLock endpoints(
      String namespace, String name, KubernetesClient client, ResourceLockConfig config) {
    return EndpointsLock.builder(client).namespace(namespace).name(name).config(config).build();
  }
}
