package io.leasehold.cli;

import picocli.CommandLine.Option;

/** {@code --quiet} and {@code --verbose}; read before parsing by {@link Logging}. */
final class LoggingOptions {
  @Option(
      names = {"-q", "--quiet"},
      description = "Log warnings and errors only.")
  boolean quiet;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log debug details of every attempt.")
  boolean verbose;
}
