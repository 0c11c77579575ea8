package io.leasehold.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.leasehold.cli.chaos.ChaosRunner.Fault;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The short partition run of CI (docs/CHAOS.md): three {@code leasehold run} candidates in network
 * namespaces of their own, on PostgreSQL and on etcd. Every kind of partition once, the leader cut
 * for longer than the lease on both backends (the dangerous case), in a seeded order. Needs root
 * (network namespaces); skipped otherwise, saying why. Logs, journals and the lock's recorded terms
 * stay in {@code target/partition-test}. Excluded with {@code -DexcludedGroups=chaos}.
 */
@Tag("chaos")
class PartitionTest {
  static final long SEED = 20261202L;
  static final int CANDIDATES = 3;
  static final Map<String, List<Fault>> FAULTS =
      Map.of(
          "postgres",
          List.of(
              Fault.CUT_LEADER_LONG, Fault.CUT_ALL, Fault.CUT_FOLLOWER, Fault.CUT_FROZEN_LEADER),
          "etcd",
          List.of(Fault.CUT_LEADER_LONG, Fault.CUT_LEADER_SHORT, Fault.FLAP));

  @Test
  void cutOffLeadersStopBeforeAnotherTermBeginsAndNothingIsLostOrDoubled() throws Exception {
    Optional<String> unavailable = Network.unavailable();
    assumeTrue(
        unavailable.isEmpty(),
        () -> "partition test skipped: " + unavailable.orElse("") + " (it runs as root, as in CI)");
    Path dir = Path.of("target", "partition-test").toAbsolutePath();
    ChaosTest.deleteRecursively(dir);
    Files.createDirectories(dir);
    PrintStream out = System.out;
    List<BackendReport> reports =
        new ChaosRunner(0, SEED, out)
            .withPartitions(CANDIDATES)
            .onlyFaults(FAULTS)
            .runAll(Backend.NETWORKED, dir);
    String table = BackendReport.table(reports);
    out.print(table);

    assertThat(reports).hasSize(Backend.NETWORKED.size());
    for (int i = 0; i < reports.size(); i++) {
      BackendReport r = reports.get(i);
      List<Fault> planned = FAULTS.get(Backend.NETWORKED.get(i));
      assertThat(r.problems()).as(table).isEmpty();
      assertThat(r.lost).as(r.backend + " lost").isZero();
      assertThat(r.doubled).as(r.backend + " doubled").isZero();
      assertThat(r.unexpectedExits).as(r.backend + " unexpected exits").isEmpty();
      // every fault of the plan was a partition made (one is skipped only when no leader writes),
      // and the leader cut longer than the lease led to another candidate's term, its margin
      // measured
      assertThat(r.partitions).as(r.backend + " partitions\n" + table).hasSize(planned.size());
      assertThat(r.partitionMargins()).as(r.backend + " margins measured\n" + table).isNotEmpty();
      assertThat(r.partitionMargins()).as(r.backend + " margins").allMatch(m -> m > 0);
      assertThat(r.smallestChangeMargin).as(r.backend + " margin of every change").isPositive();
      assertThat(r.partitions.stream().flatMap(p -> p.rejoins.values().stream()))
          .as(r.backend + " cut-off candidates back\n" + table)
          .isNotEmpty()
          .allMatch(j -> j.at >= 0 || j.restarted);
    }
  }
}
