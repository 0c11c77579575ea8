package io.leasehold.cli.chaos;

import io.leasehold.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The data the leaders' children write, guarded by the fencing token: a PostgreSQL server of its
 * own (never faulted), with one database per backend run holding
 *
 * <pre>
 * counter(id int primary key, value bigint, fence bigint)             -- one row, id = 1
 * increments(seq bigint primary key, token bigint, holder text, at timestamptz)
 * </pre>
 *
 * In a partition run the server lives in the store namespace of the {@link Network}; the children
 * reach it over their store links and the runner through its Unix socket ({@link UnixRelay}).
 */
final class GuardedStore implements AutoCloseable {
  private final PostgresServer server;
  private final UnixRelay relay; // null on loopback

  private GuardedStore(PostgresServer server, UnixRelay relay) {
    this.server = server;
    this.relay = relay;
  }

  /** A store on loopback. */
  static GuardedStore start() throws Exception {
    return new GuardedStore(PostgresServer.start(), null);
  }

  /** A store in {@code network}'s store namespace. */
  static GuardedStore startIn(Network network) throws Exception {
    PostgresServer server = PostgresServer.startInNetworkNamespace(network.storeNamespace());
    try {
      return new GuardedStore(server, UnixRelay.start(server.socketFile()));
    } catch (Exception e) {
      server.close();
      throw e;
    }
  }

  /** Creates a fresh database {@code chaos_<name>} with the two tables and the counter at 0. */
  Database create(String name) throws SQLException {
    String db = "chaos_" + name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    try (Connection c = DriverManager.getConnection(url("127.0.0.1", runnerPort(), "postgres"));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + db);
      s.execute("CREATE DATABASE " + db);
    }
    Database d =
        new Database(url("127.0.0.1", runnerPort(), db), host -> url(host, server.port(), db));
    try (Connection c = d.connect();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE counter (id int PRIMARY KEY, value bigint NOT NULL, fence bigint NOT"
              + " NULL)");
      s.execute(
          "CREATE TABLE increments (seq bigint PRIMARY KEY, token bigint NOT NULL,"
              + " holder text NOT NULL, at timestamptz NOT NULL)");
      s.execute("INSERT INTO counter VALUES (1, 0, 0)");
    }
    return d;
  }

  private int runnerPort() {
    return relay != null ? relay.port() : server.port();
  }

  private static String url(String host, int port, String db) {
    return "jdbc:postgresql://"
        + host
        + ":"
        + port
        + "/"
        + db
        + "?user=postgres&connectTimeout=5&socketTimeout=60&ApplicationName=chaos";
  }

  @Override
  public void close() {
    if (relay != null) {
      relay.close();
    }
    server.close();
  }

  /** One run's database. */
  static final class Database {
    /** The runner's URL. */
    final String url;

    private final UnaryOperator<String> childUrl;
    private Connection poll;

    Database(String url, UnaryOperator<String> childUrl) {
      this.url = url;
      this.childUrl = childUrl;
    }

    /**
     * The URL for a child that reaches the store at {@code host} (its store link's address in a
     * partition run; 127.0.0.1 otherwise).
     */
    String childUrl(String host) {
      return childUrl.apply(host);
    }

    Connection connect() throws SQLException {
      return DriverManager.getConnection(url);
    }

    /** The newest increment, or null when there is none yet. */
    synchronized Increment last() throws SQLException {
      try (Statement s = polling().createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT seq, token, holder, (extract(epoch FROM at) * 1000)::bigint"
                      + " FROM increments ORDER BY seq DESC LIMIT 1")) {
        return rs.next()
            ? new Increment(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4))
            : null;
      }
    }

    /** The counter's fence: the highest token that has written. */
    synchronized long fence() throws SQLException {
      return counter()[1];
    }

    /** The counter row: {value, fence}. */
    synchronized long[] counter() throws SQLException {
      try (Statement s = polling().createStatement();
          ResultSet rs = s.executeQuery("SELECT value, fence FROM counter WHERE id = 1")) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
    }

    /** Sessions of this database waiting for a lock: writers queued behind an open transaction. */
    synchronized int blockedWriters() throws SQLException {
      try (Statement s = polling().createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM pg_stat_activity"
                      + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
        rs.next();
        return rs.getInt(1);
      }
    }

    /** Every increment in seq order. */
    synchronized List<Increment> increments() throws SQLException {
      List<Increment> all = new ArrayList<>();
      try (Statement s = polling().createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT seq, token, holder, (extract(epoch FROM at) * 1000)::bigint"
                      + " FROM increments ORDER BY seq")) {
        while (rs.next()) {
          all.add(new Increment(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4)));
        }
      }
      return all;
    }

    private Connection polling() throws SQLException {
      if (poll == null || !poll.isValid(2)) {
        poll = connect();
      }
      return poll;
    }

    synchronized void close() {
      try {
        if (poll != null) {
          poll.close();
        }
      } catch (SQLException ignored) {
        // the run is over
      }
    }
  }

  /** One row of {@code increments}; {@code at} in epoch milliseconds. */
  static final class Increment {
    final long seq;
    final long token;
    final String holder;
    final long at;

    Increment(long seq, long token, String holder, long at) {
      this.seq = seq;
      this.token = token;
      this.holder = holder;
      this.at = at;
    }
  }
}
