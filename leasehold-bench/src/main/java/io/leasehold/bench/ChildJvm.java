package io.leasehold.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's side of a child JVM of a multi-process benchmark (see {@link ChildProtocol}):
 * starts it on a classpath, sends commands, waits for answers, and stops it. Its standard error
 * goes to a log file, named in every failure.
 */
final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  final String name;
  private final Process process;
  private final PrintWriter in;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the child is gone
              } finally {
                lines.add(EOF);
              }
            },
            "bench-child-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} in a new JVM on {@code classpath} with {@code args}; its log goes to {@code
   * logDir}. Children log at WARN and get at most 1 GB of heap.
   */
  static ChildJvm start(
      String name,
      String classpath,
      String main,
      List<String> args,
      Map<String, String> env,
      Path logDir)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    cmd.addAll(List.of("-cp", classpath, main));
    cmd.addAll(args);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    pb.environment().putAll(env);
    return new ChildJvm(name, pb.start(), log);
  }

  long pid() {
    return process.pid();
  }

  /** Sends {@code command} without waiting. */
  void send(String command) {
    in.println(command);
  }

  /** The next answer of {@code kind}, as its key=value pairs; other lines are skipped. */
  Map<String, String> await(String kind, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw failure("no '" + kind + "' within " + timeout);
        }
        if (line.equals(EOF)) {
          throw failure("exited while waiting for '" + kind + "'");
        }
        if (line.startsWith("error")) {
          throw failure(line);
        }
        if (line.equals(kind) || line.startsWith(kind + " ")) {
          return parse(line.substring(kind.length()).trim());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("interrupted");
    }
  }

  /** Sends {@code command} to every child, then waits for each one's answer of the same kind. */
  static List<Map<String, String>> askAll(
      List<ChildJvm> children, String command, Duration timeout) {
    children.forEach(c -> c.send(command));
    return children.stream().map(c -> c.await(command, timeout)).toList();
  }

  /** Deletes {@code dir} and everything in it (best effort: the logs of a failed run stay). */
  static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Sends {@code command} and waits for the answer of the same kind. */
  Map<String, String> ask(String command, Duration timeout) {
    send(command);
    return await(command, timeout);
  }

  private IllegalStateException failure(String what) {
    String tail = "";
    try {
      List<String> all = Files.readAllLines(log);
      tail = String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (IOException ignored) {
      // no log
    }
    return new IllegalStateException("child " + name + ": " + what + " (log " + log + ")\n" + tail);
  }

  private static Map<String, String> parse(String pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : pairs.split(" ")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        m.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return m;
  }

  /** Asks the child to exit, then kills it (and anything it started) if it has not within 10 s. */
  @Override
  public void close() {
    if (process.isAlive()) {
      send("exit");
      in.close();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
