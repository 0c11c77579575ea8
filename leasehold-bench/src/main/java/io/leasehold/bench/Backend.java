package io.leasehold.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.etcd.jetcd.Client;
import io.leasehold.etcd.EtcdClients;
import io.leasehold.etcd.EtcdLock;
import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.testing.EtcdCluster;
import io.leasehold.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;

/** A store the scenarios run on, started on loopback for the run and stopped afterwards. */
abstract class Backend implements AutoCloseable {
  final String name;

  Backend(String name) {
    this.name = name;
  }

  /** A lock for {@code identity} on the object {@code lockName}. */
  abstract Lock lock(String lockName, String identity);

  /** Whether followers on this backend are pushed changes (a watch) instead of polling. */
  abstract String watch();

  @Override
  public void close() throws Exception {}

  static Backend start(String name) throws Exception {
    switch (name) {
      case "memory":
        return memory();
      case "sqlite":
        return sqlite();
      case "postgres":
        return postgres(false);
      case "postgres-1conn":
        return postgres(true);
      case "etcd":
        return etcd();
      case "kubernetes":
        return KubernetesBackend.start();
      default:
        throw new IllegalArgumentException(
            "unknown backend "
                + name
                + ": memory, sqlite, postgres, postgres-1conn, etcd, kubernetes");
    }
  }

  private static Backend memory() {
    InMemoryLockStore store = new InMemoryLockStore();
    return new Backend("memory") {
      @Override
      Lock lock(String lockName, String identity) {
        return store.lock(lockName, identity);
      }

      @Override
      String watch() {
        return "in-process listeners";
      }
    };
  }

  private static Backend sqlite() throws IOException {
    Path dir = Files.createTempDirectory("leasehold-bench-");
    DataSource ds = SqliteDataSources.forFile(dir.resolve("leases.db"));
    return new Backend("sqlite") {
      @Override
      Lock lock(String lockName, String identity) {
        return JdbcLock.builder(ds).name(lockName).identity(identity).build();
      }

      @Override
      String watch() {
        return "file change notification";
      }

      @Override
      public void close() throws IOException {
        ChildJvm.deleteTree(dir);
      }
    };
  }

  /**
   * PostgreSQL on loopback through a HikariCP pool, or (for the latency benchmark, one caller) one
   * reused connection.
   */
  private static Backend postgres(boolean oneConnection) throws Exception {
    PostgresServer pg = PostgresServer.start();
    java.sql.Connection physical = oneConnection ? pg.dataSource().getConnection() : null;
    HikariDataSource pool = null;
    DataSource ds;
    if (oneConnection) {
      ds = OneConnection.of(physical);
    } else {
      HikariConfig c = new HikariConfig();
      c.setDataSource(pg.dataSource());
      c.setMaximumPoolSize(8);
      pool = new HikariDataSource(c);
      ds = pool;
    }
    HikariDataSource poolToClose = pool;
    return new Backend(oneConnection ? "postgres-1conn" : "postgres") {
      @Override
      Lock lock(String lockName, String identity) {
        return JdbcLock.builder(ds).name(lockName).identity(identity).build();
      }

      @Override
      String watch() {
        return "LISTEN/NOTIFY";
      }

      @Override
      public void close() throws java.sql.SQLException {
        if (physical != null) {
          physical.close();
        }
        if (poolToClose != null) {
          poolToClose.close();
        }
        pg.close();
      }
    };
  }

  private static Backend etcd() throws Exception {
    EtcdCluster etcd = EtcdCluster.start(1);
    Client client = EtcdClients.builder().endpoints(etcd.clientUrls()).build();
    return new Backend("etcd") {
      @Override
      Lock lock(String lockName, String identity) {
        return EtcdLock.builder(client).name(lockName).identity(identity).build();
      }

      @Override
      String watch() {
        return "etcd watch";
      }

      @Override
      public void close() {
        client.close();
        etcd.close();
      }
    };
  }
}
