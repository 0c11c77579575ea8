package io.leasehold.cli.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The child that {@code leasehold run} starts in the chaos runs: every {@value
 * #DEFAULT_INTERVAL_MS} ms it makes one guarded increment of the store's counter, in one
 * transaction, with its fencing token. When the guard refuses (a newer token already wrote), it
 * records the rejected stale write and exits with {@value #REJECTED}.
 *
 * <p>It reads {@code LEASEHOLD_IDENTITY} and {@code LEASEHOLD_FENCING_TOKEN} from {@code run},
 * {@code CHAOS_STORE_URL} (a JDBC URL of the guarded store) and {@code CHAOS_DIR} from the runner.
 * Every event is appended to {@code CHAOS_DIR/activity/<identity>-t<token>-p<pid>.log}, one line
 * per write call, so a SIGKILL loses at most the attempt in flight:
 *
 * <pre>
 * start  &lt;ms&gt; &lt;pid&gt; &lt;identity&gt; &lt;token&gt;
 * ok     &lt;t0 ms&gt; &lt;t1 ms&gt; &lt;seq&gt;            an increment committed (seq = the new counter value)
 * reject &lt;t0 ms&gt; &lt;t1 ms&gt; &lt;fence&gt;          the guard refused: the store's fence was higher
 * error  &lt;ms&gt; &lt;message&gt;                  the store failed (it is never faulted; unexpected)
 * end    &lt;ms&gt;                            SIGTERM (a shutdown hook)
 * </pre>
 */
public final class ChaosWorker {
  static final int DEFAULT_INTERVAL_MS = 20;
  static final int REJECTED = 3;
  static final int FAILED = 4;

  static final String UPDATE =
      "UPDATE counter SET value = value + 1, fence = ? WHERE id = 1 AND fence <= ? RETURNING value";
  static final String INSERT =
      "INSERT INTO increments (seq, token, holder, at) VALUES (?, ?, ?, clock_timestamp())";

  private ChaosWorker() {}

  public static void main(String[] args) throws Exception {
    String identity = System.getenv("LEASEHOLD_IDENTITY");
    long token = Long.parseLong(System.getenv("LEASEHOLD_FENCING_TOKEN"));
    String url = System.getenv("CHAOS_STORE_URL");
    Path dir = Path.of(System.getenv("CHAOS_DIR"), "activity");
    long interval = Long.parseLong(envOr("CHAOS_INTERVAL_MS", "" + DEFAULT_INTERVAL_MS));
    long pid = ProcessHandle.current().pid();
    Files.createDirectories(dir);
    Journal journal = new Journal(dir.resolve(identity + "-t" + token + "-p" + pid + ".log"));
    journal.line("start " + now() + " " + pid + " " + identity + " " + token);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> journal.line("end " + now())));

    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      try (PreparedStatement update = c.prepareStatement(UPDATE);
          PreparedStatement insert = c.prepareStatement(INSERT);
          PreparedStatement fence = c.prepareStatement("SELECT fence FROM counter WHERE id = 1")) {
        while (true) {
          long t0 = now();
          update.setLong(1, token);
          update.setLong(2, token);
          Long seq = null;
          try (ResultSet rs = update.executeQuery()) {
            if (rs.next()) {
              seq = rs.getLong(1);
            }
          }
          if (seq == null) {
            c.rollback();
            long stored;
            try (ResultSet rs = fence.executeQuery()) {
              rs.next();
              stored = rs.getLong(1);
            }
            c.rollback();
            journal.line("reject " + t0 + " " + now() + " " + stored);
            System.out.println(
                "chaos-worker "
                    + identity
                    + ": rejected stale write with fencing token "
                    + token
                    + " (the store's fence is "
                    + stored
                    + "); exiting");
            System.out.flush();
            System.exit(REJECTED);
          }
          insert.setLong(1, seq);
          insert.setLong(2, token);
          insert.setString(3, identity);
          insert.executeUpdate();
          c.commit();
          journal.line("ok " + t0 + " " + now() + " " + seq);
          Thread.sleep(interval);
        }
      }
    } catch (SQLException e) {
      journal.line("error " + now() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
      System.err.println("chaos-worker " + identity + ": the store failed: " + e);
      System.exit(FAILED);
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  /** Appends whole lines with one write each (O_APPEND): a kill loses no finished line. */
  static final class Journal {
    private final FileChannel out;

    Journal(Path file) throws IOException {
      out =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    synchronized void line(String s) {
      try {
        ByteBuffer b = ByteBuffer.wrap((s + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          out.write(b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
