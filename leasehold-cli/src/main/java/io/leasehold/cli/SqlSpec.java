package io.leasehold.cli;

import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockMisconfiguredException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * {@code sqlite:<file>} and {@code jdbc:postgresql://...}: {@link JdbcLock}s on one data source,
 * closed with the spec. For reading only ({@code status}), an SQLite file is opened read-only and
 * never created, and PostgreSQL gets a plain connection per call bounded by the call's timeout.
 */
final class SqlSpec extends LockSpec {
  private final DataSource dataSource;
  private final AutoCloseable pool;
  private final LockOptions options;
  private final boolean readOnly;
  private final boolean absent;

  private SqlSpec(
      DataSource dataSource,
      AutoCloseable pool,
      LockOptions options,
      String display,
      List<String> addresses,
      boolean readOnly,
      boolean absent) {
    super(display, addresses, options.name);
    this.dataSource = dataSource;
    this.pool = pool;
    this.options = options;
    this.readOnly = readOnly;
    this.absent = absent;
  }

  static LockSpec sqlite(String path, LockOptions o, boolean readOnly) {
    String display = "sqlite:" + path;
    Path file = Path.of(path).toAbsolutePath().normalize();
    if (!readOnly) {
      var pool = SqliteDataSources.forFile(file);
      return new SqlSpec(pool, pool, o, display, List.of(), false, false).checked();
    }
    if (Files.exists(file)) {
      var pool = SqliteDataSources.forReading(file);
      return new SqlSpec(pool, pool, o, display, List.of(), true, false).checked();
    }
    if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
      throw new IllegalArgumentException(
          "cannot use SQLite database "
              + file
              + ": folder "
              + file.getParent()
              + " does not exist");
    }
    // no file: nobody has competed; the lock is built for its checks and description only
    SQLiteDataSource never = new SQLiteDataSource();
    never.setUrl("jdbc:sqlite:" + file);
    return new SqlSpec(never, null, o, display, List.of(), true, true).checked();
  }

  static LockSpec postgres(String url, LockOptions o, boolean readOnly) {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    try {
      pg.setURL(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid PostgreSQL URL '" + withoutQuery(url) + "': " + e.getMessage());
    }
    String user = o.user != null ? o.user : System.getenv("PGUSER");
    if (user != null && !user.isEmpty()) {
      pg.setUser(user);
    }
    String password = password(o, "PGPASSWORD");
    if (password != null) {
      pg.setPassword(password);
    }
    int seconds = wholeSeconds(o.callTimeout);
    pg.setConnectTimeout(seconds);
    pg.setLoginTimeout(seconds);
    List<String> addresses = new ArrayList<>();
    String[] hosts = pg.getServerNames();
    int[] ports = pg.getPortNumbers();
    for (int i = 0; i < hosts.length; i++) {
      int port = ports != null && i < ports.length && ports[i] > 0 ? ports[i] : 5432;
      addresses.add(hosts[i] + ":" + port);
    }
    String display = withoutQuery(url);
    if (readOnly) {
      return new SqlSpec(pg, null, o, display, addresses, true, false).checked();
    }
    PostgresPool pool = new PostgresPool(pg, String.join(",", addresses), o.callTimeout);
    return new SqlSpec(pool, pool, o, display, addresses, false, false).checked();
  }

  private static int wholeSeconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (d.toMillis() + 999) / 1000));
  }

  @Override
  Lock lock(String identity) {
    JdbcLock.Builder b =
        JdbcLock.builder(dataSource).name(options.name).identity(identity).createTable(!readOnly);
    if (options.table != null) {
      b.table(options.table);
    }
    return b.build();
  }

  /** The lease table has the wrong shape: JdbcLock names the missing columns. */
  @Override
  boolean isMisconfiguration(LockException e) {
    return e instanceof LockMisconfiguredException;
  }

  /** The lease table does not exist (read only: it is not created), so nobody has competed. */
  @Override
  boolean isAbsence(LockException e) {
    if (!readOnly || !(e.getCause() instanceof SQLException)) {
      return false;
    }
    SQLException cause = (SQLException) e.getCause();
    String m = cause.getMessage() == null ? "" : cause.getMessage();
    return "42P01".equals(cause.getSQLState()) || m.contains("no such table");
  }

  @Override
  boolean absent() {
    return absent;
  }

  @Override
  public void close() {
    if (pool != null) {
      try {
        pool.close();
      } catch (Exception e) {
        // closing is best effort: the process is about to end
      }
    }
  }
}
