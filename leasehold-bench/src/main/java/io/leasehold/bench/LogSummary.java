package io.leasehold.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the child processes of a run logged at WARN or ERROR, summed over their logs: how many
 * lines, and the most common messages with names and numbers folded ({@code e123} reads {@code
 * eN}), so that a row's figures come with their cause.
 */
final class LogSummary {
  private static final int TOP = 3;

  private LogSummary() {}

  /**
   * A one-line summary of the {@code *.log} files in {@code dir}, or "" when nothing was logged.
   */
  static String of(Path dir) throws IOException {
    Map<String, Long> messages = new TreeMap<>();
    long lines = 0;
    try (Stream<Path> logs = Files.list(dir)) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
        try (Stream<String> all = Files.lines(log)) {
          for (String line : all.filter(LogSummary::isWarning).toList()) {
            lines++;
            messages.merge(fold(line), 1L, Long::sum);
          }
        }
      }
    }
    if (lines == 0) {
      return "";
    }
    return String.format("%,d WARN/ERROR lines; most common: ", lines)
        + messages.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .limit(TOP)
            .map(e -> String.format("%,d x \"%s\"", e.getValue(), e.getKey()))
            .collect(Collectors.joining("; "));
  }

  private static boolean isWarning(String line) {
    return line.contains(" WARN ") || line.contains(" ERROR ");
  }

  /** The message without thread, names and numbers, and without its repetition note. */
  private static String fold(String line) {
    String message = line.replaceFirst("^\\[[^]]*] ", "");
    int note = message.indexOf(" (still failing");
    if (note > 0) {
      message = message.substring(0, note);
    }
    return message.replaceAll("\\d+", "N");
  }
}
