package io.leasehold.cli.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** One worker's journal (see {@link ChaosWorker}), parsed. */
final class WorkerActivity {
  final String identity;
  final long token;
  final long pid;
  final long started;
  final List<long[]> ok = new ArrayList<>(); // {t0, t1, seq}
  final List<long[]> rejected = new ArrayList<>(); // {t0, t1, fence}
  final List<String> errors = new ArrayList<>();
  long ended = -1; // the shutdown hook's line, -1 without one (SIGKILL)
  long lastEvent;

  private WorkerActivity(String identity, long token, long pid, long started) {
    this.identity = identity;
    this.token = token;
    this.pid = pid;
    this.started = started;
    this.lastEvent = started;
  }

  /** Every journal under {@code dir/activity}, in start order. */
  static List<WorkerActivity> readAll(Path dir) throws IOException {
    Path folder = dir.resolve("activity");
    List<WorkerActivity> all = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return all;
    }
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        WorkerActivity a = read(f);
        if (a != null) {
          all.add(a);
        }
      }
    }
    all.sort((x, y) -> Long.compare(x.started, y.started));
    return all;
  }

  private static WorkerActivity read(Path file) throws IOException {
    WorkerActivity a = null;
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(" ", 0);
      if (f.length == 0 || f[0].isEmpty()) {
        continue;
      }
      switch (f[0]) {
        case "start":
          a =
              new WorkerActivity(
                  f[3], Long.parseLong(f[4]), Long.parseLong(f[2]), Long.parseLong(f[1]));
          break;
        case "ok":
          a.ok.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
          a.lastEvent = Math.max(a.lastEvent, Long.parseLong(f[2]));
          break;
        case "reject":
          a.rejected.add(
              new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
          a.lastEvent = Math.max(a.lastEvent, Long.parseLong(f[2]));
          break;
        case "error":
          a.errors.add(line);
          a.lastEvent = Math.max(a.lastEvent, Long.parseLong(f[1]));
          break;
        case "end":
          a.ended = Long.parseLong(f[1]);
          a.lastEvent = Math.max(a.lastEvent, a.ended);
          break;
        default:
          throw new IOException(file + ": unexpected line " + line);
      }
    }
    return a;
  }

  /** Whether it ever tried a write. */
  boolean attempted() {
    return !ok.isEmpty() || !rejected.isEmpty();
  }

  /** The start of its first write attempt. */
  long firstAttempt() {
    long first = Long.MAX_VALUE;
    if (!ok.isEmpty()) {
      first = ok.get(0)[0];
    }
    if (!rejected.isEmpty()) {
      first = Math.min(first, rejected.get(0)[0]);
    }
    return first;
  }

  /** Its activity: from the first write attempt to its last sign of life. */
  long[] interval() {
    return new long[] {firstAttempt(), lastEvent};
  }
}
