package io.leasehold.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.leasehold.testing.EtcdCluster;
import io.leasehold.testing.MockApiDispatcher;
import io.leasehold.testing.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A backend server for the multi-process benchmarks, started on loopback for the run: what a child
 * connects to ({@link #target}, {@link #env}), the server's own CPU time, and a counter of the
 * requests it served.
 */
abstract class BenchServer implements AutoCloseable {
  final String backend;

  BenchServer(String backend) {
    this.backend = backend;
  }

  /** What a child process passes to its client: a URL, a file or a connect string. */
  abstract String target();

  /** Environment for child processes (a kubeconfig). */
  Map<String, String> env() {
    return Map.of();
  }

  /** The server's CPU ticks, processes and their children; -1 when there is no server process. */
  abstract long cpuTicks();

  /** The server's request counters: name (unit) to count so far. */
  abstract Map<String, Long> requests() throws Exception;

  @Override
  public void close() throws java.sql.SQLException {}

  static BenchServer start(String backend, Path dir, Duration lease) throws Exception {
    return switch (backend) {
      case "postgres" -> postgres();
      case "etcd" -> etcd();
      case "sqlite" -> sqlite(dir);
      case "curator" -> zooKeeper(dir, lease);
      case "kubernetes", "fabric8" -> kubernetes(backend, dir);
      default ->
          throw new IllegalArgumentException(
              "unknown backend "
                  + backend
                  + ": postgres, etcd, sqlite, curator, kubernetes,"
                  + " fabric8");
    };
  }

  private static BenchServer postgres() throws Exception {
    PostgresServer pg = PostgresServer.start();
    Connection monitor = pg.dataSource().getConnection();
    long postmaster;
    try (Statement s = monitor.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      postmaster =
          ProcessHandle.of(r.getLong(1)).flatMap(ProcessHandle::parent).orElseThrow().pid();
    }
    return new BenchServer("postgres") {
      @Override
      String target() {
        return pg.jdbcUrl() + "?user=postgres";
      }

      @Override
      long cpuTicks() {
        return ProcCpu.treeTicks(postmaster);
      }

      @Override
      Map<String, Long> requests() throws Exception {
        try (Statement s = monitor.createStatement();
            ResultSet r =
                s.executeQuery(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database"
                        + " WHERE datname = 'postgres'")) {
          r.next();
          return Map.of("transactions", r.getLong(1));
        }
      }

      @Override
      public void close() throws java.sql.SQLException {
        monitor.close();
        pg.close();
      }
    };
  }

  private static BenchServer etcd() throws Exception {
    EtcdCluster etcd = EtcdCluster.start(1);
    String url = etcd.clientUrls()[0];
    long pid =
        ProcessHandle.current()
            .children()
            .filter(p -> p.info().commandLine().orElse("").contains(etcd.dir().toString()))
            .findFirst()
            .orElseThrow()
            .pid();
    HttpClient http = HttpClient.newHttpClient();
    return new BenchServer("etcd") {
      @Override
      String target() {
        return url;
      }

      @Override
      long cpuTicks() {
        return ProcCpu.ticks(pid);
      }

      @Override
      Map<String, Long> requests() throws Exception {
        String metrics =
            http.send(
                    HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Long> m = new java.util.TreeMap<>();
        for (String line : metrics.split("\n")) {
          for (String name :
              List.of(
                  "etcd_debugging_mvcc_txn_total",
                  "etcd_debugging_mvcc_range_total",
                  "etcd_debugging_mvcc_put_total",
                  "etcd_server_proposals_committed_total")) {
            if (line.startsWith(name + " ")) {
              m.put(name, (long) Double.parseDouble(line.substring(name.length() + 1).trim()));
            }
          }
        }
        return m;
      }

      @Override
      public void close() {
        etcd.close();
      }
    };
  }

  private static BenchServer sqlite(Path dir) {
    Path file = dir.resolve("leases.db");
    return new BenchServer("sqlite") {
      @Override
      String target() {
        return file.toString();
      }

      @Override
      long cpuTicks() {
        return -1;
      }

      @Override
      Map<String, Long> requests() {
        return Map.of();
      }
    };
  }

  private static BenchServer zooKeeper(Path dir, Duration session) throws Exception {
    // sessions may last 2 to 20 ticks: the shortest tick (so the finest expiry) that allows it
    int tick = (int) Math.max(100, (session.toMillis() + 19) / 20);
    ChildJvm zk =
        ChildJvm.start(
            "zookeeper",
            System.getProperty("java.class.path"),
            ZooKeeperServerProcess.class.getName(),
            List.of(Integer.toString(tick)),
            Map.of(),
            dir);
    int port;
    try {
      port = Integer.parseInt(zk.await("ready", Duration.ofSeconds(60)).get("port"));
    } catch (RuntimeException e) {
      zk.close();
      throw e;
    }
    return new BenchServer("curator") {
      @Override
      String target() {
        return "127.0.0.1:" + port;
      }

      @Override
      long cpuTicks() {
        return ProcCpu.ticks(zk.pid());
      }

      @Override
      Map<String, Long> requests() throws IOException {
        return Map.of("packets", ZooKeeperServerProcess.received(port));
      }

      @Override
      public void close() {
        zk.close();
      }
    };
  }

  /** fabric8's mock API server in CRUD mode, in this JVM, and a kubeconfig naming it. */
  private static BenchServer kubernetes(String backend, Path dir) throws IOException {
    KubernetesMockServer server = MockApiDispatcher.startServer();
    Path kubeconfig = dir.resolve("kubeconfig-" + backend);
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: http://127.0.0.1:%d
        contexts:
        - name: mock
          context:
            cluster: mock
            namespace: default
            user: bench
        current-context: mock
        users:
        - name: bench
          user:
            token: bench
        """
            .formatted(server.getPort()));
    return new BenchServer(backend) {
      @Override
      String target() {
        return "";
      }

      @Override
      Map<String, String> env() {
        return Map.of("KUBECONFIG", kubeconfig.toString());
      }

      @Override
      long cpuTicks() {
        return -1; // runs inside the coordinator
      }

      @Override
      Map<String, Long> requests() {
        return Map.of();
      }

      @Override
      public void close() {
        MockApiDispatcher.stopServer(server);
      }
    };
  }
}
