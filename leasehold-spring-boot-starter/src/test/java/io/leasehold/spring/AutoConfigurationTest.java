package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.etcd.EtcdLock;
import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteConnectionPool;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.kubernetes.ConfigMapLock;
import io.leasehold.kubernetes.LeaseLock;
import io.leasehold.leaderelection.MetricsProvider;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.micrometer.MicrometerMetricsProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.integration.leader.event.LeaderEventPublisher;
import org.sqlite.SQLiteDataSource;

/** Which beans the auto-configuration defines, from which beans and properties, and backing off. */
class AutoConfigurationTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LeaseholdAutoConfiguration.class))
        .withPropertyValues("leasehold.sqlite.path=" + dir.resolve("default.db"));
  }

  @Test
  void byDefaultAnSqliteFileAUniqueIdentityAndTheApplicationsName() {
    runner()
        .withPropertyValues("spring.application.name=billing")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              LeaseholdElection election = context.getBean(LeaseholdElection.class);
              assertThat(context.getBean(Lock.class)).isInstanceOf(JdbcLock.class);
              assertThat(election.lockDescription()).isEqualTo("sqlite:leasehold_leases/billing");
              assertThat(election.name()).isEqualTo("billing");
              assertThat(election.role()).isEqualTo("leader");
              assertThat(election.identity()).matches(".+_[0-9a-f-]{36}");
              assertThat(election.isRunning()).isTrue();
              assertThat(context).hasSingleBean(HealthIndicator.class);
              assertThat(context).hasSingleBean(InfoContributor.class);
              assertThat(context).hasSingleBean(IntegrationLeaderEvents.class);
            });
    runner().run(c -> assertThat(c.getBean(LeaseholdElection.class).name()).isEqualTo("leasehold"));
  }

  @Test
  void identitiesDifferBetweenInstances() {
    String[] ids = new String[2];
    runner().run(c -> ids[0] = c.getBean(LeaseholdElection.class).identity());
    runner().run(c -> ids[1] = c.getBean(LeaseholdElection.class).identity());
    assertThat(ids[0]).isNotEqualTo(ids[1]);
  }

  @Test
  void theApplicationsLockWins() {
    InMemoryLockStore store = new InMemoryLockStore();
    runner()
        .withBean(Lock.class, () -> store.lock("mine", "me"))
        .run(
            context -> {
              assertThat(context).hasSingleBean(Lock.class);
              LeaseholdElection election = context.getBean(LeaseholdElection.class);
              assertThat(election.lockDescription()).isEqualTo(store.lock("mine", "x").describe());
              assertThat(election.identity()).as("the lock's").isEqualTo("me");
            });
  }

  @Test
  void theApplicationsDataSourceHoldsTheLeaseTableAndStaysOpen() throws Exception {
    try (SqliteConnectionPool app = SqliteDataSources.forFile(dir.resolve("app.db"))) {
      runner() // a data source that outlives the context: the context does not close it either
          .withBean(DataSource.class, () -> app, bean -> bean.setDestroyMethodName(""))
          .withPropertyValues("leasehold.name=orders", "leasehold.jdbc.table=app_leases")
          .run(
              context -> {
                LeaseholdElection election = context.getBean(LeaseholdElection.class);
                assertThat(election.lockDescription()).isEqualTo("sqlite:app_leases/orders");
                Awaitility.await().atMost(WAIT).until(election::isLeader);
              });
      // the context closed; the application's data source is the application's to close
      try (Connection c = app.getConnection();
          ResultSet rs = c.createStatement().executeQuery("SELECT name FROM app_leases")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("orders");
      }
    }
    assertThat(dir.resolve("default.db")).doesNotExist();
  }

  /**
   * The SQLite file the starter opens is closed with the context, after the election: contexts
   * created and closed again and again in one JVM (tests, devtools restarts) leave no connection
   * open, and the lock was released through it on the way out.
   */
  @Test
  void closedContextsLeaveNoSqliteConnectionsBehind() throws Exception {
    ApplicationContextRunner runner = runner().withPropertyValues("leasehold.name=cycles");
    String[] holder = {null};
    ContextConsumer<AssertableApplicationContext> lead =
        context -> {
          LeaseholdElection election = context.getBean(LeaseholdElection.class);
          Awaitility.await()
              .atMost(WAIT)
              .pollDelay(Duration.ZERO)
              .pollInterval(Duration.ofMillis(10))
              .until(election::isLeader);
          holder[0] = election.identity();
        };
    runner.run(lead); // warm-up: the driver's native library, the table, the JVM's file watcher
    long before = openFileDescriptors();
    int cycles = 16;
    for (int i = 0; i < cycles; i++) {
      runner.run(lead);
    }
    long after = openFileDescriptors();
    // a pool left open keeps the database, its WAL and shared-memory files open: 3 descriptors or
    // more per cycle; other tests' threads winding down in this JVM may hold a few
    assertThat(after - before)
        .as("file descriptors left after %d contexts", cycles)
        .isLessThan(cycles / 2);
    assertThat(dir.resolve("default.db-wal")).as("the last connection closed").doesNotExist();
    try (SqliteConnectionPool reader = SqliteDataSources.forReading(dir.resolve("default.db"))) {
      Lock lock =
          JdbcLock.builder(reader).name("cycles").identity("reader").createTable(false).build();
      assertThat(lock.get(Duration.ofSeconds(5)).orElseThrow().record().holderIdentity())
          .as("the last instance (%s) released the lock before its file was closed", holder[0])
          .isEmpty();
    }
  }

  private static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void sqliteWhenAskedForDespiteADataSource() {
    SQLiteDataSource app = new SQLiteDataSource();
    app.setUrl("jdbc:sqlite:" + dir.resolve("app.db"));
    runner()
        .withBean(DataSource.class, () -> app)
        .withPropertyValues("leasehold.lock.type=sqlite", "leasehold.name=x")
        .run(
            context -> {
              LeaseholdElection election = context.getBean(LeaseholdElection.class);
              Awaitility.await().atMost(WAIT).until(election::isLeader);
              assertThat(dir.resolve("default.db")).exists(); // opened on first use
              assertThat(dir.resolve("app.db")).doesNotExist();
            });
  }

  @Test
  void theApplicationsKubernetesClientGetsALeaseByDefault() {
    try (MockApiServer server = new MockApiServer();
        KubernetesClient client = server.newClient()) {
      runner() // the context closes its client bean
          .withBean(KubernetesClient.class, server::newClient)
          .withPropertyValues("leasehold.name=kube")
          .run(
              context -> {
                assertThat(context.getBean(Lock.class)).isInstanceOf(LeaseLock.class);
                assertThat(context).doesNotHaveBean("leaseholdKubernetesClient");
                // destroyed before the client, so that its last events go out first
                String clientBean = context.getBeanNamesForType(KubernetesClient.class)[0];
                assertThat(context.getBeanFactory().getDependentBeans(clientBean))
                    .contains("leaseholdKubernetesEvents");
                LeaseholdElection election = context.getBean(LeaseholdElection.class);
                Awaitility.await().atMost(WAIT).until(election::isLeader);
                Lease lease = client.leases().inNamespace("test").withName("kube").get();
                assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(election.identity());
              });
      runner()
          .withBean(KubernetesClient.class, server::newClient)
          .withPropertyValues(
              "leasehold.kubernetes.type=configmaps", "leasehold.kubernetes.namespace=other")
          .run(
              c -> {
                assertThat(c.getBean(Lock.class)).isInstanceOf(ConfigMapLock.class);
                assertThat(c.getBean(Lock.class).describe()).startsWith("other/");
              });
    }
  }

  /**
   * With leasehold.lock.type=kubernetes and no client bean, the starter makes its own client the
   * usual way (kubeconfig, service account, or fabric8's system properties, used here).
   */
  @Test
  void kubernetesWithoutAClientBeanMakesItsOwn() {
    try (MockApiServer server = new MockApiServer();
        KubernetesClient reader = server.newClient()) {
      String[] keys = {
        "kubernetes.master",
        "kubernetes.namespace",
        "kubernetes.auth.tryKubeConfig",
        "kubernetes.auth.tryServiceAccount"
      };
      String[] values = {server.url(), "test", "false", "false"};
      for (int i = 0; i < keys.length; i++) {
        System.setProperty(keys[i], values[i]);
      }
      try {
        runner()
            .withPropertyValues("leasehold.lock.type=kubernetes", "leasehold.name=own")
            .run(
                context -> {
                  assertThat(context).hasBean("leaseholdKubernetesClient");
                  LeaseholdElection election = context.getBean(LeaseholdElection.class);
                  Awaitility.await().atMost(WAIT).until(election::isLeader);
                  assertThat(reader.leases().inNamespace("test").withName("own").get()).isNotNull();
                });
      } finally {
        for (String key : keys) {
          System.clearProperty(key);
        }
      }
    }
  }

  @Test
  void theApplicationsEtcdClientGetsAKey() {
    Client client =
        (Client)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Client.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("close")) {
                    return null;
                  }
                  throw new UnsupportedOperationException("no etcd in this test");
                });
    runner()
        .withBean(Client.class, () -> client)
        .withPropertyValues("leasehold.name=jobs", "leasehold.etcd.prefix=/app/")
        .run(
            context -> {
              assertThat(context.getBean(Lock.class)).isInstanceOf(EtcdLock.class);
              assertThat(((EtcdLock) context.getBean(Lock.class)).key()).isEqualTo("/app/jobs");
            });
  }

  /**
   * Only the choice of lock is looked at: a client that answers nothing but its namespace, so that
   * no election runs against a server (an election closed right after it started could stall
   * fabric8's mock server; see MockApiServer).
   */
  @Test
  void kubernetesComesBeforeTheDataSourceInAutoMode() {
    KubernetesClient client =
        (KubernetesClient)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {KubernetesClient.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getNamespace" -> "test";
                      case "close" -> null;
                      default -> throw new UnsupportedOperationException("no server in this test");
                    });
    runner()
        .withBean(KubernetesClient.class, () -> client)
        .withBean(DataSource.class, SQLiteDataSource::new)
        .run(c -> assertThat(c.getBean(Lock.class)).isInstanceOf(LeaseLock.class));
  }

  @Test
  void withoutTheKubernetesModuleAskingForKubernetesFails() {
    runner()
        .withClassLoader(new FilteredClassLoader("io.leasehold.kubernetes."))
        .withPropertyValues("leasehold.lock.type=kubernetes")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("leasehold.lock.type=kubernetes")
                    .hasMessageContaining("io.leasehold:leasehold-kubernetes"));
  }

  @Test
  void micrometerMetricsWhenARegistryExistsAndTheApplicationsProviderWins() {
    runner()
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            c ->
                assertThat(c.getBean(MetricsProvider.class))
                    .isInstanceOf(MicrometerMetricsProvider.class));
    MetricsProvider mine = MetricsProvider.NOOP;
    runner()
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(MetricsProvider.class, () -> mine)
        .run(c -> assertThat(c.getBean(MetricsProvider.class)).isSameAs(mine));
    runner().run(c -> assertThat(c).doesNotHaveBean(MetricsProvider.class));
  }

  @Test
  void healthInfoAndIntegrationBeansBackOff() {
    HealthIndicator health = () -> Health.up().build();
    InfoContributor info = b -> {};
    LeaderEventPublisher publisher =
        new org.springframework.integration.leader.event.DefaultLeaderEventPublisher();
    runner()
        .withBean("leaseholdHealthIndicator", HealthIndicator.class, () -> health)
        .withBean("leaseholdInfoContributor", InfoContributor.class, () -> info)
        .withBean(IntegrationLeaderEvents.class, () -> new IntegrationLeaderEvents(publisher))
        .run(
            c -> {
              assertThat(c.getBean(HealthIndicator.class)).isSameAs(health);
              assertThat(c.getBean(InfoContributor.class)).isSameAs(info);
              assertThat(c).hasSingleBean(IntegrationLeaderEvents.class);
            });
    runner()
        .withPropertyValues(
            "management.health.leasehold.enabled=false", "management.info.leasehold.enabled=false")
        .run(
            c -> {
              assertThat(c).doesNotHaveBean(HealthIndicator.class);
              assertThat(c).doesNotHaveBean(InfoContributor.class);
            });
    runner()
        .withClassLoader(new FilteredClassLoader("org.springframework.integration."))
        .run(c -> assertThat(c).doesNotHaveBean(IntegrationLeaderEvents.class));
  }

  @Test
  void disabledMeansNoElectionAndLeaderOnlyMethodsNeverRun() {
    runner()
        .withPropertyValues("leasehold.enabled=false")
        .withBean(LeaderOnlyTest.Work.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(LeaseholdElection.class);
              assertThat(context).doesNotHaveBean(Lock.class);
              LeaderOnlyTest.Work work = context.getBean(LeaderOnlyTest.Work.class);
              assertThat(work.token()).isNull();
              assertThat(work.calls()).isZero();
            });
  }
}
