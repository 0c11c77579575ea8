package io.leasehold.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.kubernetes.KubernetesEventRecorder;
import io.leasehold.kubernetes.KubernetesLocks;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * {@code kubernetes:<namespace>} or {@code kubernetes:<namespace>/<name>}: a lock of {@code
 * --lock-type} (a Lease by default) named {@code --name}, through a client from {@code
 * --kubeconfig}, {@code $KUBECONFIG}, {@code ~/.kube/config} or the in-cluster service account,
 * with client-go's request timeout of max(1 s, renewDeadline / 2). Leadership changes are recorded
 * as Events on the lock object.
 */
final class KubernetesSpec extends LockSpec {
  private final KubernetesClient client;
  private final LockOptions options;
  private final String namespace;

  private KubernetesSpec(KubernetesClient client, LockOptions options, String namespace) {
    super(
        "kubernetes:" + namespace + " (" + options.lockType + ")",
        List.of(hostPort(client.getMasterUrl().toString(), 443)),
        options.name);
    this.client = client;
    this.options = options;
    this.namespace = namespace;
  }

  static LockSpec parse(String target, LockOptions o, Duration renewDeadline) {
    String namespace = target;
    int slash = target.indexOf('/');
    if (slash >= 0) {
      namespace = target.substring(0, slash);
      String name = target.substring(slash + 1);
      if (!name.equals(o.name)) {
        throw new IllegalArgumentException(
            "kubernetes:" + target + " names lock '" + name + "' but --name is '" + o.name + "'");
      }
    }
    if (namespace.isEmpty()) {
      throw new IllegalArgumentException(
          "kubernetes: needs a namespace, e.g. kubernetes:default or kubernetes:default/" + o.name);
    }
    KubernetesClient client;
    if (o.kubeconfig != null) {
      if (!Files.isReadable(o.kubeconfig)) {
        throw new IllegalArgumentException(
            "kubeconfig " + o.kubeconfig + " does not exist or is not readable");
      }
      client = KubernetesLocks.newClient(o.kubeconfig, renewDeadline);
    } else {
      client = KubernetesLocks.newClient(renewDeadline);
    }
    return new KubernetesSpec(client, o, namespace).checked();
  }

  @Override
  Lock lock(String identity) {
    ResourceLockConfig config =
        ResourceLockConfig.of(identity, new KubernetesEventRecorder(client, identity));
    return KubernetesLocks.create(options.lockType, namespace, options.name, client, config);
  }

  @Override
  String repairArguments() {
    return "--lock kubernetes:"
        + namespace
        + " --lock-type "
        + options.lockType
        + " --name "
        + options.name
        + (options.kubeconfig != null ? " --kubeconfig " + options.kubeconfig : "");
  }

  /** Deleting a Kubernetes object deletes its fencing history: a repair must be told the token. */
  @Override
  boolean keepsTokenMark() {
    return false;
  }

  @Override
  public void close() {
    client.close();
  }
}
