package io.leasehold.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The command run while leader. It is started through a small POSIX shell wrapper that holds a
 * pipe from this process: if {@code leasehold} dies, even by SIGKILL, the pipe closes and the
 * wrapper sends the command SIGTERM, then SIGKILL after the grace period, so a child never
 * outlives its leader by more than that. The wrapper exits with the command's exit code. The
 * command's standard input is {@code /dev/null}; its output and errors go where {@code
 * leasehold}'s go.
 */
final class Child {
  private static final String WRAPPER =
      String.join(
          "\n",
          // keep the pipe from leasehold: background lists get /dev/null as stdin
          "exec 3<&0",
          "\"$@\" 3<&- &",
          "child=$!",
          "(",
          "  while read -r _; do :; done",
          "  kill -TERM \"$child\" 2>/dev/null",
          "  sleep \"$LEASEHOLD_GRACE_SECONDS\"",
          "  kill -KILL \"$child\" 2>/dev/null",
          ") <&3 &",
          "watcher=$!",
          "wait \"$child\"",
          "code=$?",
          "kill \"$watcher\" 2>/dev/null",
          "exit \"$code\"");

  private final Process wrapper;
  private final CompletableFuture<Process> exit;

  private Child(Process wrapper) {
    this.wrapper = wrapper;
    this.exit = wrapper.onExit();
  }

  /** Starts {@code command} with {@code environment} added to this process's environment. */
  static Child start(List<String> command, Map<String, String> environment, Duration grace)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "leasehold-child"));
    argv.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(environment);
    pb.environment()
        .put(
            "LEASEHOLD_GRACE_SECONDS",
            String.format(Locale.ROOT, "%.3f", grace.toMillis() / 1000.0));
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    return new Child(pb.start());
  }

  /** The wrapper's process id. */
  long pid() {
    return wrapper.pid();
  }

  /** Completes when the command (and so the wrapper) has exited. */
  CompletableFuture<Process> onExit() {
    return exit;
  }

  /** Whether the command is still running. */
  boolean isAlive() {
    return wrapper.isAlive();
  }

  /** The command's exit code; only after it exited. */
  int exitValue() {
    return wrapper.exitValue();
  }

  /**
   * Sends the command and its descendants SIGTERM, waits up to {@code grace}, then sends SIGKILL to
   * whatever is left. Waits even if the calling thread is interrupted.
   *
   * @return how the command ended, for the log
   */
  String stop(Duration grace) {
    boolean interrupted = Thread.interrupted();
    try {
      if (!wrapper.isAlive()) {
        return "had already exited with code " + wrapper.exitValue();
      }
      List<ProcessHandle> tree = wrapper.descendants().collect(Collectors.toList());
      tree.forEach(ProcessHandle::destroy);
      if (waitFor(grace)) {
        return "ended after SIGTERM with code " + wrapper.exitValue();
      }
      wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
      tree.forEach(ProcessHandle::destroyForcibly);
      wrapper.destroyForcibly();
      waitFor(Duration.ofSeconds(5));
      return "did not end within " + Durations.format(grace) + " of SIGTERM; sent SIGKILL";
    } finally {
      try {
        wrapper.getOutputStream().close();
      } catch (IOException ignored) {
        // the wrapper is gone
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean waitFor(Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    while (true) {
      try {
        return wrapper.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // keep waiting: the child must be gone before leadership can pass
      }
    }
  }
}
