package io.leasehold.cli;

import java.util.List;

/**
 * Sets the log levels before any logger exists: {@code --quiet} (warnings and errors), default (one
 * line per change: the CLI's own lines, with the elector's and the locks' INFO lines left out since
 * the CLI says the same once), {@code --verbose} (debug, every library line).
 */
final class Logging {
  private static final String PREFIX = "org.slf4j.simpleLogger.log.";
  private static final String LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  /** Loggers whose INFO lines repeat the CLI's own (simplelogger.properties sets them to warn). */
  private static final List<String> REPEATING =
      List.of(
          "io.leasehold.leaderelection.LeaderElector",
          "io.leasehold.jdbc.JdbcLock",
          "io.leasehold.kubernetes",
          "com.zaxxer.hikari");

  /** gRPC (under jetcd) logs through java.util.logging; keep its INFO chatter out. */
  private static final java.util.logging.Logger GRPC =
      java.util.logging.Logger.getLogger("io.grpc");

  private Logging() {}

  static void configure(String[] args) {
    GRPC.setLevel(java.util.logging.Level.WARNING);
    if (System.getProperty(LEVEL) != null) {
      return;
    }
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      if (a.equals("-q") || a.equals("--quiet")) {
        System.setProperty(LEVEL, "warn");
      } else if (a.equals("-v") || a.equals("--verbose")) {
        System.setProperty(LEVEL, "debug");
        REPEATING.forEach(name -> System.setProperty(PREFIX + name, "debug"));
      }
    }
  }
}
