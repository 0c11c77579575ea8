package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.Await;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --restart} pauses before competing again, doubling the pause up to a cap. */
class RestartBackoffTest {
  private static final Duration T = Duration.ofSeconds(60);
  private static final Pattern AGAIN = Pattern.compile("competing again in ([0-9.]+) s");

  @TempDir Path dir;

  @Test
  void aCrashingCommandIsRestartedWithDoublingPausesResetByARunThatLasted() throws Exception {
    Jobs jobs = new Jobs(dir);
    // each run notes its start (uptime, in centiseconds); the fourth lasts longer than the cap
    String script =
        "read -r up _ </proc/uptime; echo \"$up\" >> "
            + dir
            + "/starts;"
            + " [ \"$(wc -l < "
            + dir
            + "/starts)\" -eq 4 ] && sleep 1.2;"
            + " exit 1";
    try (CliProcess p =
        Jobs.run(
            Map.of(),
            "sqlite:" + dir.resolve("leases.db"),
            "solo",
            script,
            "--restart",
            "--restart-delay",
            "0.2s",
            "--restart-max-delay",
            "0.8s")) {
      Await.until(T, () -> jobs.lines("starts").size() >= 6, "six runs");
      p.process.toHandle().destroy();
      assertThat(p.exitCode(T)).isEqualTo(143);

      List<BigDecimal> delays =
          p.err.stream()
              .map(AGAIN::matcher)
              .filter(Matcher::find)
              .map(m -> new BigDecimal(m.group(1)))
              .collect(Collectors.toList());
      assertThat(delays.subList(0, 5))
          .as(p.stderr())
          .usingElementComparator(BigDecimal::compareTo)
          .containsExactly(
              new BigDecimal("0.2"), // after run 1
              new BigDecimal("0.4"),
              new BigDecimal("0.8"), // the cap
              new BigDecimal("0.2"), // run 4 lasted 1.2 s, longer than the cap: back to the start
              new BigDecimal("0.4"));

      // and the pauses were kept: each run started at least the announced pause after the last
      List<Double> starts =
          jobs.lines("starts").stream().map(Double::parseDouble).collect(Collectors.toList());
      for (int i = 1; i < 6; i++) {
        double pause = delays.get(i - 1).doubleValue() + (i == 4 ? 1.2 : 0);
        assertThat(starts.get(i) - starts.get(i - 1))
            .as("gap before run %d (uptime has 10 ms steps)", i + 1)
            .isGreaterThanOrEqualTo(pause - 0.01);
      }
    }
  }
}
