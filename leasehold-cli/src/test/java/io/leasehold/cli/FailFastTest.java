package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteConnectionPool;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What retrying cannot fix is refused before competing: a command that cannot run, a lease table of
 * the wrong shape. A record nobody can read keeps the candidate waiting, and says so again and
 * again with the remedy.
 */
class FailFastTest {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir Path dir;

  private String sqlite() {
    return "sqlite:" + dir.resolve("leases.db");
  }

  private void assertRefused(int code, String expected, String... command) throws Exception {
    String[] args = new String[6 + command.length];
    System.arraycopy(
        new String[] {"run", "--lock", sqlite(), "--name", "job", "--"}, 0, args, 0, 6);
    System.arraycopy(command, 0, args, 6, command.length);
    try (CliProcess p = CliProcess.start(args)) {
      assertThat(p.exitCode(T)).as(p.stderr()).isEqualTo(code);
      assertThat(p.err)
          .containsExactly("leasehold run: cannot run '" + command[0] + "': " + expected);
    }
    assertThat(dir.resolve("leases.db")).as("nothing touched: no database").doesNotExist();
  }

  @Test
  void aCommandThatCannotRunIsRefusedBeforeCompeting() throws Exception {
    assertRefused(127, "no such file", dir.resolve("missing.sh").toString(), "arg");
    assertRefused(127, "not found in PATH", "leasehold-no-such-command");
    Path script = Files.writeString(dir.resolve("job.sh"), "#!/bin/sh\nexit 0\n");
    assertRefused(126, "not executable (chmod +x?)", script.toString());
    assertRefused(126, "it is a folder", dir.toString());
  }

  @Test
  void aLeaseTableOfTheWrongShapeIsRefusedAtStart() throws Exception {
    try (SqliteConnectionPool pool = SqliteDataSources.forFile(dir.resolve("leases.db"));
        Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE leasehold_leases (name TEXT PRIMARY KEY, holder TEXT)");
    }
    try (CliProcess p = Jobs.run(Map.of(), sqlite(), "alpha", "touch " + dir + "/started")) {
      assertThat(p.exitCode(T)).as(p.stderr()).isEqualTo(2);
      assertThat(p.stderr())
          .contains(
              "leasehold run: lease table leasehold_leases has the wrong shape: missing"
                  + " columns holder_identity, lease_duration_seconds");
    }
    assertThat(dir.resolve("started")).doesNotExist();

    // status refuses it the same way
    try (CliProcess status = CliProcess.start("status", "--lock", sqlite(), "--name", "job")) {
      assertThat(status.exitCode(T)).isEqualTo(1);
      assertThat(status.stderr()).contains("has the wrong shape");
    }
  }

  @Test
  void aCorruptRecordKeepsTheCandidateWaitingAndSaysSoAgainWithTheRemedy() throws Exception {
    try (SqliteConnectionPool pool = SqliteDataSources.forFile(dir.resolve("leases.db"))) {
      Instant now = Instant.now();
      JdbcLock.builder(pool)
          .name("job")
          .identity("gone")
          .build()
          .create(
              LeaderElectionRecord.builder()
                  .holderIdentity("gone")
                  .leaseDurationSeconds(2)
                  .acquireTime(now)
                  .renewTime(now)
                  .fencingToken(4)
                  .build(),
              T);
      try (Connection c = pool.getConnection();
          Statement s = c.createStatement()) {
        s.execute("UPDATE leasehold_leases SET lease_duration_seconds = -1");
      }
    }
    try (CliProcess p =
        Jobs.run(
            Map.of(), sqlite(), "alpha", "touch " + dir + "/started", "--report-every", "1s")) {
      String remedy = "repair it with `leasehold repair --lock sqlite:" + dir.resolve("leases.db");
      Await.until(
          T,
          () -> p.err.stream().filter(l -> l.contains(remedy)).count() >= 2,
          () -> "the remedy, twice: " + p.stderr());
      assertThat(p.stderr()).contains(" fails: ").contains(" still fails, for ");
      assertThat(dir.resolve("started")).as("the command never ran").doesNotExist();
      assertThat(p.process.isAlive()).isTrue();

      // the remedy works: the record is replaced by a released one keeping its token, and the
      // waiting candidate takes the lease with a higher token
      CliProcess repair = CliProcess.start("repair", "--lock", sqlite(), "--name", "job");
      assertThat(repair.exitCode(T)).as(repair.stderr()).isZero();
      assertThat(repair.stdout()).contains("repaired job").contains("fencing token 4");
      Await.until(T, () -> Files.exists(dir.resolve("started")), "alpha leads after the repair");
      CliProcess again = CliProcess.start("repair", "--lock", sqlite(), "--name", "job");
      assertThat(again.exitCode(T)).isZero();
      assertThat(again.stdout()).contains("can be read: nothing to repair");
      CliProcess status = CliProcess.start("status", "--lock", sqlite(), "--name", "job", "--json");
      assertThat(status.exitCode(T)).isZero();
      // alpha's command (touch) ended at once, so alpha released again: its term had token 5
      assertThat(status.stdout()).contains("\"fencingToken\":5");
    }
  }
}
