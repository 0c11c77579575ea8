package io.leasehold.cli.chaos;

import io.leasehold.etcd.testing.EtcdCluster;
import io.leasehold.jdbc.testing.PostgresServer;
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

  /** Starts the backend named {@code name}; {@code dir} is the run's folder. */
  static Backend start(String name, Path dir) throws Exception {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "sqlite":
        return new Sqlite(dir);
      case "postgres":
      case "postgresql":
        return new Postgres(PostgresServer.start());
      case "etcd":
        return new Etcd(EtcdCluster.start(1));
      default:
        throw new IllegalArgumentException(
            "unknown backend " + name + " (expected one of " + ALL + ")");
    }
  }

  /** The name in the report. */
  abstract String name();

  /** The lock spec for {@code leasehold run --lock}. */
  abstract String lockSpec();

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
    String lockSpec() {
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

    Postgres(PostgresServer server) {
      this.server = server;
    }

    @Override
    String name() {
      return "PostgreSQL";
    }

    @Override
    String lockSpec() {
      return server.jdbcUrl();
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
      try (java.sql.Connection c = server.dataSource().getConnection();
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
    String lockSpec() {
      return "etcd:" + cluster.clientUrls()[0];
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
