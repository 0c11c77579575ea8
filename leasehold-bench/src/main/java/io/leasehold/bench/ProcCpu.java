package io.leasehold.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of processes from {@code /proc/<pid>/stat} (Linux), in clock ticks: user + system time,
 * plus that of their reaped children.
 */
final class ProcCpu {
  private static final long TICKS_PER_SECOND = ticksPerSecond();

  private ProcCpu() {}

  /** The CPU ticks of {@code pid} (0 if it is gone). */
  static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after the command
      return Long.parseLong(f[11])
          + Long.parseLong(f[12])
          + Long.parseLong(f[13])
          + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The CPU ticks of {@code pid} and of every live descendant (a PostgreSQL server's backends). */
  static long treeTicks(long pid) {
    long sum = ticks(pid);
    var handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      sum += handle.get().descendants().mapToLong(p -> ticks(p.pid())).sum();
    }
    return sum;
  }

  /** {@code ticks} over {@code nanos} of wall time, in percent of one core. */
  static double percent(long ticks, long nanos) {
    return 100.0 * ticks / TICKS_PER_SECOND / (nanos / 1e9);
  }

  /** The 1-minute load average of the machine. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static long ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 100;
    }
  }
}
