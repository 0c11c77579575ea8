package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.testing.Await;
import io.leasehold.testing.TermLog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteElectionTest extends JdbcElectionTest {
  @TempDir Path dir;
  private DataSource ds;

  @Override
  DataSource dataSource() {
    if (ds == null) {
      ds = SqliteDataSources.forFile(dir.resolve("leases.db"));
    }
    return ds;
  }

  @Test
  void aCandidateInAnotherProcessLeadsUntilKilledThenThisOneTakesOver() throws Exception {
    Path file = dir.resolve("leases.db");
    List<String> childLines = new CopyOnWriteArrayList<>();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(SqliteCandidate.class.getName());
    command.addAll(List.of(file.toString(), lockName, "child"));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  childLines.add(line);
                }
              } catch (Exception ignored) {
                // the child was killed
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      Await.until(
          WAIT,
          () -> childLines.stream().anyMatch(l -> l.startsWith("LEADING ")),
          () -> "the child process to lead; it printed " + childLines);
      long childToken =
          Long.parseLong(
              childLines.stream()
                  .filter(l -> l.startsWith("LEADING "))
                  .findFirst()
                  .orElseThrow()
                  .substring(8));
      LeaderElector here = start("parent", false);
      Await.until(WAIT, () -> here.getLeader().equals("child"), "parent to see the child lead");
      assertThat(here.isLeader()).isFalse();

      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      TermLog.Term mine = log.awaitLeader(WAIT);
      assertThat(mine.identity).isEqualTo("parent");
      assertThat(mine.token).isGreaterThan(childToken);
    } finally {
      child.destroyForcibly();
    }
  }
}
