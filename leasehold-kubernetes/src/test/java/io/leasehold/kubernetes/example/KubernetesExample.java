package io.leasehold.kubernetes.example;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.kubernetes.KubernetesEventRecorder;
import io.leasehold.kubernetes.KubernetesLocks;
import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.time.Duration;

/** The example of docs/KUBERNETES.md, kept compiling. Run it in a pod with POD_NAME set. */
public final class KubernetesExample {
  private KubernetesExample() {}

  public static void main(String[] args) throws Exception {
    Duration renewDeadline = Duration.ofSeconds(10);
    try (KubernetesClient client =
        KubernetesLocks.newClient(renewDeadline)) { // kubeconfig or in-cluster
      String pod = System.getenv("POD_NAME"); // from the downward API
      Lock lock =
          KubernetesLocks.create(
              KubernetesLocks.LEASES,
              "payments",
              "payments-controller",
              client,
              ResourceLockConfig.of(pod, new KubernetesEventRecorder(client, "payments")));
      new LeaderElector(
              LeaderElectionConfig.builder()
                  .lock(lock)
                  .leaseDuration(Duration.ofSeconds(15))
                  .renewDeadline(renewDeadline)
                  .retryPeriod(Duration.ofSeconds(2))
                  .releaseOnCancel(true)
                  .callbacks(
                      LeaderCallbacks.builder()
                          .onStartedLeading(
                              ctx -> runController(ctx)) // ctx.fencingToken() guards writes
                          .onStoppedLeading(() -> System.out.println("not leading"))
                          .build())
                  .build())
          .run();
    }
  }

  private static void runController(LeadershipContext ctx) {
    System.out.println("leading with fencing token " + ctx.fencingToken());
    try {
      ctx.awaitCancellation();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
