package io.leasehold.cli.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.etcd.jetcd.Client;
import io.leasehold.etcd.EtcdClients;
import io.leasehold.etcd.EtcdLock;
import io.leasehold.jdbc.JdbcLock;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The lock as its backend sees it, for a partition run: a small process in the lock's namespace (so
 * no fault cuts it off) that reads the lock every {@value #POLL_MS} ms and appends a line each time
 * the holder or the fencing token changes:
 *
 * <pre>
 * term  &lt;read ms&gt; &lt;token&gt; &lt;holder, - when released&gt; &lt;acquireTime ms&gt; &lt;renewTime ms&gt;
 * error &lt;ms&gt; &lt;message&gt;       the first failed read of a run of failures
 * </pre>
 *
 * A term's acquisition record carries the wall time at which its holder's acquiring attempt
 * started, before its write: a lower bound of the moment the term began, which is what the
 * partition checks compare a cut-off leader's stop with. Exits when the runner's process is gone.
 *
 * <p>{@code LockRecorder <lock spec> <lock name> <file> <runner pid>}
 */
public final class LockRecorder {
  static final int POLL_MS = 20;

  private LockRecorder() {}

  /** One term as recorded. */
  record Term(long token, String holder, long readAt, long acquiredAt, long renewedAt) {
    boolean released() {
      return holder.isEmpty();
    }
  }

  public static void main(String[] args) throws Exception {
    String spec = args[0];
    String name = args[1];
    ChaosWorker.Journal journal = new ChaosWorker.Journal(Path.of(args[2]));
    long runner = Long.parseLong(args[3]);
    List<AutoCloseable> resources = new ArrayList<>();
    Lock lock = open(spec, name, resources);
    String last = null;
    boolean failing = false;
    long nextParentCheck = 0;
    try {
      while (true) {
        long now = System.currentTimeMillis();
        if (now >= nextParentCheck) {
          if (ProcessHandle.of(runner).isEmpty()) {
            return;
          }
          nextParentCheck = now + 1_000;
        }
        try {
          Optional<LockSnapshot> s = lock.get(Duration.ofSeconds(1));
          long read = System.currentTimeMillis(); // a read may take long on a busy machine
          failing = false;
          if (s.isPresent()) {
            LeaderElectionRecord r = s.get().record();
            String holder = r.hasHolder() ? r.holderIdentity() : "-";
            String key = r.fencingToken() + " " + holder;
            if (!key.equals(last)) {
              journal.line(
                  "term "
                      + read
                      + " "
                      + key
                      + " "
                      + millis(r.acquireTime())
                      + " "
                      + millis(r.renewTime()));
              last = key;
            }
          }
        } catch (LockException e) {
          if (!failing) {
            journal.line("error " + now + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
          }
          failing = true;
        }
        Thread.sleep(POLL_MS);
      }
    } finally {
      for (AutoCloseable r : resources) {
        r.close();
      }
    }
  }

  private static Lock open(String spec, String name, List<AutoCloseable> resources) {
    if (spec.startsWith("etcd:")) {
      Client client = EtcdClients.builder().endpoints(spec.substring(5)).build();
      resources.add(client);
      return EtcdLock.builder(client).name(name).identity("chaos-recorder").build();
    }
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setURL(spec);
    pg.setUser("postgres");
    pg.setConnectTimeout(2);
    pg.setSocketTimeout(5);
    HikariConfig c = new HikariConfig();
    c.setDataSource(pg);
    c.setMaximumPoolSize(1);
    c.setInitializationFailTimeout(-1);
    HikariDataSource ds = new HikariDataSource(c);
    resources.add(ds);
    return JdbcLock.builder(ds).name(name).identity("chaos-recorder").build();
  }

  private static long millis(Instant t) {
    return t == null ? 0 : t.toEpochMilli();
  }

  /** The terms recorded in {@code file}, in the order seen; holder empty for a released lock. */
  static List<Term> read(Path file) throws IOException {
    List<Term> terms = new ArrayList<>();
    if (!Files.exists(file)) {
      return terms;
    }
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(" ");
      if (f[0].equals("term") && f.length == 6) {
        terms.add(
            new Term(
                Long.parseLong(f[2]),
                f[3].equals("-") ? "" : f[3],
                Long.parseLong(f[1]),
                Long.parseLong(f[4]),
                Long.parseLong(f[5])));
      }
    }
    return terms;
  }
}
