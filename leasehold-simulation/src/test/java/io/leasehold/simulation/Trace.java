package io.leasehold.simulation;

import java.util.ArrayList;
import java.util.List;

/** The readable story of one run, kept only when a seed is replayed. */
final class Trace {
  private final List<String> lines = new ArrayList<>();

  void add(long globalNanos, String who, String text) {
    lines.add(String.format("%12s  %-16s %s", World.seconds(globalNanos), who, text));
  }

  List<String> lines() {
    return lines;
  }

  /** The last {@code max} lines, with a note of how many were left out. */
  String tail(int max) {
    StringBuilder s = new StringBuilder();
    int from = Math.max(0, lines.size() - max);
    if (from > 0) {
      s.append("  ... ").append(from).append(" earlier lines left out ...\n");
    }
    for (int i = from; i < lines.size(); i++) {
      s.append(lines.get(i)).append('\n');
    }
    return s.toString();
  }
}
