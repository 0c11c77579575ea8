package io.leasehold.spring;

import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leasehold.etcd.EtcdClients;
import io.leasehold.etcd.EtcdLock;
import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteConnectionPool;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.kubernetes.KubernetesEventRecorder;
import io.leasehold.kubernetes.KubernetesLocks;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import io.leasehold.spring.LeaseholdElection.Settings;
import io.leasehold.spring.LeaseholdProperties.LockType;
import java.nio.file.Path;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The lock, one configuration per backend, imported in order of precedence: the first whose
 * condition matches defines the {@code leaseholdLock} bean, and all back off when the application
 * defines a {@link Lock} of its own.
 */
final class LeaseholdLocks {
  private static final String TYPE = OnLockTypeCondition.TYPE_PROPERTY;

  private LeaseholdLocks() {}

  /** A Kubernetes Lease (or ConfigMap, Endpoints) through the application's fabric8 client. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "io.fabric8.kubernetes.client.KubernetesClient",
        "io.leasehold.kubernetes.KubernetesLocks"
      })
  static class Kubernetes {

    /** Only for leasehold.lock.type=kubernetes: from the kubeconfig or the service account. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(KubernetesClient.class)
    @ConditionalOnLockType(LockType.KUBERNETES)
    KubernetesClient leaseholdKubernetesClient(Settings settings) {
      return KubernetesLocks.newClient(settings.renewDeadline());
    }

    /** Takes the client so that Spring destroys it first: pending events go out before close. */
    @Bean
    @ConditionalOnMissingBean(Lock.class)
    @ConditionalOnLockType(
        value = LockType.KUBERNETES,
        autoIfBean = "io.fabric8.kubernetes.client.KubernetesClient")
    KubernetesEventSender leaseholdKubernetesEvents(KubernetesClient client) {
      return new KubernetesEventSender();
    }

    @Bean
    @ConditionalOnMissingBean(Lock.class)
    @ConditionalOnLockType(
        value = LockType.KUBERNETES,
        autoIfBean = "io.fabric8.kubernetes.client.KubernetesClient")
    Lock leaseholdLock(
        LeaseholdProperties properties,
        Settings s,
        KubernetesClient client,
        KubernetesEventSender events) {
      String type = properties.getKubernetes().getType().name().toLowerCase(Locale.ROOT);
      String namespace = properties.getKubernetes().getNamespace();
      if (namespace == null || namespace.isEmpty()) {
        namespace = client.getNamespace() != null ? client.getNamespace() : "default";
      }
      try {
        return KubernetesLocks.create(
            type,
            namespace,
            s.name(),
            client,
            ResourceLockConfig.of(
                s.identity(), new KubernetesEventRecorder(client, s.name(), events)));
      } catch (IllegalArgumentException e) {
        throw new LeaseholdConfigurationException(
            "leasehold.name",
            "invalid Kubernetes lock (leasehold.kubernetes.type="
                + type
                + ", leasehold.kubernetes.namespace="
                + namespace
                + ", leasehold.name="
                + s.name()
                + ", leasehold.identity="
                + s.identity()
                + "): "
                + e.getMessage(),
            e);
      }
    }
  }

  /** A key in etcd, through the application's jetcd client or one to leasehold.etcd.endpoints. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.etcd.jetcd.Client", "io.leasehold.etcd.EtcdLock"})
  static class Etcd {
    private static final String ENDPOINTS = "leasehold.etcd.endpoints";

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Client.class)
    @ConditionalOnLockType(value = LockType.ETCD, autoIfProperty = ENDPOINTS)
    Client leaseholdEtcdClient(LeaseholdProperties properties) {
      var endpoints = properties.getEtcd().getEndpoints();
      if (endpoints.isEmpty()) {
        throw LeaseholdConfigurationException.of(
            ENDPOINTS, "[]", "set it, or define a jetcd Client bean, for " + TYPE + "=etcd");
      }
      try {
        return EtcdClients.builder().endpoints(endpoints.toArray(String[]::new)).build();
      } catch (IllegalArgumentException e) {
        throw LeaseholdConfigurationException.of(ENDPOINTS, endpoints, e);
      }
    }

    @Bean
    @ConditionalOnMissingBean(Lock.class)
    @ConditionalOnLockType(
        value = LockType.ETCD,
        autoIfBean = "io.etcd.jetcd.Client",
        autoIfProperty = ENDPOINTS)
    Lock leaseholdLock(LeaseholdProperties properties, Settings s, Client client) {
      String prefix = properties.getEtcd().getPrefix();
      try {
        return EtcdLock.builder(client)
            .prefix(prefix)
            .name(s.name())
            .identity(s.identity())
            .build();
      } catch (IllegalArgumentException | NullPointerException e) {
        throw LeaseholdConfigurationException.of("leasehold.name", s.name(), e);
      }
    }
  }

  /** A table in the application's DataSource. */
  @Configuration(proxyBeanMethods = false)
  static class Jdbc {

    @Bean
    @ConditionalOnMissingBean(Lock.class)
    @ConditionalOnLockType(value = LockType.JDBC, autoIfBean = "javax.sql.DataSource")
    Lock leaseholdLock(
        LeaseholdProperties properties, Settings s, ObjectProvider<DataSource> dataSources) {
      DataSource dataSource = dataSources.getIfUnique();
      if (dataSource == null) {
        throw LeaseholdConfigurationException.of(
            TYPE,
            "jdbc",
            "needs one DataSource bean (or a @Primary one), but the context has "
                + dataSources.stream().count());
      }
      return jdbcLock(dataSource, properties, s);
    }
  }

  /** An SQLite file: the default, and the last resort. */
  @Configuration(proxyBeanMethods = false)
  static class Sqlite {
    private static final String PATH = "leasehold.sqlite.path";

    /**
     * The file's connections, closed when the context closes: after the election, which depends on
     * the lock, which depends on them, has stopped. Not a {@code DataSource} bean, so that nothing
     * of the application mistakes it for its own.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Lock.class)
    SqliteFile leaseholdSqliteFile(LeaseholdProperties properties) {
      LockType type = properties.getLock().getType();
      if (type == LockType.KUBERNETES || type == LockType.ETCD) {
        String module = "leasehold-" + type.name().toLowerCase(Locale.ROOT);
        throw LeaseholdConfigurationException.of(
            TYPE,
            type.name().toLowerCase(Locale.ROOT),
            "needs io.leasehold:" + module + " on the class path");
      }
      Path path = properties.getSqlite().getPath();
      if (path == null) {
        path = Path.of(System.getProperty("java.io.tmpdir"), "leasehold.db");
      }
      try {
        return new SqliteFile(SqliteDataSources.forFile(path));
      } catch (IllegalArgumentException e) {
        throw LeaseholdConfigurationException.of(PATH, path, e);
      }
    }

    @Bean
    @ConditionalOnMissingBean(Lock.class)
    Lock leaseholdLock(SqliteFile file, LeaseholdProperties properties, Settings s) {
      return jdbcLock(file.pool(), properties, s);
    }
  }

  /** The connection pool of the SQLite file that the starter opened, and closes. */
  record SqliteFile(SqliteConnectionPool pool) implements AutoCloseable {
    @Override
    public void close() {
      pool.close();
    }
  }

  private static Lock jdbcLock(DataSource dataSource, LeaseholdProperties properties, Settings s) {
    String table = properties.getJdbc().getTable();
    try {
      return JdbcLock.builder(dataSource)
          .name(s.name())
          .identity(s.identity())
          .table(table)
          .createTable(properties.getJdbc().isCreateTable())
          .build();
    } catch (IllegalArgumentException e) {
      boolean aboutTable =
          String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("table");
      throw aboutTable
          ? LeaseholdConfigurationException.of("leasehold.jdbc.table", table, e)
          : LeaseholdConfigurationException.of("leasehold.name", s.name(), e);
    }
  }
}
