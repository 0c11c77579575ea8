package io.leasehold.cli;

/**
 * Sets the log level before any logger exists: {@code --quiet} (warnings and errors), default
 * (one line per state change), {@code --verbose} (debug).
 */
final class Logging {
  private static final String LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  /** gRPC (under jetcd) logs through java.util.logging; keep its INFO chatter out. */
  private static final java.util.logging.Logger GRPC = java.util.logging.Logger.getLogger("io.grpc");

  private Logging() {}

  static void configure(String[] args) {
    GRPC.setLevel(java.util.logging.Level.WARNING);
    if (System.getProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
    }
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
      }
    }
  }
}
