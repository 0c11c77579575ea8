package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * What full synchronous mode costs a renewal: {@link JdbcLock#update} on a pool from {@link
 * SqliteDataSources#forFile} (synchronous FULL: the WAL is synced at every commit) against the same
 * pool in NORMAL mode, alternating, in one run, on a folder of the disk (not tmpfs, where a sync
 * costs nothing).
 *
 * <pre>bin/run-main leasehold-jdbc io.leasehold.jdbc.SqliteSyncCost [samples] [folder]</pre>
 */
public final class SqliteSyncCost {
  private SqliteSyncCost() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Path parent = Path.of(args.length > 1 ? args[1] : "leasehold-jdbc/target");
    Path dir = Files.createTempDirectory(Files.createDirectories(parent), "sync-cost-");
    SQLiteConfig normal = new SQLiteConfig();
    normal.setJournalMode(SQLiteConfig.JournalMode.WAL);
    normal.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    normal.setBusyTimeout(5_000);
    normal.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource normalDs = new SQLiteDataSource(normal);
    normalDs.setUrl("jdbc:sqlite:" + dir.resolve("normal.db"));
    Duration t = Duration.ofSeconds(5);
    Instant now = Instant.now();
    LeaderElectionRecord r =
        LeaderElectionRecord.builder()
            .holderIdentity("a")
            .leaseDurationSeconds(15)
            .acquireTime(now)
            .renewTime(now)
            .fencingToken(1)
            .build();
    double[] full = new double[samples];
    double[] plain = new double[samples];
    try (SqliteConnectionPool fullPool = SqliteDataSources.forFile(dir.resolve("full.db"));
        SqliteConnectionPool normalPool =
            new SqliteConnectionPool(dir.resolve("normal.db"), normalDs, true)) {
      JdbcLock f = JdbcLock.builder(fullPool).name("x").identity("a").build();
      JdbcLock n = JdbcLock.builder(normalPool).name("x").identity("a").build();
      LockSnapshot fs = f.create(r, t);
      LockSnapshot ns = n.create(r, t);
      for (int i = 0; i < 50; i++) {
        fs = f.update(fs, r, t);
        ns = n.update(ns, r, t);
      }
      for (int i = 0; i < samples; i++) {
        long t0 = System.nanoTime();
        fs = f.update(fs, r, t);
        full[i] = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        ns = n.update(ns, r, t);
        plain[i] = (System.nanoTime() - t0) / 1e6;
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Arrays.sort(full);
    Arrays.sort(plain);
    System.out.printf(
        Locale.ROOT,
        "SQLite renewal (JdbcLock.update), %d each, alternating, in %s%n"
            + "| synchronous | median | p99 |%n|---|---|---|%n"
            + "| FULL (SqliteDataSources) | %.2f ms | %.2f ms |%n"
            + "| NORMAL | %.2f ms | %.2f ms |%n"
            + "ratio of medians %.1f%n",
        samples,
        parent.toAbsolutePath(),
        full[samples / 2],
        full[samples * 99 / 100],
        plain[samples / 2],
        plain[samples * 99 / 100],
        full[samples / 2] / plain[samples / 2]);
  }
}
