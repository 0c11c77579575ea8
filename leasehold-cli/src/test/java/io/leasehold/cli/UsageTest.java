package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives one clear line and exit code 2; help and version exit 0. */
class UsageTest {
  private static final Duration T = Duration.ofSeconds(30);
  @TempDir Path dir;

  private CliProcess cli(String... args) throws Exception {
    return CliProcess.start(args);
  }

  private void assertUsageError(String expected, String... args) throws Exception {
    try (CliProcess p = cli(args)) {
      assertThat(p.exitCode(T)).as(p.stderr()).isEqualTo(2);
      assertThat(p.err).hasSize(2);
      assertThat(p.err.get(0)).contains(expected);
      assertThat(p.err.get(1)).startsWith("Try 'leasehold");
    }
  }

  @Test
  void versionAndHelpExitZero() throws Exception {
    try (CliProcess p = cli("--version")) {
      assertThat(p.exitCode(T)).isZero();
      assertThat(p.stdout()).contains("leasehold 0.1.0");
    }
    for (String command : new String[] {"run", "status", "demo"}) {
      try (CliProcess p = cli(command, "--help")) {
        assertThat(p.exitCode(T)).isZero();
        assertThat(p.stdout()).contains("Usage: leasehold " + command);
      }
    }
  }

  @Test
  void anUnknownFlagIsAUsageError() throws Exception {
    assertUsageError("Unknown option: '--bogus'", "run", "--bogus", "--lock", "sqlite:x", "--name", "n", "--", "true");
  }

  @Test
  void anUnknownLockSpecIsAUsageError() throws Exception {
    assertUsageError("unknown lock spec 'redis://x'", "run", "--lock", "redis://x", "--name", "n", "--", "true");
  }

  @Test
  void aMissingFolderIsAUsageError() throws Exception {
    assertUsageError(
        "folder /no/such/dir does not exist",
        "status", "--lock", "sqlite:/no/such/dir/leases.db", "--name", "n");
  }

  @Test
  void invalidTimingsGiveTheCoresMessage() throws Exception {
    String db = "sqlite:" + dir.resolve("l.db");
    assertUsageError(
        "leaseDuration must be greater than renewDeadline",
        "run", "--lock", db, "--name", "n", "--lease-duration", "5s", "--renew-deadline", "5s",
        "--", "true");
    assertUsageError(
        "renewDeadline must be greater than retryPeriod*JitterFactor",
        "run", "--lock", db, "--name", "n", "--renew-deadline", "2s", "--retry-period", "2s",
        "--", "true");
    assertUsageError(
        "'soon' is not a duration", "run", "--lock", db, "--name", "n", "--retry-period", "soon",
        "--", "true");
  }

  @Test
  void aGraceLongerThanTheGapBeforeTakeoverIsRefused() throws Exception {
    assertUsageError(
        "--grace must be shorter than lease-duration - renew-deadline (5 s)",
        "run", "--lock", "sqlite:" + dir.resolve("l.db"), "--name", "n", "--grace", "6s", "--", "true");
  }

  @Test
  void aMissingCommandIsAUsageError() throws Exception {
    assertUsageError("Missing required parameter: 'COMMAND'", "run", "--lock", "sqlite:x.db", "--name", "n");
    assertUsageError("a command is required");
  }
}
