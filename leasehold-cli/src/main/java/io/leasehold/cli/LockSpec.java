package io.leasehold.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Turns a lock spec ({@code sqlite:<file>}, {@code jdbc:postgresql://...}, {@code
 * kubernetes:<namespace>}, {@code etcd:<endpoints>}) into locks. A spec that cannot work raises
 * {@link IllegalArgumentException} with one clear line; credentials never appear in it.
 */
abstract class LockSpec implements AutoCloseable {

  /** A lock for {@code identity} on the named lock. */
  abstract Lock lock(String identity);

  /** The spec without credentials, for logs. */
  abstract String display();

  @Override
  public void close() {}

  /**
   * Builds one lock now, so that a bad lock name, prefix, type or table is a usage error before
   * anything runs; closes this spec when it fails.
   */
  LockSpec checked() {
    try {
      lock("probe");
      return this;
    } catch (IllegalArgumentException e) {
      close();
      throw e;
    }
  }

  static LockSpec parse(LockOptions o) {
    String spec = o.spec.trim();
    String lower = spec.toLowerCase(Locale.ROOT);
    if (lower.startsWith("sqlite:")) {
      return sql(
          SqliteDataSources.forFile(Path.of(spec.substring("sqlite:".length()))),
          o,
          "sqlite:" + spec.substring(7),
          () -> {});
    }
    if (lower.startsWith("jdbc:postgresql:")) {
      HikariDataSource pool = pooled(postgres(spec, o));
      return sql(pool, o, withoutQuery(spec), pool::close);
    }
    if (lower.startsWith("kubernetes:")) {
      return KubernetesSpec.parse(spec.substring("kubernetes:".length()), o, o.renewDeadline);
    }
    if (lower.startsWith("etcd:")) {
      return EtcdSpec.parse(spec.substring("etcd:".length()), o, password(o, "ETCD_PASSWORD"));
    }
    throw new IllegalArgumentException(
        "unknown lock spec '"
            + withoutQuery(spec)
            + "': use sqlite:<file>, jdbc:postgresql://<host>:<port>/<db>,"
            + " kubernetes:<namespace> or etcd:<endpoints>");
  }

  private static LockSpec sql(DataSource ds, LockOptions o, String display, Runnable close) {
    return new LockSpec() {
      @Override
      Lock lock(String identity) {
        JdbcLock.Builder b = JdbcLock.builder(ds).name(o.name).identity(identity);
        if (o.table != null) {
          b.table(o.table);
        }
        return b.build();
      }

      @Override
      String display() {
        return display;
      }

      @Override
      public void close() {
        close.run();
      }
    }.checked();
  }

  /**
   * A small connection pool: a new PostgreSQL connection per call costs several milliseconds. It
   * starts even while the server is down (the elector retries), and one of its connections serves
   * LISTEN for the watch.
   */
  private static HikariDataSource pooled(DataSource ds) {
    HikariConfig c = new HikariConfig();
    c.setDataSource(ds);
    c.setPoolName("leasehold");
    c.setMaximumPoolSize(4);
    c.setMinimumIdle(1);
    c.setConnectionTimeout(5_000);
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  private static DataSource postgres(String url, LockOptions o) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    try {
      ds.setURL(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid PostgreSQL URL '" + withoutQuery(url) + "': " + e.getMessage());
    }
    String user = o.user != null ? o.user : System.getenv("PGUSER");
    if (user != null && !user.isEmpty()) {
      ds.setUser(user);
    }
    String password = password(o, "PGPASSWORD");
    if (password != null) {
      ds.setPassword(password);
    }
    ds.setConnectTimeout(5);
    return ds;
  }

  /** The password from --password-file, else from the environment variable; never logged. */
  static String password(LockOptions o, String variable) {
    if (o.passwordFile != null) {
      try {
        return Files.readString(o.passwordFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read the password file " + o.passwordFile + ": " + e.getMessage());
      }
    }
    return System.getenv(variable);
  }

  static String withoutQuery(String spec) {
    int q = spec.indexOf('?');
    return q < 0 ? spec : spec.substring(0, q) + "?...";
  }
}
