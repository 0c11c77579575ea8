package io.leasehold.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * SQLite data sources configured for leases shared by processes on one host: WAL journal (readers
 * never block the writer), a busy timeout, immediate write transactions, and normal synchronous
 * mode for renewals; a write that starts a term (and so hands out a fencing token) runs in full
 * synchronous mode, on disk before it returns, so the token survives a power loss ({@link
 * JdbcLock}). Connections are kept open and reused in a {@link SqliteConnectionPool}, which whoever
 * created it closes. Needs {@code org.xerial:sqlite-jdbc} on the class path.
 */
public final class SqliteDataSources {
  private SqliteDataSources() {}

  /**
   * A pool of connections to the database file {@code file}, created on first use. Close it once
   * the locks using it are done: that closes its connections, and the last connection to the file
   * copies the write-ahead log into the database file, so that the {@code .db} alone holds
   * everything.
   *
   * @throws IllegalArgumentException when the file's folder does not exist or is not writable, or
   *     the file exists but is not writable (SQLite writes its WAL and shared-memory files next to
   *     the database, so the folder must be writable too)
   */
  public static SqliteConnectionPool forFile(Path file) {
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
    refuseFolder(db);
    if (Files.exists(db) && !Files.isWritable(db)) {
      throw new IllegalArgumentException(
          "cannot use SQLite database " + db + ": the file is not writable");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // renewals need not be on disk (a power loss takes every candidate of this host with it);
    // a new term's commit is made durable on its own (Dialect.SQLITE)
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(5_000);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + db);
    return new SqliteConnectionPool(db, ds, true);
  }

  /**
   * Read-only connections to the existing database file {@code file}, for looking at leases without
   * taking part: nothing is created or written, and a file or folder the caller may not write is
   * fine. When no write-ahead log is present (no process has the file open), the file is read as it
   * is, without the shared-memory file a WAL reader would otherwise create next to it. Close the
   * pool when done.
   *
   * @throws IllegalArgumentException when the file does not exist, is a folder or is not readable
   */
  public static SqliteConnectionPool forReading(Path file) {
    Path db = file.toAbsolutePath().normalize();
    refuseFolder(db);
    if (!Files.isRegularFile(db)) {
      throw new IllegalArgumentException("no SQLite database at " + db);
    }
    if (!Files.isReadable(db)) {
      throw new IllegalArgumentException(
          "cannot read SQLite database " + db + ": the file is not readable");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5_000);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    boolean walPresent = Files.exists(Path.of(db + "-wal"));
    // immutable: no locks and no -shm file; only safe when no process has the file open in WAL
    // mode, which the absence of the -wal file shows (a checkpointed close deletes it)
    ds.setUrl("jdbc:sqlite:" + db.toUri() + (walPresent ? "" : "?immutable=1"));
    return new SqliteConnectionPool(db, ds, false);
  }

  private static void refuseFolder(Path db) {
    if (Files.isDirectory(db)) {
      throw new IllegalArgumentException(
          "cannot use SQLite database " + db + ": it is a folder, not a file");
    }
  }
}
