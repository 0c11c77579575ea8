package io.leasehold.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * SQLite data sources configured for leases shared by processes on one host: WAL journal (readers
 * never block the writer), a busy timeout, immediate write transactions and normal synchronous
 * mode. Up to eight idle connections are kept open and reused: opening one per call is slow, and
 * closing the last one would checkpoint the WAL with an fsync each time. Needs {@code
 * org.xerial:sqlite-jdbc} on the class path.
 */
public final class SqliteDataSources {
  private SqliteDataSources() {}

  /**
   * A data source on the database file {@code file}, created on first use.
   *
   * @throws IllegalArgumentException when the file's folder does not exist or is not writable, or
   *     the file exists but is not writable (SQLite writes its WAL and shared-memory files next to
   *     the database, so the folder must be writable too)
   */
  public static DataSource forFile(Path file) {
    Path db = file.toAbsolutePath().normalize();
    Path folder = db.getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(
          "cannot use SQLite database " + db + ": folder " + folder + " does not exist");
    }
    if (!Files.isWritable(folder)) {
      throw new IllegalArgumentException(
          "cannot use SQLite database "
              + db
              + ": folder "
              + folder
              + " is not writable (SQLite keeps its journal next to the database)");
    }
    if (Files.isDirectory(db)) {
      throw new IllegalArgumentException(
          "cannot use SQLite database " + db + ": it is a folder, not a file");
    }
    if (Files.exists(db) && !Files.isWritable(db)) {
      throw new IllegalArgumentException(
          "cannot use SQLite database " + db + ": the file is not writable");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(5_000);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + db);
    return new SqliteConnectionPool(db, ds);
  }
}
