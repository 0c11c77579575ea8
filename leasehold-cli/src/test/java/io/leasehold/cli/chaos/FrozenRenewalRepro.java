package io.leasehold.cli.chaos;

import io.leasehold.cli.Leasehold;
import io.leasehold.testing.PostgresServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Reproduces what one chaos run found on PostgreSQL: a leader frozen while its renewal transaction
 * is open (its UPDATE done, its COMMIT not yet sent) keeps the lease row locked, so no other
 * candidate can take over for as long as it stays frozen, although the lease expired long ago. Run
 * with {@code bin/run-main leasehold-cli io.leasehold.cli.chaos.FrozenRenewalRepro}.
 *
 * <p>Three candidates ({@code leasehold run}, lease 2 s) on a fresh server. First a control:
 * SIGSTOP of the leader while it is between transactions; a follower takes over after about a
 * lease. Then SIGSTOP of the leader, retried at random moments until the server shows its session
 * "idle in transaction" after the lease UPDATE; the followers are watched for 20 s.
 */
public final class FrozenRenewalRepro {
  private static final String IN_RENEWAL =
      "SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction'"
          + " AND query LIKE 'UPDATE leasehold_leases%'";

  private FrozenRenewalRepro() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("leasehold-frozen-");
    Map<String, Process> candidates = new LinkedHashMap<>();
    try (PostgresServer pg = PostgresServer.start();
        Connection db = pg.dataSource().getConnection()) {
      for (String id : List.of("alpha", "bravo", "charlie")) {
        candidates.put(id, start(pg, id, dir));
      }
      String leader = awaitHolder(db, null, 60_000);
      System.out.printf("%s leads (token %d)%n", leader, token(db));
      Thread.sleep(3_000);

      // control: frozen between transactions
      Process p = candidates.get(leader);
      freezeOutsideTransaction(db, p);
      long t0 = System.nanoTime();
      String next = awaitHolder(db, leader, 20_000);
      System.out.printf(
          "control: %s frozen between transactions; %s took over after %.1f s (token %d)%n",
          leader, next, (System.nanoTime() - t0) / 1e9, token(db));
      signal("CONT", p);
      Thread.sleep(3_000);

      // frozen inside the renewal transaction
      leader = awaitHolder(db, null, 20_000);
      p = candidates.get(leader);
      long tokenBefore = token(db);
      int attempts = freezeInsideRenewal(db, p);
      System.out.printf(
          "%s (token %d) frozen inside its renewal transaction after %d attempts%n",
          leader, tokenBefore, attempts);
      t0 = System.nanoTime();
      for (int s = 2; s <= 20; s += 2) {
        Thread.sleep(2_000);
        System.out.printf(
            Locale.ROOT,
            "  +%2d s: holder %s, token %d, sessions waiting for a lock %d, sessions %d%n",
            s,
            holder(db),
            token(db),
            count(db, "wait_event_type = 'Lock'"),
            count(db, "backend_type = 'client backend'"));
      }
      signal("CONT", p);
      String after = awaitHolder(db, null, 20_000);
      Thread.sleep(3_000);
      System.out.printf(
          "after SIGCONT at +%.1f s: holder %s, token %d%n",
          (System.nanoTime() - t0) / 1e9, holder(db), token(db));
      System.out.println("(candidate logs: " + dir + ", holder right after resume: " + after + ")");
    } finally {
      for (Process c : candidates.values()) {
        c.descendants().forEach(ProcessHandle::destroyForcibly);
        signal("CONT", c);
        c.destroyForcibly();
        c.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void freezeOutsideTransaction(Connection db, Process p) throws Exception {
    while (true) {
      signal("STOP", p);
      if (!has(db, IN_RENEWAL)) {
        return;
      }
      signal("CONT", p);
      Thread.sleep(7);
    }
  }

  private static int freezeInsideRenewal(Connection db, Process p) throws Exception {
    Random random = new Random(1);
    for (int attempt = 1; ; attempt++) {
      signal("STOP", p);
      if (has(db, IN_RENEWAL)) {
        return attempt;
      }
      signal("CONT", p);
      Thread.sleep(random.nextInt(40));
    }
  }

  private static Process start(PostgresServer pg, String id, Path dir) throws Exception {
    List<String> argv = new ArrayList<>(Leasehold.launcher());
    argv.addAll(
        List.of(
            "run",
            "--lock",
            pg.jdbcUrl(),
            "--name",
            "job",
            "--id",
            id,
            "--lease-duration",
            "2s",
            "--renew-deadline",
            "1.5s",
            "--retry-period",
            "0.2s",
            "--",
            "sleep",
            "100000"));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().put("PGUSER", "postgres");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(id + ".log").toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return pb.start();
  }

  /** Waits until the lease names a holder other than {@code not} (any holder when null). */
  private static String awaitHolder(Connection db, String not, long millis) throws Exception {
    long until = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < until) {
      String h = holder(db);
      if (h != null && !h.isEmpty() && !h.equals(not)) {
        return h;
      }
      Thread.sleep(20);
    }
    return "(none within " + millis / 1000 + " s)";
  }

  private static String holder(Connection db) throws Exception {
    return one(db, "SELECT holder_identity FROM leasehold_leases WHERE name = 'job'");
  }

  private static long token(Connection db) throws Exception {
    String t = one(db, "SELECT fence FROM leasehold_leases WHERE name = 'job'");
    return t == null ? -1 : Long.parseLong(t);
  }

  private static int count(Connection db, String where) throws Exception {
    return Integer.parseInt(one(db, "SELECT count(*) FROM pg_stat_activity WHERE " + where));
  }

  private static boolean has(Connection db, String query) throws Exception {
    return one(db, query) != null;
  }

  private static String one(Connection db, String query) throws Exception {
    try (Statement s = db.createStatement()) {
      try (ResultSet rs = s.executeQuery(query)) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (java.sql.SQLException e) {
      if (e.getMessage().contains("does not exist")) {
        return null; // the lease table is not there yet
      }
      throw e;
    }
  }

  private static void signal(String signal, Process p) throws Exception {
    new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor(10, TimeUnit.SECONDS);
  }
}
