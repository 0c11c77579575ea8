package io.leasehold.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run of CI (docs/CHAOS.md): 30 s of faults per backend, with a fixed seed, on
 * SQLite, PostgreSQL and etcd. Logs and journals stay in {@code target/chaos-test}. Excluded with
 * {@code -DexcludedGroups=chaos}.
 */
@Tag("chaos")
class ChaosTest {
  static final long SEED = 20261123L;
  static final long CHAOS_MILLIS = 30_000;
  static final int MIN_ACCEPTED = 200;

  @Test
  void guardedIncrementsSurviveKillsPausesAndBackendRestarts() throws Exception {
    // kept after the run: the candidates' logs and the workers' journals, per backend
    Path dir = Path.of("target", "chaos-test").toAbsolutePath();
    deleteRecursively(dir);
    Files.createDirectories(dir);
    PrintStream out = System.out;
    List<BackendReport> reports = new ChaosRunner(CHAOS_MILLIS, SEED, out).runAll(Backend.ALL, dir);
    String table = BackendReport.table(reports);
    out.print(table);

    assertThat(reports).hasSize(3);
    for (BackendReport r : reports) {
      assertThat(r.problems()).as(table).isEmpty();
      assertThat(r.lost).as(r.backend + " lost").isZero();
      assertThat(r.doubled).as(r.backend + " doubled").isZero();
      assertThat(r.tokenRegressions).as(r.backend + " token regressions").isZero();
      assertThat(r.staleAcceptedAfterNewer).as(r.backend + " stale accepted").isZero();
      assertThat(r.accepted)
          .as(r.backend + " accepted\n" + table)
          .isGreaterThanOrEqualTo(MIN_ACCEPTED);
      assertThat(r.leaderChanges).as(r.backend + " leader changes\n" + table).isPositive();
      assertThat(r.kills + r.pauses + r.backendFaults)
          .as(r.backend + " faults")
          .isGreaterThanOrEqualTo(3);
      assertThat(r.pauses).as(r.backend + " pauses").isPositive();
      assertThat(r.unexpectedExits).as(r.backend + " unexpected exits").isEmpty();
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
