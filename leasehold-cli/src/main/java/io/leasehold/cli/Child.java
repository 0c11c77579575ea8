package io.leasehold.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The command run while leader, in a process group of its own, with a guard that ends the whole
 * group.
 *
 * <p>The command is started through {@code setsid}, so that it leads a new session and process
 * group: whatever it starts (a worker behind a shell script) is in that group too, unless it leaves
 * on purpose (a daemon that calls setsid itself). Before the command, a guard starts: a small POSIX
 * shell holding a pipe from this JVM, which is told the group's id once the command runs. When the
 * pipe closes, because {@code leasehold} asks for the end (lost leadership, a stop, or the command
 * exited and may have left processes behind) or because {@code leasehold} died (even by SIGKILL,
 * the kernel closes the pipe), the guard sends the group SIGTERM, waits until it is empty or the
 * grace period has passed, sends SIGKILL to what is left, and exits with a code saying which. The
 * guard ignores SIGHUP, SIGINT and SIGTERM: a Ctrl-C reaches {@code leasehold}, which stops the
 * group in order, and not the guard. The command's standard input is {@code /dev/null}; its output
 * and errors go where {@code leasehold}'s go.
 *
 * <p>Linux: the guard times the grace by {@code /proc/uptime}. If the JVM dies in the microseconds
 * between starting the command and telling the guard its group, the command is not stopped.
 */
final class Child {
  /** Guard exit codes. */
  static final int NOTHING_LEFT = 0;

  static final int ENDED_AFTER_TERM = 10;
  static final int KILLED = 11;
  static final int SURVIVED_KILL = 12;

  /**
   * The guard: reads the group id, waits for the pipe to close, then ends the group. A group counts
   * as ended when only zombies are left in it: where nothing reaps orphans (a container whose first
   * process is this JVM), the dead would otherwise keep it "alive".
   */
  private static final String GUARD =
      """
      trap '' HUP INT TERM
      alive() {
        kill -0 "-$pg" 2>/dev/null || return 1
        for f in /proc/[0-9]*/stat; do
          read -r s 2>/dev/null <"$f" || continue
          s=${s##*) }
          z=${s%% *}
          s=${s#* }
          s=${s#* }
          [ "${s%% *}" = "$pg" ] && [ "$z" != Z ] && return 0
        done
        return 1
      }
      uptime() {
        read -r up _ </proc/uptime
        now=$(( ${up%.*} * 100 + 1${up#*.} - 100 ))
      }
      IFS= read -r pg || exit 0
      while IFS= read -r _; do :; done
      alive || exit 0
      kill -TERM "-$pg" 2>/dev/null
      uptime
      end=$(( now + $1 ))
      code=10
      while alive; do
        uptime
        if [ "$now" -ge "$end" ]; then
          [ "$code" = 11 ] && exit 12
          kill -KILL "-$pg" 2>/dev/null
          code=11
          end=$(( now + 100 ))
        fi
        sleep 0.05
      done
      exit "$code"
      """;

  /** How much longer than the grace this JVM waits for the guard before acting itself. */
  private static final Duration SLACK = Duration.ofSeconds(3);

  private final Process command;
  private final Process guard;
  private final Duration grace;
  private final long started = System.nanoTime();

  private Child(Process command, Process guard, Duration grace) {
    this.command = command;
    this.guard = guard;
    this.grace = grace;
  }

  /** Why {@code program} cannot be run, with the shell's exit code for it (127 or 126). */
  record Unstartable(int exitCode, String reason) {}

  /**
   * Finds {@code program} the way {@code execvp} will, without running it: a name with a slash is a
   * path, any other name is looked up in {@code path} ({@code $PATH}).
   *
   * @return why it cannot run: not found (127), a folder or not executable (126)
   */
  static Optional<Unstartable> check(String program, String path) {
    if (program.isEmpty()) {
      return Optional.of(new Unstartable(127, "the command is empty"));
    }
    if (program.contains("/")) {
      Path p = Path.of(program);
      if (!Files.exists(p)) {
        return Optional.of(new Unstartable(127, "no such file"));
      }
      if (Files.isDirectory(p)) {
        return Optional.of(new Unstartable(126, "it is a folder"));
      }
      if (!Files.isExecutable(p)) {
        return Optional.of(new Unstartable(126, "not executable (chmod +x?)"));
      }
      return Optional.empty();
    }
    boolean foundButNotExecutable = false;
    for (String dir : (path == null ? "" : path).split(":", -1)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
      if (Files.isRegularFile(p)) {
        if (Files.isExecutable(p)) {
          return Optional.empty();
        }
        foundButNotExecutable = true;
      }
    }
    return Optional.of(
        foundButNotExecutable
            ? new Unstartable(126, "found in PATH but not executable")
            : new Unstartable(127, "not found in PATH"));
  }

  /** The {@code setsid} program, or empty when this system has none. */
  static Optional<Path> setsid() {
    String path = System.getenv("PATH");
    for (String dir : ((path == null ? "" : path) + ":/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "setsid"))) {
        return Optional.of(Path.of(dir, "setsid"));
      }
    }
    return Optional.empty();
  }

  /**
   * Starts the guard, then {@code command} through {@code setsid} with {@code environment} as its
   * whole environment, then tells the guard the command's group.
   */
  static Child start(
      List<String> command, Map<String, String> environment, Path setsid, Duration grace)
      throws IOException {
    long graceCentis = Math.max(0, grace.toMillis() / 10);
    ProcessBuilder g =
        new ProcessBuilder("/bin/sh", "-c", GUARD, "leasehold-guard", Long.toString(graceCentis));
    g.environment().clear();
    g.environment().put("PATH", "/usr/bin:/bin");
    g.redirectInput(ProcessBuilder.Redirect.PIPE);
    g.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    g.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process guard = g.start();
    Process started;
    try {
      ProcessBuilder pb =
          new ProcessBuilder(
              Stream.concat(Stream.of(setsid.toString()), command.stream()).toList());
      pb.environment().clear();
      pb.environment().putAll(environment);
      pb.redirectInput(new File("/dev/null"));
      pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
      started = pb.start();
    } catch (IOException | RuntimeException e) {
      guard.getOutputStream().close();
      throw e;
    }
    OutputStream pipe = guard.getOutputStream();
    pipe.write((started.pid() + "\n").getBytes(StandardCharsets.US_ASCII));
    pipe.flush();
    return new Child(started, guard, grace);
  }

  /** The command's process id, which is also its process group's. */
  long pid() {
    return command.pid();
  }

  /** Completes when the command has exited. */
  CompletableFuture<Process> onExit() {
    return command.onExit();
  }

  /** Whether the command is still running. */
  boolean isAlive() {
    return command.isAlive();
  }

  /** The command's exit code (128 + the signal when a signal ended it); only after it exited. */
  int exitValue() {
    return command.exitValue();
  }

  /** How long the command has run, or ran. */
  Duration ranFor() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** How the command's group ended, for the log. */
  record Ending(int guardCode, Integer exitCode, Duration took) {
    /** Whether SIGKILL was needed. */
    boolean killed() {
      return guardCode == KILLED || guardCode == SURVIVED_KILL;
    }

    String describe(Duration grace) {
      String code = exitCode == null ? "" : " (exit code " + exitCode + ")";
      return switch (guardCode) {
        case NOTHING_LEFT -> "had already ended" + code;
        case ENDED_AFTER_TERM -> "ended " + took.toMillis() + " ms after SIGTERM" + code;
        case KILLED ->
            "did not end within the "
                + Durations.format(grace)
                + " grace after SIGTERM;"
                + " killed (SIGKILL)"
                + code;
        case SURVIVED_KILL ->
            "was sent SIGKILL after the "
                + Durations.format(grace)
                + " grace, but processes of its group were still there 1 s later";
        default ->
            "was stopped by leasehold itself after its guard failed (code "
                + guardCode
                + ")"
                + code;
      };
    }
  }

  /**
   * Ends the command and everything in its group: SIGTERM, then SIGKILL after the grace period.
   * Also used after the command exited by itself, for what it left behind. Waits even if the
   * calling thread is interrupted: leadership must not pass while any of it runs.
   */
  Ending stop() {
    boolean interrupted = Thread.interrupted();
    long t0 = System.nanoTime();
    try {
      try {
        guard.getOutputStream().close(); // the guard's signal to act
      } catch (IOException ignored) {
        // the guard is gone; handled below
      }
      long deadline = t0 + grace.plus(SLACK).toNanos();
      int code;
      if (waitFor(guard, deadline)) {
        code = guard.exitValue();
      } else {
        // the guard is stuck (an overloaded machine): end what this JVM can see itself
        guard.destroyForcibly();
        command.descendants().forEach(ProcessHandle::destroyForcibly);
        command.destroyForcibly();
        code = -1;
      }
      waitFor(command, System.nanoTime() + SLACK.toNanos());
      Integer exit = command.isAlive() ? null : command.exitValue();
      return new Ending(code, exit, Duration.ofNanos(System.nanoTime() - t0));
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean waitFor(Process p, long deadline) {
    while (true) {
      try {
        return p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // keep waiting: the group must be gone before leadership can pass
      }
    }
  }
}
