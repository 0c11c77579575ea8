package io.leasehold.jdbc;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.WhenLost;
import java.nio.file.Path;

/**
 * A candidate in its own JVM, for multi-process tests: {@code SqliteCandidate <file> <lock>
 * <identity>}; prints {@code LEADING <token>} and {@code STOPPED} lines and runs until killed.
 */
public final class SqliteCandidate {
  private SqliteCandidate() {}

  public static void main(String[] args) {
    JdbcLock lock =
        JdbcLock.builder(SqliteDataSources.forFile(Path.of(args[0])))
            .name(args[1])
            .identity(args[2])
            .build();
    LeaderElector elector =
        new LeaderElector(
            LeaderElectionConfig.builder()
                .lock(lock)
                .leaseDuration(JdbcElectionTest.LEASE)
                .renewDeadline(JdbcElectionTest.RENEW)
                .retryPeriod(JdbcElectionTest.RETRY)
                .whenLost(WhenLost.COMPETE_AGAIN)
                .callbacks(
                    LeaderCallbacks.builder()
                        .onStartedLeading(
                            ctx -> {
                              System.out.println("LEADING " + ctx.fencingToken());
                              System.out.flush();
                            })
                        .onStoppedLeading(
                            () -> {
                              System.out.println("STOPPED");
                              System.out.flush();
                            })
                        .build())
                .build());
    elector.run();
  }
}
