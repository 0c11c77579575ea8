package io.leasehold.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * fabric8's own {@code LeaderElector} on a Lease, on fabric8's default client ({@code new
 * KubernetesClientBuilder().build()}, kubeconfig from {@code KUBECONFIG}) in a child process. Run
 * on fabric8's default classpath (its Vert.x 4 HTTP client), which cannot share a JVM with jetcd:
 * this class uses only fabric8 and the JDK.
 */
final class Fabric8Participants implements Participants {
  private final ChildArgs args;
  private final ElectionCounters counters = new ElectionCounters(Long.MAX_VALUE);
  private final List<CompletableFuture<?>> running = new ArrayList<>();
  private final List<Runnable> electors = new ArrayList<>();
  private KubernetesClient client;

  Fabric8Participants(ChildArgs args) {
    this.args = args;
  }

  @Override
  public void connect() {
    client = new KubernetesClientBuilder().build();
    client.leases().inNamespace("default").withName("e0").get(); // the first call
  }

  @Override
  public void prepare(int elections) {
    for (int i = 0; i < elections; i++) {
      var elector =
          client
              .leaderElector()
              .withConfig(
                  new LeaderElectionConfigBuilder()
                      .withName("e" + i)
                      .withLock(new LeaseLock("default", "e" + i, args.identity()))
                      .withLeaseDuration(args.lease())
                      .withRenewDeadline(args.renew())
                      .withRetryPeriod(args.retry())
                      .withReleaseOnCancel(true)
                      .withLeaderCallbacks(
                          new LeaderCallbacks(
                              counters::startedLeading, counters::stoppedLeading, id -> {}))
                      .build())
              .build();
      electors.add(() -> running.add(elector.start()));
    }
  }

  @Override
  public void start() {
    electors.forEach(Runnable::run);
  }

  @Override
  public ElectionCounters counters() {
    return counters;
  }

  @Override
  public void closeElections() {
    running.forEach(f -> f.cancel(true));
    running.clear();
  }

  @Override
  public void closeClient() {
    client.close();
  }

  public static void main(String[] argv) {
    ChildArgs args = ChildArgs.parse(argv);
    ChildProtocol.serve(new Fabric8Participants(args), args.elections());
  }
}
