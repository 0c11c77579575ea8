package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code leasehold demo} with short timings: three leaders in turn, rising tokens, cleaned up. */
class DemoTest {

  @Test
  void theDemoShowsElectionHandoverAndFailoverThenCleansUp() throws Exception {
    try (CliProcess demo =
        CliProcess.start(
            "demo",
            "--lease-duration",
            "2s",
            "--renew-deadline",
            "1.5s",
            "--retry-period",
            "0.2s")) {
      assertThat(demo.exitCode(Duration.ofSeconds(90))).as(demo.stderr()).isZero();

      Pattern leads = Pattern.compile("\\] (alpha|bravo|charlie) leads with fencing token (\\d+)");
      List<Matcher> leaders =
          demo.out.stream().map(leads::matcher).filter(Matcher::find).collect(Collectors.toList());
      assertThat(leaders).hasSize(3);
      assertThat(leaders.stream().map(m -> m.group(1)).distinct()).hasSize(3);
      assertThat(leaders.stream().map(m -> m.group(2))).containsExactly("1", "2", "3");
      assertThat(demo.stdout())
          .contains("graceful handover")
          .contains("crash failover")
          .contains("holder " + leaders.get(2).group(1) + ", 2 transitions, fencing token 3");

      Matcher db = Pattern.compile("database (\\S+)").matcher(demo.stdout());
      assertThat(db.find()).isTrue();
      assertThat(Path.of(db.group(1)).getParent())
          .as("the demo's temp folder")
          .satisfies(dir -> assertThat(Files.exists(dir)).isFalse());
      assertThat(
              ProcessHandle.allProcesses()
                  .filter(p -> p.info().commandLine().orElse("").contains(db.group(1))))
          .as("candidates left running")
          .isEmpty();
    }
  }
}
