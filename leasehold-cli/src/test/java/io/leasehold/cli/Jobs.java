package io.leasehold.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Commands for {@code leasehold run} in tests, written as shell snippets, and what they leave in a
 * folder: pid files, a line per term, the overlaps they saw.
 */
final class Jobs {
  /**
   * Short timings with room for a loaded machine: lease 4 s, renew deadline 3 s, retry 0.3 s, so a
   * leader keeps its term through a stall of up to 2.7 s (its leader deadline); a lock call may
   * take 1.5 s.
   */
  static final List<String> FAST =
      List.of("--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "0.3s");

  /** A shell function: whether pid $1 runs (a zombie does not; some inits reap late). */
  static final String ALIVE =
      "alive() { [ -r /proc/$1/stat ] && ! grep -q ') Z ' /proc/$1/stat 2>/dev/null; };";

  private final Path dir;

  Jobs(Path dir) {
    this.dir = dir;
  }

  /**
   * A job like a real one: a shell script that starts a worker (a grandchild of {@code leasehold})
   * and waits for it. Before starting, it notes any other candidate's worker still running in
   * {@code overlap}; then it writes {@code worker-<identity>.pid}, {@code job-<identity>.pid} and a
   * line "identity token" to {@code terms}.
   */
  String jobWithWorker() {
    return ALIVE
        + " for f in "
        + dir
        + "/worker-*.pid; do"
        + "  [ -f \"$f\" ] && alive \"$(cat \"$f\")\""
        + "  && echo \"$LEASEHOLD_IDENTITY $f\" >> "
        + dir
        + "/overlap;"
        + " done;"
        + " sleep 100000 & echo $! > "
        + dir
        + "/worker-$LEASEHOLD_IDENTITY.pid;"
        + " echo $$ > "
        + dir
        + "/job-$LEASEHOLD_IDENTITY.pid;"
        + " echo \"$LEASEHOLD_IDENTITY $LEASEHOLD_FENCING_TOKEN\" >> "
        + dir
        + "/terms;"
        + " wait";
  }

  /** {@code leasehold run --lock spec --name job --id id FAST extra -- sh -c script}. */
  static CliProcess run(
      Map<String, String> env, String spec, String id, String script, String... extra)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("run", "--lock", spec, "--name", "job"));
    args.addAll(List.of("--id", id));
    args.addAll(FAST);
    args.addAll(List.of(extra));
    args.addAll(List.of("--", "sh", "-c", script));
    return CliProcess.start(env, args.toArray(String[]::new));
  }

  List<String> lines(String file) {
    Path p = dir.resolve(file);
    try {
      return Files.exists(p) ? Files.readAllLines(p) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process whose pid {@code file} holds, while it runs. */
  Optional<ProcessHandle> process(String file) {
    List<String> pid = lines(file);
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    long p = Long.parseLong(pid.get(0).trim());
    return alive(p) ? ProcessHandle.of(p) : Optional.empty();
  }

  /** The pid {@code file} holds. */
  long pid(String file) {
    return Long.parseLong(lines(file).get(0).trim());
  }

  /**
   * Whether the process of {@code pid} runs. A zombie does not (Java counts it as alive): where
   * init reaps orphans late, a killed grandchild stays one for a while.
   */
  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("Z");
    } catch (IOException e) {
      return false; // no such process
    }
  }

  /** Kills every worker a test left running. */
  void killWorkers() {
    try (var files = Files.newDirectoryStream(dir, "*.pid")) {
      for (Path f : files) {
        process(dir.relativize(f).toString()).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | RuntimeException e) {
      // best effort
    }
  }
}
