package io.leasehold.cli;

import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** What {@code status} and {@code repair} share: one wait for the backend, and the lock spec. */
final class OneShotOptions {
  @Option(
      names = "--timeout",
      converter = Durations.class,
      defaultValue = "10s",
      description = "How long to wait for the backend (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  /**
   * Checks {@code lock}'s names and the timeout, then parses the lock spec; a refusal is a usage
   * error naming the flag. With {@code readOnly} nothing is created or written.
   */
  LockSpec open(CommandLine cmd, LockOptions lock, boolean readOnly) {
    lock.checkNames(cmd);
    Durations.require(cmd, "--timeout", timeout, Duration.ofMillis(100), Durations.LONGEST, "");
    lock.callTimeout = timeout;
    lock.renewDeadline = timeout.multipliedBy(2); // Kubernetes: request timeout = renewDeadline / 2
    try {
      return LockSpec.parse(lock, readOnly);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, Leasehold.message(e));
    }
  }
}
