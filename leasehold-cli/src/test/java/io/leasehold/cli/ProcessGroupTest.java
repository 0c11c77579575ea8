package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command runs in a process group of its own, and the whole group ends on every path: kill -9
 * of {@code leasehold}, a graceful stop, lost leadership, and the command's own exit. Each job is a
 * shell that starts a worker, a grandchild of {@code leasehold}, as real jobs do.
 */
class ProcessGroupTest {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Jobs jobs;
  private final List<CliProcess> started = new ArrayList<>();

  @BeforeEach
  void jobs() {
    jobs = new Jobs(dir);
  }

  @AfterEach
  void stopAll() {
    started.forEach(CliProcess::close);
    jobs.killWorkers();
  }

  private CliProcess run(String id, String script, String... extra) throws Exception {
    CliProcess p = Jobs.run(Map.of(), "sqlite:" + dir.resolve("leases.db"), id, script, extra);
    started.add(p);
    return p;
  }

  @Test
  void killNineOfLeaseholdEndsTheWorkerBeforeTheNextLeaderStarts() throws Exception {
    CliProcess alpha = run("alpha", jobs.jobWithWorker());
    Await.until(T, () -> !jobs.lines("terms").isEmpty(), "alpha leads");
    CliProcess bravo = run("bravo", jobs.jobWithWorker());
    Await.until(T, () -> bravo.stderr().contains("alpha leads job"), "bravo sees alpha lead");
    long job = jobs.pid("job-alpha.pid");
    long worker = jobs.pid("worker-alpha.pid");

    alpha.process.destroyForcibly(); // SIGKILL: no shutdown hook, no release

    Await.until(T, () -> !Jobs.alive(job) && !Jobs.alive(worker), "alpha's job and worker end");
    Await.until(T, () -> TermLines.anyBy(jobs.lines("terms"), "bravo"), "bravo leads");
    TermLines.assertPassedInOrder(jobs.lines("terms"), "alpha", "bravo");
    assertThat(jobs.lines("overlap")).as("a worker alive when the next job started").isEmpty();
  }

  @Test
  void aGracefulStopEndsTheWorkerAndAQuietRunSaysNothing() throws Exception {
    CliProcess alpha = run("alpha", jobs.jobWithWorker(), "--quiet");
    Await.until(T, () -> !jobs.lines("terms").isEmpty(), "alpha leads");
    CliProcess bravo = run("bravo", jobs.jobWithWorker());
    Await.until(T, () -> bravo.stderr().contains("alpha leads job"), "bravo sees alpha lead");

    // a candidate that never led stops without claiming a release
    bravo.process.toHandle().destroy(); // SIGTERM
    assertThat(bravo.exitCode(T)).isEqualTo(143);
    assertThat(bravo.stderr())
        .contains("stopped; this candidate did not hold the lease of job")
        .doesNotContain("released");

    long worker = jobs.pid("worker-alpha.pid");
    alpha.process.toHandle().destroy();
    assertThat(alpha.exitCode(T)).isEqualTo(143);
    assertThat(Jobs.alive(worker)).as("the worker, once run has exited").isFalse();
    assertThat(alpha.err).as("a normal stop with --quiet").isEmpty();
    TermLines.assertPassedInOrder(jobs.lines("terms"), "alpha");
  }

  @Test
  void aTermTakenBackAtOnceWaitsUntilTheLastTermsChildIsGone() throws Exception {
    // a job that notes any earlier job still alive, and takes its time to end after SIGTERM
    String job =
        Jobs.ALIVE
            + " for f in "
            + dir
            + "/job-*.pid; do"
            + "  [ -f \"$f\" ] && alive \"$(cat \"$f\")\" && echo \"$f\" >> "
            + dir
            + "/overlap;"
            + " done;"
            + " echo $$ > "
            + dir
            + "/job-$LEASEHOLD_FENCING_TOKEN.pid;"
            + " echo \"$LEASEHOLD_IDENTITY $LEASEHOLD_FENCING_TOKEN\" >> "
            + dir
            + "/terms;"
            + " trap 'sleep 5; exit 0' TERM; while true; do sleep 0.05; done";
    CliProcess alpha = run("alpha", job, "--grace", "0.9s");
    Await.until(T, () -> !jobs.lines("terms").isEmpty(), "alpha leads");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("leases.db"));
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 30000");
      s.execute("BEGIN EXCLUSIVE"); // the leader cannot renew: its term ends by its deadline
      Await.until(T, () -> alpha.stderr().contains("lost the lease of job"), "the loss");
      s.execute("COMMIT"); // and it can take the lease back at once, its old job still ending
    }
    int before = jobs.lines("terms").size();
    Await.until(T, () -> jobs.lines("terms").size() > before, "alpha leads again");
    assertThat(jobs.lines("overlap")).as("a job alive when the next one started").isEmpty();
    TermLines.assertPassedInOrder(jobs.lines("terms"), "alpha");
  }

  @Test
  void aGroupThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
    CliProcess p =
        run("solo", "trap '' TERM; " + jobs.jobWithWorker()); // the worker ignores it too
    Await.until(T, () -> !jobs.lines("terms").isEmpty(), "solo leads");
    long worker = jobs.pid("worker-solo.pid");

    p.process.toHandle().destroy();

    assertThat(p.exitCode(T)).isEqualTo(143);
    assertThat(Jobs.alive(worker)).as("the worker, once run has exited").isFalse();
    assertThat(p.stderr())
        // the default grace: half of lease duration - renew deadline (4 s - 3 s in Jobs.FAST)
        .contains("did not end within the 0.5 s grace after SIGTERM; killed (SIGKILL)");
  }

  @Test
  void lostLeadershipEndsTheWorkerAndTheLeaderComesBack() throws Exception {
    CliProcess alpha = run("alpha", jobs.jobWithWorker());
    Await.until(T, () -> !jobs.lines("terms").isEmpty(), "alpha leads");
    long worker = jobs.pid("worker-alpha.pid");

    // another process holds the database's write lock: the leader cannot renew
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("leases.db"));
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 30000");
      s.execute("BEGIN EXCLUSIVE");
      Await.until(T, () -> !Jobs.alive(worker), "the worker stops when renewals fail");
      assertThat(alpha.process.isAlive()).as("run keeps competing").isTrue();
      Await.until(T, () -> alpha.stderr().contains("lost the lease of job"), "the loss, logged");
      s.execute("COMMIT");
    }

    int before = jobs.lines("terms").size();
    Await.until(T, () -> jobs.lines("terms").size() > before, "alpha leads again");
    TermLines.assertPassedInOrder(jobs.lines("terms"), "alpha");
    assertThat(jobs.lines("overlap")).isEmpty();
  }

  @Test
  void whatTheCommandLeavesBehindIsStoppedBeforeTheLeaseIsReleased() throws Exception {
    CliProcess p =
        run(
            "solo",
            "sleep 100000 & echo $! > "
                + dir
                + "/worker.pid;"
                + " echo $$ > "
                + dir
                + "/job.pid; exit 5");
    assertThat(p.exitCode(T)).as(p.stderr()).isEqualTo(5);

    assertThat(Jobs.alive(jobs.pid("worker.pid"))).as("the worker, once run has exited").isFalse();
    assertThat(p.stderr())
        .contains("solo leads job with fencing token 1: started sh (pid " + jobs.pid("job.pid"))
        .contains("left processes in its group; they ended after SIGTERM")
        .contains("sh exited with code 5 after")
        .contains("released the lease of job; exiting");
    assertThat(p.err)
        .as("lines about the acquisition")
        .filteredOn(l -> l.matches(".*(fencing token|acquired|became).*"))
        .hasSize(1);
  }
}
