package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.Await;
import io.leasehold.testing.PostgresServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unusable backend is explained: the cause and the address, at once and again while it lasts,
 * never a password; {@code status} waits as long as {@code --timeout} says.
 */
class BackendErrorsTest {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** A loopback port nobody listens on (closed again at once). */
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitReports(CliProcess p, String... parts) {
    Await.until(
        T,
        () ->
            p.err.stream().filter(l -> l.contains(" fails: ")).anyMatch(l -> containsAll(l, parts))
                && p.err.stream()
                    .anyMatch(l -> l.contains(" still fails, for ") && containsAll(l, parts)),
        () -> "a report with " + String.join(", ", parts) + ", then a repeat: " + p.stderr());
  }

  private static boolean containsAll(String line, String... parts) {
    for (String part : parts) {
      if (!line.contains(part)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void anUnreachablePostgresIsReportedWithTheAddressAndTheCauseAgainAndAgain() throws Exception {
    int port = closedPort();
    try (CliProcess p =
        Jobs.run(
            Map.of("PGUSER", "postgres"),
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
            "alpha",
            "true",
            "--report-every",
            "1s")) {
      awaitReports(p, "127.0.0.1:" + port, "refused");
      assertThat(p.stderr()).doesNotContain("total=").doesNotContain("timed out after PT");
    }
  }

  @Test
  void anUnreachableEtcdIsReportedWithTheAddressAndTheCause() throws Exception {
    int port = closedPort();
    try (CliProcess p =
        Jobs.run(
            Map.of(), "etcd:http://127.0.0.1:" + port, "alpha", "true", "--report-every", "1s")) {
      awaitReports(p, "127.0.0.1:" + port + ": connection refused");
    }
  }

  @Test
  void aWrongPostgresPasswordIsNamedAndNeverShown() throws Exception {
    String secret = "wrong-secret-" + System.nanoTime();
    try (PostgresServer pg = PostgresServer.start()) {
      requirePasswordFor(pg, "leasehold");
      Map<String, String> env = Map.of("PGUSER", "leasehold", "PGPASSWORD", secret);
      try (CliProcess p = Jobs.run(env, pg.jdbcUrl(), "alpha", "true", "--report-every", "1s")) {
        awaitReports(
            p, "password authentication failed for user \"leasehold\"", "127.0.0.1:" + pg.port());
        assertThat(p.stderr()).doesNotContain(secret);
      }
      try (CliProcess status =
          CliProcess.start(env, "status", "--lock", pg.jdbcUrl(), "--name", "job")) {
        assertThat(status.exitCode(T)).isEqualTo(1);
        assertThat(status.stderr())
            .contains("the database refused the credentials")
            .contains("password authentication failed for user \"leasehold\"")
            .doesNotContain(secret);
      }
    }
  }

  /** Creates {@code user} with a password, and makes the server ask it for the password. */
  private static void requirePasswordFor(PostgresServer pg, String user) throws Exception {
    try (Connection c = pg.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + user + " LOGIN PASSWORD 'the-right-one'");
      Path hba;
      try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
        rs.next();
        hba = Path.of(rs.getString(1));
      }
      Files.writeString(
          hba, "host all " + user + " 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
      s.execute("SELECT pg_reload_conf()");
    }
  }

  @Test
  void statusWaitsForAnUnresponsiveServerAsLongAsTimeoutSays() throws Exception {
    // a server that accepts connections (the kernel's backlog) and never answers
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/postgres";
      try (CliProcess status =
          CliProcess.start(
              Map.of("PGUSER", "postgres"),
              "status",
              "--lock",
              url,
              "--name",
              "job",
              "--timeout",
              "3s")) {
        assertThat(status.exitCode(T)).isEqualTo(1);
        Matcher waited = Pattern.compile("after ([0-9.]+) s\\)").matcher(status.stderr());
        assertThat(waited.find()).as(status.stderr()).isTrue();
        assertThat(Double.parseDouble(waited.group(1)))
            .as("seconds waited, by status's own clock")
            .isGreaterThanOrEqualTo(2.9);
        assertThat(status.stderr())
            .contains("127.0.0.1:" + silent.getLocalPort())
            .doesNotContain("total=");
      }
    }
  }
}
