package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.Await;
import io.leasehold.testing.EtcdCluster;
import io.leasehold.testing.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leasehold run} and {@code leasehold status} as real processes on real backends: the child
 * runs only while leader, stops when leadership ends, and its exit code becomes run's.
 */
class RunTest {
  private static final Duration T = Duration.ofSeconds(60);
  @TempDir Path dir;
  private final List<CliProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll(org.junit.jupiter.api.TestInfo test) {
    started.forEach(CliProcess::close);
    CliProcess.keepLogs(started, test);
  }

  private CliProcess run(String lockSpec, String id, String script, String... extra)
      throws IOException {
    return run(Map.of(), lockSpec, id, script, extra);
  }

  private CliProcess run(
      Map<String, String> env, String lockSpec, String id, String script, String... extra)
      throws IOException {
    CliProcess p = Jobs.run(env, lockSpec, id, script, extra);
    started.add(p);
    return p;
  }

  private String sqlite() {
    return "sqlite:" + dir.resolve("leases.db");
  }

  /**
   * A child that records its pid and term (in that order, once its TERM trap is set), then works.
   */
  private String worker() {
    return "trap 'echo \"$LEASEHOLD_IDENTITY\" >> "
        + dir
        + "/termed; exit 0' TERM; "
        + Jobs.ALIVE
        + " for f in "
        + dir
        + "/*.pid; do"
        + "  [ -f \"$f\" ] && alive \"$(cat \"$f\")\" && echo \"$f\" >> "
        + dir
        + "/overlap;"
        + " done;"
        + " echo $$ > "
        + dir
        + "/$LEASEHOLD_IDENTITY.pid;"
        + " echo \"$LEASEHOLD_IDENTITY $LEASEHOLD_FENCING_TOKEN\" >> "
        + dir
        + "/terms;"
        + " while true; do sleep 0.05; done";
  }

  private List<String> lines(String file) {
    return new Jobs(dir).lines(file);
  }

  /** The token of the last term a child recorded. */
  private String lastToken() {
    List<String> terms = lines("terms");
    return terms.get(terms.size() - 1).split(" ")[1];
  }

  private Optional<ProcessHandle> childOf(String identity) {
    return new Jobs(dir).process(identity + ".pid");
  }

  @Test
  void withoutIdTheIdentityIsTheHostNameAndAUuid_differentForEachProcess() throws Exception {
    for (int i = 0; i < 2; i++) {
      CliProcess p =
          CliProcess.start(
              "run",
              "--lock",
              sqlite(),
              "--name",
              "job",
              "--",
              "sh",
              "-c",
              "echo \"$LEASEHOLD_IDENTITY\" >> " + dir + "/ids");
      started.add(p);
      assertThat(p.exitCode(T)).as(p.stderr()).isZero();
    }
    List<String> ids = lines("ids");
    assertThat(ids).hasSize(2).doesNotHaveDuplicates();
    assertThat(ids).allMatch(id -> id.matches(".+_[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"));
  }

  @Test
  void theChildsExitCodeBecomesRunsAndTheLeaseIsReleased() throws Exception {
    CliProcess p =
        run(
            sqlite(),
            "solo",
            "echo \"$LEASEHOLD_IDENTITY $LEASEHOLD_LOCK $LEASEHOLD_FENCING_TOKEN\" > "
                + dir
                + "/env; exit 7");
    assertThat(p.exitCode(T)).as(p.stderr()).isEqualTo(7);
    assertThat(lines("env")).containsExactly("solo job 1");
    assertThat(p.stderr())
        .contains("sh exited with code 7 after")
        .contains("released the lease of job");

    CliProcess status = CliProcess.start("status", "--lock", sqlite(), "--name", "job", "--json");
    assertThat(status.exitCode(T)).as(status.stderr()).isZero();
    assertThat(status.stdout())
        .contains("\"state\":\"released\"")
        .contains("\"holderIdentity\":\"\"")
        .contains("\"fencingToken\":1");
  }

  @Test
  void theCommandGetsNoBackendPasswordUnlessAsked() throws Exception {
    Map<String, String> env = Map.of("PGPASSWORD", "pg-secret", "ETCD_PASSWORD", "etcd-secret");
    String dump = "env > " + dir + "/env-$LEASEHOLD_FENCING_TOKEN";
    CliProcess plain = run(env, sqlite(), "solo", dump);
    assertThat(plain.exitCode(T)).as(plain.stderr()).isZero();
    assertThat(lines("env-1"))
        .contains("LEASEHOLD_IDENTITY=solo")
        .noneMatch(l -> l.startsWith("PGPASSWORD=") || l.startsWith("ETCD_PASSWORD="));

    CliProcess asked = run(env, sqlite(), "solo", dump, "--pass-credentials");
    assertThat(asked.exitCode(T)).as(asked.stderr()).isZero();
    assertThat(lines("env-2")).contains("PGPASSWORD=pg-secret", "ETCD_PASSWORD=etcd-secret");
  }

  @Test
  void statusShowsTheHolderAsATable() throws Exception {
    CliProcess none = CliProcess.start("status", "--lock", sqlite(), "--name", "job");
    assertThat(none.exitCode(T)).as(none.stderr()).isZero();
    assertThat(none.stdout()).contains("state").contains("no record (nobody has competed yet)");

    run(sqlite(), "alpha", worker());
    Await.until(T, () -> !lines("terms").isEmpty(), "alpha leads");
    CliProcess status = CliProcess.start("status", "--lock", sqlite(), "--name", "job");
    assertThat(status.exitCode(T)).as(status.stderr()).isZero();
    assertThat(status.out)
        .anySatisfy(l -> assertThat(l).matches("state +held"))
        .anySatisfy(l -> assertThat(l).matches("holder +alpha"))
        .anySatisfy(l -> assertThat(l).matches("lease duration +4 s"))
        .anySatisfy(l -> assertThat(l).matches("fencing token +" + lastToken()));
  }

  @Test
  void aKilledLeadersChildIsStoppedAndTheNextLeaderGetsAHigherToken() throws Exception {
    CliProcess alpha = run(sqlite(), "alpha", worker());
    Await.until(T, () -> !lines("terms").isEmpty(), "alpha leads");
    CliProcess bravo = run(sqlite(), "bravo", worker());
    Await.until(T, () -> bravo.stderr().contains("alpha leads job"), "bravo sees alpha lead");
    ProcessHandle alphasChild = childOf("alpha").orElseThrow();

    alpha.process.destroyForcibly(); // SIGKILL: no release, no shutdown hook

    // the orphaned child is stopped (TERM through the wrapper's pipe), long before the lease ends
    Await.until(T, () -> !Jobs.alive(alphasChild.pid()), "alpha's child stops");
    assertThat(lines("termed")).containsExactly("alpha");
    Await.until(T, () -> TermLines.anyBy(lines("terms"), "bravo"), "bravo leads");
    TermLines.assertPassedInOrder(lines("terms"), "alpha", "bravo");
    assertThat(lines("overlap")).as("a child found another child alive when it started").isEmpty();
  }

  @Test
  void stoppingTheLeaderHandsOverAndRunExitsWithTheSignalsCode() throws Exception {
    CliProcess alpha = run(sqlite(), "alpha", worker());
    Await.until(T, () -> !lines("terms").isEmpty(), "alpha leads");
    run(sqlite(), "bravo", worker());

    alpha.process.toHandle().destroy(); // SIGTERM (Process.destroy would also close our pipes)

    assertThat(alpha.exitCode(T)).isEqualTo(143);
    assertThat(lines("termed")).as(alpha.stderr()).containsExactly("alpha");
    Await.until(T, () -> TermLines.anyBy(lines("terms"), "bravo"), "bravo leads");
    TermLines.assertPassedInOrder(lines("terms"), "alpha", "bravo");
    assertThat(lines("overlap")).isEmpty();
  }

  @Test
  void withRestartTheChildRunsAgainAfterItExits() throws Exception {
    CliProcess p =
        run(
            sqlite(),
            "solo",
            "echo \"$LEASEHOLD_FENCING_TOKEN\" >> " + dir + "/runs; exit 3",
            "--restart");
    Await.until(T, () -> lines("runs").size() >= 3, "three runs");
    p.process.toHandle().destroy();
    assertThat(p.exitCode(T)).isEqualTo(143);
    List<String> runs = lines("runs");
    for (int i = 1; i < runs.size(); i++) {
      assertThat(Long.parseLong(runs.get(i))).isGreaterThan(Long.parseLong(runs.get(i - 1)));
    }
  }

  @Test
  void theSidecarServesLeaderHealthAndMetrics() throws Exception {
    CliProcess p = run(sqlite(), "alpha", worker(), "--http", "127.0.0.1:0");
    Pattern serving = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)");
    Await.until(T, () -> serving.matcher(p.stderr()).find(), "the sidecar's address");
    Matcher m = serving.matcher(p.stderr());
    assertThat(m.find()).isTrue();
    String base = "http://127.0.0.1:" + m.group(1);
    Await.until(T, () -> !lines("terms").isEmpty(), "alpha leads");

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> leader = get(http, base + "/leader");
    assertThat(leader.statusCode()).isEqualTo(200);
    assertThat(leader.body().trim()).isEqualTo("{\"name\":\"alpha\"}");
    HttpResponse<String> health = get(http, base + "/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    Await.until(
        T,
        () ->
            get(http, base + "/metrics")
                .body()
                .contains("leader_election_master_status{name=\"job\"} 1.0"),
        "the master status gauge reads 1");
    assertThat(get(http, base + "/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void whenPostgresGoesAwayTheChildIsStoppedAndRunKeepsCompeting() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      // status only reads: before anyone competed, no record, and no table created for it
      CliProcess status =
          CliProcess.start(
              Map.of("PGUSER", "postgres"), "status", "--lock", pg.jdbcUrl(), "--name", "job");
      assertThat(status.exitCode(T)).as(status.stderr()).isZero();
      assertThat(status.stdout()).contains("no record (nobody has competed yet)");
      try (Connection c = pg.dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT to_regclass('leasehold_leases') IS NULL")) {
        rs.next();
        assertThat(rs.getBoolean(1)).as("no lease table").isTrue();
      }

      CliProcess p = run(Map.of("PGUSER", "postgres"), pg.jdbcUrl(), "alpha", worker());
      Await.until(T, () -> !lines("terms").isEmpty(), "alpha leads on PostgreSQL");
      ProcessHandle child = childOf("alpha").orElseThrow();

      pg.stop();

      Await.until(T, () -> !Jobs.alive(child.pid()), "the child stops when renewals fail");
      assertThat(lines("termed")).containsExactly("alpha");
      assertThat(p.process.isAlive()).as("run keeps competing").isTrue();

      pg.restart();
      int before = lines("terms").size();
      Await.until(
          T, () -> lines("terms").size() > before, "alpha leads again once the server is back");
      TermLines.assertPassedInOrder(lines("terms"), "alpha");
    }
  }

  @Test
  void onEtcdAKilledLeaderIsReplacedWithAHigherTokenAndStatusShowsIt() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.start(1)) {
      String spec = "etcd:" + etcd.clientUrls()[0];
      CliProcess alpha = run(spec, "alpha", worker());
      Await.until(T, () -> !lines("terms").isEmpty(), "alpha leads on etcd");
      CliProcess bravo = run(spec, "bravo", worker());
      Await.until(T, () -> bravo.stderr().contains("alpha leads job"), "bravo sees alpha lead");
      ProcessHandle alphasChild = childOf("alpha").orElseThrow();

      alpha.process.destroyForcibly();

      Await.until(T, () -> !Jobs.alive(alphasChild.pid()), "alpha's child stops");
      Await.until(T, () -> TermLines.anyBy(lines("terms"), "bravo"), "bravo leads");
      TermLines.assertPassedInOrder(lines("terms"), "alpha", "bravo");
      assertThat(lines("overlap")).isEmpty();

      CliProcess status = CliProcess.start("status", "--lock", spec, "--name", "job", "--json");
      assertThat(status.exitCode(T)).as(status.stderr()).isZero();
      assertThat(status.stdout())
          .contains("\"backend\":\"etcd:/leasehold/leases/job\"")
          .contains("\"holderIdentity\":\"bravo\"")
          .contains("\"fencingToken\":" + lastToken());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
