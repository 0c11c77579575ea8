package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gives one clear line naming the flag and the value, and exit code 2; help and version
 * exit 0 and say what the commands do, how to pass a command, and every exit code.
 */
class UsageTest {
  private static final Duration T = Duration.ofSeconds(30);
  @TempDir Path dir;

  private CliProcess cli(String... args) throws Exception {
    return CliProcess.start(args);
  }

  private void assertUsageError(String expected, String... args) throws Exception {
    try (CliProcess p = cli(args)) {
      assertThat(p.exitCode(T)).as(p.stderr()).isEqualTo(2);
      assertThat(p.err).as(p.stderr()).hasSize(2);
      assertThat(p.err.get(0)).contains(expected);
      assertThat(p.err.get(1)).startsWith("Try 'leasehold");
    }
  }

  /** {@code run} on a temporary SQLite file with {@code flags}, the command {@code true}. */
  private String[] run(String... flags) {
    List<String> args = new ArrayList<>(List.of("run", "--lock", "sqlite:" + dir.resolve("l.db")));
    args.addAll(List.of(flags));
    if (!args.contains("--name")) {
      args.addAll(List.of("--name", "n"));
    }
    args.addAll(List.of("--", "true"));
    return args.toArray(String[]::new);
  }

  @Test
  void helpSaysWhatEachCommandDoesHowToPassACommandAndEveryExitCode() throws Exception {
    try (CliProcess p = cli("--version")) {
      assertThat(p.exitCode(T)).isZero();
      assertThat(p.stdout()).contains("leasehold 0.1.0");
    }
    try (CliProcess p = cli("--help")) {
      assertThat(p.exitCode(T)).isZero();
      String help = p.stdout();
      int commands = help.indexOf("Commands:");
      String summaries = help.substring(commands, help.indexOf("Exit codes:"));
      for (String name : List.of("demo", "run", "status")) {
        String entry = summaries.substring(summaries.indexOf("  " + name + " "));
        entry = entry.substring(0, entry.indexOf(".") + 1);
        assertThat(entry).as("the summary of " + name + ", a whole sentence").doesNotContain(",\n");
      }
      assertThat(summaries.strip()).doesNotEndWith(",");
      assertThat(help)
          .contains("126      run: the command is not executable")
          .contains("127      run: the command was not found")
          .contains("130/143")
          .containsPattern("leasehold run .* -- \\S+");
    }
    for (String command : new String[] {"run", "status", "demo"}) {
      try (CliProcess p = cli(command, "--help")) {
        assertThat(p.exitCode(T)).isZero();
        assertThat(p.stdout()).contains("Usage: leasehold " + command);
        if (command.equals("run")) {
          assertThat(p.stdout()).contains("Examples:").contains("      -- ./report.sh --full");
        }
      }
    }
  }

  @Test
  void anUnknownCommandOrAMisspelledFlagGetsASuggestion() throws Exception {
    assertUsageError(
        "unknown command 'rnu': use demo, run, status or repair; did you mean run?", "rnu");
    assertUsageError(
        "unknown option '--lok'; did you mean --lock?",
        "run",
        "--lok",
        "x",
        "--name",
        "n",
        "--",
        "true");
    assertUsageError("unknown option '--restrat'; did you mean --restart?", run("--restrat"));
  }

  @Test
  void anUnknownLockSpecIsAUsageError() throws Exception {
    assertUsageError(
        "unknown lock spec 'redis://x'", "run", "--lock", "redis://x", "--name", "n", "--", "true");
  }

  @Test
  void aMissingFolderIsAUsageError() throws Exception {
    assertUsageError(
        "folder /no/such/dir does not exist",
        "status",
        "--lock",
        "sqlite:/no/such/dir/leases.db",
        "--name",
        "n");
  }

  @Test
  void timingsAreCheckedWithTheFlagsNamesAndValues() throws Exception {
    assertUsageError(
        "--lease-duration (5 s) must be longer than --renew-deadline (5 s)",
        run("--lease-duration", "5s", "--renew-deadline", "5s"));
    assertUsageError(
        "--renew-deadline (2 s) must be longer than 1.2 x --retry-period (2 s x 1.2 = 2.4 s)",
        run("--renew-deadline", "2s", "--retry-period", "2s"));
    assertUsageError(
        "--lease-duration 0.001 s is too short: it must be at least 1 s",
        run("--lease-duration", "1ms", "--renew-deadline", "0.5ms", "--retry-period", "0.1ms"));
    assertUsageError(
        "Invalid value for option '--lease-duration': '99999999999999h' is longer than 86400 s",
        run("--lease-duration", "99999999999999h"));
    assertUsageError(
        "Invalid value for option '--retry-period': 'soon' is not a duration",
        run("--retry-period", "soon"));
    assertUsageError(
        "--grace (6 s) must be shorter than --lease-duration - --renew-deadline"
            + " (15 s - 10 s = 5 s)",
        run("--grace", "6s"));
  }

  @Test
  void theDemoChecksItsTimingsBeforeStartingAnything() throws Exception {
    try (CliProcess p = cli("demo", "--lease-duration", "2s", "--renew-deadline", "3s")) {
      assertThat(p.exitCode(T)).as(p.stderr()).isEqualTo(2);
      assertThat(p.err.get(0))
          .isEqualTo(
              "leasehold demo: --lease-duration (2 s) must be longer than --renew-deadline (3 s):"
                  + " a leader that cannot renew must stop before followers take over");
      assertThat(p.stdout()).as("nothing started").isEmpty();
    }
  }

  @Test
  void namesMustBeOneVisibleLineOfAtMost253Characters() throws Exception {
    assertUsageError(
        "--name must not contain control characters or line separators, such as a newline or a"
            + " tab; got \"a\\nb\"",
        run("--name", "a\nb"));
    assertUsageError("--name must not be blank; got \"   \"", run("--name", "   "));
    assertUsageError("--id must not be blank; got \"\"", run("--id", ""));
    assertUsageError(
        "--name must have at most 253 characters; got 254", run("--name", "n".repeat(254)));
    try (CliProcess p =
        cli("status", "--lock", "sqlite:" + dir.resolve("none.db"), "--name", "n".repeat(253))) {
      assertThat(p.exitCode(T)).as(p.stderr()).isZero();
    }
  }

  @Test
  void aMissingCommandIsAUsageError() throws Exception {
    assertUsageError(
        "Missing required parameter: 'COMMAND'", "run", "--lock", "sqlite:x.db", "--name", "n");
    assertUsageError("a command is required");
  }
}
