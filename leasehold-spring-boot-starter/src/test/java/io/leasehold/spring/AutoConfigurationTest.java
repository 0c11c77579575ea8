package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.etcd.EtcdLock;
import io.leasehold.jdbc.JdbcLock;
import io.leasehold.kubernetes.ConfigMapLock;
import io.leasehold.kubernetes.LeaseLock;
import io.leasehold.leaderelection.MetricsProvider;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.micrometer.MicrometerMetricsProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.integration.leader.event.LeaderEventPublisher;
import org.sqlite.SQLiteDataSource;

/** Which beans the auto-configuration defines, from which beans and properties, and backing off. */
class AutoConfigurationTest {
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
              assertThat(context.getBean(LeaseholdElection.class).lockDescription())
                  .isEqualTo(store.lock("mine", "x").describe());
            });
  }

  @Test
  void theApplicationsDataSourceHoldsTheLeaseTable() throws Exception {
    SQLiteDataSource app = new SQLiteDataSource();
    app.setUrl("jdbc:sqlite:" + dir.resolve("app.db"));
    runner()
        .withBean(DataSource.class, () -> app)
        .withPropertyValues("leasehold.name=orders", "leasehold.jdbc.table=app_leases")
        .run(
            context -> {
              LeaseholdElection election = context.getBean(LeaseholdElection.class);
              assertThat(election.lockDescription()).isEqualTo("sqlite:app_leases/orders");
              org.awaitility.Awaitility.await()
                  .atMost(Duration.ofSeconds(20))
                  .until(election::isLeader);
            });
    try (Connection c = app.getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT name FROM app_leases")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("orders");
    }
    assertThat(dir.resolve("default.db")).doesNotExist();
  }

  @Test
  void sqliteWhenAskedForDespiteADataSource() {
    SQLiteDataSource app = new SQLiteDataSource();
    app.setUrl("jdbc:sqlite:" + dir.resolve("app.db"));
    runner()
        .withBean(DataSource.class, () -> app)
        .withPropertyValues("leasehold.lock.type=sqlite", "leasehold.name=x")
        .run(c -> assertThat(dir.resolve("default.db")).exists());
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
                org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(election::isLeader);
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
                  org.awaitility.Awaitility.await()
                      .atMost(Duration.ofSeconds(20))
                      .until(election::isLeader);
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

  @Test
  void kubernetesComesBeforeTheDataSourceInAutoMode() {
    try (MockApiServer server = new MockApiServer()) {
      runner()
          .withBean(KubernetesClient.class, server::newClient)
          .withBean(DataSource.class, SQLiteDataSource::new)
          .run(c -> assertThat(c.getBean(Lock.class)).isInstanceOf(LeaseLock.class));
    }
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
