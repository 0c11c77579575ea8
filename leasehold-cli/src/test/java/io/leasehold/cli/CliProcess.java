package io.leasehold.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The real CLI as an OS process, with its output captured line by line. */
final class CliProcess implements AutoCloseable {
  final Process process;
  final List<String> out = new CopyOnWriteArrayList<>();
  final List<String> err = new CopyOnWriteArrayList<>();
  private final List<Thread> pumps = new ArrayList<>();

  private CliProcess(Process process) {
    this.process = process;
    pumps.add(pump(process.getInputStream(), out));
    pumps.add(pump(process.getErrorStream(), err));
  }

  static CliProcess start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  static CliProcess start(Map<String, String> env, String... args) throws IOException {
    return startWrapped(List.of(), env, args);
  }

  /** The CLI started through {@code wrapper} (such as {@code unshare -m ...}), then its args. */
  static CliProcess startWrapped(List<String> wrapper, Map<String, String> env, String... args)
      throws IOException {
    List<String> argv = new ArrayList<>(wrapper);
    argv.addAll(Leasehold.launcher());
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(env);
    return new CliProcess(pb.start());
  }

  /** Waits for the process to exit and returns its code. */
  int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the CLI did not exit within " + timeout + "; stderr: " + err);
    }
    for (Thread pump : pumps) {
      pump.join(5_000); // the output ends when the last holder of the pipe exits
    }
    return process.exitValue();
  }

  String stdout() {
    return String.join("\n", out);
  }

  String stderr() {
    return String.join("\n", err);
  }

  /**
   * Writes the output of {@code processes} to {@code target/cli-test-logs/<test>.<n>.log}, so that
   * a failure on a loaded CI machine can be read afterwards.
   */
  static void keepLogs(List<CliProcess> processes, org.junit.jupiter.api.TestInfo test) {
    java.nio.file.Path dir = java.nio.file.Path.of("target", "cli-test-logs");
    String name =
        test.getTestClass().map(Class::getSimpleName).orElse("test")
            + "."
            + test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("unknown");
    try {
      java.nio.file.Files.createDirectories(dir);
      for (int i = 0; i < processes.size(); i++) {
        CliProcess p = processes.get(i);
        java.nio.file.Files.writeString(
            dir.resolve(name + "." + i + ".log"),
            "stdout:\n" + p.stdout() + "\nstderr:\n" + p.stderr() + "\n");
      }
    } catch (IOException e) {
      System.err.println("could not keep the logs of " + name + ": " + e);
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static Thread pump(InputStream in, List<String> into) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  into.add(line);
                }
              } catch (IOException ignored) {
                // the process is gone
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
