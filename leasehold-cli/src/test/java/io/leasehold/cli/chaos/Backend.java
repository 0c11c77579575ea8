package io.leasehold.cli.chaos;

import io.leasehold.testing.EtcdCluster;
import io.leasehold.testing.PostgresServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A lock backend under chaos: started for one run, with its own fault (a restart), closed after.
 */
abstract class Backend implements AutoCloseable {
  /** The backends in run order, by the names {@code --backends} takes. */
  static final List<String> ALL = List.of("sqlite", "postgres", "etcd");

  /** The backends a partition run can cut off: servers reached over a network. */
  static final List<String> NETWORKED = List.of("postgres", "etcd");

  /**
   * Starts the backend named {@code name}; {@code dir} is the run's folder. With a {@code network}
   * the server runs in its lock namespace (SQLite, a local file, cannot).
   */
  static Backend start(String name, Path dir, Network network) throws Exception {
    String ns = network == null ? null : network.lockNamespace();
    switch (name.toLowerCase(Locale.ROOT)) {
      case "sqlite":
        if (network != null) {
          throw new IllegalArgumentException("SQLite is a local file: it cannot be partitioned");
        }
        return new Sqlite(dir);
      case "postgres":
      case "postgresql":
        return network == null
            ? new Postgres(PostgresServer.start(), null)
            : Postgres.inNamespace(PostgresServer.startInNetworkNamespace(ns));
      case "etcd":
        return new Etcd(
            network == null ? EtcdCluster.start(1) : EtcdCluster.startInNetworkNamespace(ns));
      default:
        throw new IllegalArgumentException(
            "unknown backend " + name + " (expected one of " + ALL + ")");
    }
  }

  /** The name in the report. */
  abstract String name();

  /** The lock spec for {@code leasehold run --lock}, on loopback. */
  final String lockSpec() {
    return lockSpec("127.0.0.1");
  }

  /**
   * The lock spec for {@code leasehold run --lock} of a client that reaches the server at {@code
   * host}.
   */
  abstract String lockSpec(String host);

  /** Environment for the candidates. */
  Map<String, String> env() {
    return Map.of();
  }

  /**
   * What {@link #down} and {@link #up} do, for the report; null when the runner kills all
   * candidates instead.
   */
  abstract String restartFault();

  /** Takes the backend down, as a crash or a maintenance stop would. */
  abstract void down() throws Exception;

  /** Brings it back on the same port and data, and waits until it serves. */
  abstract void up() throws Exception;

  /**
   * Why a frozen leader might keep the others from taking over, when the backend can tell; empty
   * otherwise.
   */
  String frozenHolderDiagnosis() {
    return "";
  }

  @Override
  public void close() {}

  static final class Sqlite extends Backend {
    private final Path file;

    Sqlite(Path dir) {
      this.file = dir.resolve("leases.db");
    }

    @Override
    String name() {
      return "SQLite";
    }

    @Override
    String lockSpec(String host) {
      return "sqlite:" + file;
    }

    @Override
    String restartFault() {
      return null; // a file cannot restart: the runner SIGKILLs every candidate instead
    }

    @Override
    void down() {
      throw new UnsupportedOperationException();
    }

    @Override
    void up() {
      throw new UnsupportedOperationException();
    }
  }

  static final class Postgres extends Backend {
    private final PostgresServer server;
    private final UnixRelay relay; // the runner's way in when the server is in a namespace

    Postgres(PostgresServer server, UnixRelay relay) {
      this.server = server;
      this.relay = relay;
    }

    static Postgres inNamespace(PostgresServer server) throws java.io.IOException {
      try {
        return new Postgres(server, UnixRelay.start(server.socketFile()));
      } catch (java.io.IOException | RuntimeException e) {
        server.close();
        throw e;
      }
    }

    @Override
    String name() {
      return "PostgreSQL";
    }

    @Override
    String lockSpec(String host) {
      return "jdbc:postgresql://" + host + ":" + server.port() + "/postgres";
    }

    @Override
    Map<String, String> env() {
      return Map.of("PGUSER", "postgres");
    }

    @Override
    String restartFault() {
      return "PostgreSQL stop (fast) + start";
    }

    @Override
    String frozenHolderDiagnosis() {
      String url =
          "jdbc:postgresql://127.0.0.1:"
              + (relay != null ? relay.port() : server.port())
              + "/postgres?user=postgres&connectTimeout=2&socketTimeout=10";
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
          java.sql.Statement s = c.createStatement();
          java.sql.ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
                      + " AND query LIKE 'UPDATE leasehold_leases%'")) {
        rs.next();
        return rs.getInt(1) > 0
            ? "the lease row is locked by a session idle in transaction after its UPDATE"
            : "";
      } catch (java.sql.SQLException e) {
        return "";
      }
    }

    @Override
    void down() throws Exception {
      server.stop();
    }

    @Override
    void up() throws Exception {
      server.restart(); // starts the stopped server
    }

    @Override
    public void close() {
      if (relay != null) {
        relay.close();
      }
      server.close();
    }
  }

  static final class Etcd extends Backend {
    private final EtcdCluster cluster;

    Etcd(EtcdCluster cluster) {
      this.cluster = cluster;
    }

    @Override
    String name() {
      return "etcd";
    }

    @Override
    String lockSpec(String host) {
      return "etcd:http://" + host + ":" + cluster.members().get(0).clientPort();
    }

    @Override
    String restartFault() {
      return "etcd member SIGKILL + restart";
    }

    @Override
    void down() {
      cluster.members().get(0).kill();
    }

    @Override
    void up() throws Exception {
      cluster.members().get(0).restart();
    }

    @Override
    public void close() {
      cluster.close();
    }
  }
}
