package io.leasehold.cli;

/**
 * Sets the log level before any logger exists: {@code --quiet} (warnings and errors), default
 * (one line per state change), {@code --verbose} (debug).
 */
final class Logging {
  private static final String LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  private Logging() {}

  static void configure(String[] args) {
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
