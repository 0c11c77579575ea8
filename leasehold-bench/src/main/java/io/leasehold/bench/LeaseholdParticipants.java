package io.leasehold.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.etcd.EtcdClients;
import io.leasehold.etcd.EtcdLock;
import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.kubernetes.KubernetesLocks;
import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeaderMetric;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import io.leasehold.testing.CountingLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Leasehold candidates in a child process, one per election, on one backend client built as a user
 * would build it: a HikariCP pool of four (as the CLI's) for PostgreSQL, {@code
 * SqliteDataSources.forFile} for SQLite, {@code EtcdClients} for etcd, {@code
 * KubernetesLocks.newClient} (kubeconfig from {@code KUBECONFIG}) for Kubernetes. Every candidate
 * releases on cancel and keeps competing after a loss.
 */
final class LeaseholdParticipants implements Participants {
  private final ChildArgs args;
  private final ElectionCounters counters;
  private final List<LeaderElector> electors = new ArrayList<>();
  private final List<CountingLock> locks = new ArrayList<>();
  private BiFunction<String, String, Lock> lockFactory;
  private AutoCloseable client;

  LeaseholdParticipants(ChildArgs args) {
    this.args = args;
    this.counters = new ElectionCounters(args.retry().toNanos() / 2);
    counters.lockCalls(() -> locks.stream().mapToLong(CountingLock::calls).sum());
  }

  @Override
  public void connect() throws Exception {
    switch (args.backend()) {
      case "postgres" -> {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(args.target());
        pg.setConnectTimeout(5);
        HikariConfig c = new HikariConfig();
        c.setDataSource(pg);
        c.setPoolName("leasehold");
        c.setMaximumPoolSize(4);
        c.setMinimumIdle(1);
        c.setConnectionTimeout(5_000);
        HikariDataSource pool = new HikariDataSource(c);
        client = pool;
        lockFactory = (name, id) -> JdbcLock.builder(pool).name(name).identity(id).build();
      }
      case "sqlite" -> {
        var ds = SqliteDataSources.forFile(Path.of(args.target()));
        client = () -> {};
        lockFactory = (name, id) -> JdbcLock.builder(ds).name(name).identity(id).build();
      }
      case "etcd" -> {
        Client etcd = EtcdClients.builder().endpoints(args.target()).build();
        client = etcd;
        lockFactory = (name, id) -> EtcdLock.builder(etcd).name(name).identity(id).build();
      }
      case "kubernetes" -> {
        KubernetesClient k8s = KubernetesLocks.newClient(args.renew());
        client = k8s;
        lockFactory =
            (name, id) ->
                KubernetesLocks.create(
                    KubernetesLocks.LEASES, "default", name, k8s, ResourceLockConfig.of(id));
      }
      default -> throw new IllegalArgumentException("unknown backend " + args.backend());
    }
    lockFactory.apply("e0", args.identity()).get(Duration.ofSeconds(10)); // the first call
  }

  @Override
  public void prepare(int elections) {
    for (int i = 0; i < elections; i++) {
      CountingLock lock = new CountingLock(lockFactory.apply("e" + i, args.identity()));
      locks.add(lock);
      electors.add(
          new LeaderElector(
              LeaderElectionConfig.builder()
                  .lock(lock)
                  .name("e" + i)
                  .leaseDuration(args.lease())
                  .renewDeadline(args.renew())
                  .retryPeriod(args.retry())
                  .releaseOnCancel(true)
                  .whenLost(WhenLost.COMPETE_AGAIN)
                  .metricsProvider(() -> new RenewalDelays(counters, args.retry().toNanos()))
                  .callbacks(
                      LeaderCallbacks.builder()
                          .onStartedLeading(ctx -> counters.startedLeading())
                          .onStoppedLeading(counters::stoppedLeading)
                          .build())
                  .build()));
    }
  }

  @Override
  public void start() {
    electors.forEach(LeaderElector::start);
  }

  @Override
  public ElectionCounters counters() {
    return counters;
  }

  @Override
  public void closeElections() throws Exception {
    List<CompletableFuture<Void>> stopped = new ArrayList<>();
    electors.forEach(e -> stopped.add(e.stop()));
    CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    electors.clear();
  }

  @Override
  public void closeClient() throws Exception {
    client.close();
  }

  /**
   * Times each renewal attempt of one elector against when it was due: a retry period after the
   * term started or after the previous renewal succeeded. An attempt after a failed one is not
   * timed (it runs early, on the failure's own schedule); the failure is counted instead.
   */
  private static final class RenewalDelays implements LeaderMetric {
    private final ElectionCounters counters;
    private final long retryNanos;
    private volatile long due; // 0: not leading, or not known
    private volatile long lastStart; // of the previous renewal attempt of this term, 0: none

    RenewalDelays(ElectionCounters counters, long retryNanos) {
      this.counters = counters;
      this.retryNanos = retryNanos;
    }

    @Override
    public void on(String name) {
      due = System.nanoTime() + retryNanos;
      lastStart = 0;
    }

    @Override
    public void off(String name) {
      due = 0;
      lastStart = 0;
    }

    @Override
    public void slowpathExercised(String name) {
      counters.slowPathRenewals.incrementAndGet();
    }

    @Override
    public void renewed(String name, Duration latency) {
      long now = System.nanoTime();
      long started = now - latency.toNanos();
      long wasDue = due;
      if (wasDue != 0) {
        counters.renewed(started - wasDue, latency.toNanos());
      } else {
        counters.renewals.incrementAndGet();
      }
      due = now + retryNanos;
      if (lastStart != 0 && started - lastStart < retryNanos - 100_000_000) {
        counters.outOfTurn.incrementAndGet(); // two attempts closer than a retry period
      }
      lastStart = started;
    }

    @Override
    public void renewFailed(String name) {
      counters.failedRenewals.incrementAndGet();
      due = 0;
    }
  }

  public static void main(String[] argv) {
    ChildArgs args = ChildArgs.parse(argv);
    Participants p =
        args.backend().equals("curator")
            ? new CuratorParticipants(args)
            : new LeaseholdParticipants(args);
    ChildProtocol.serve(p, args.elections());
  }
}
