package io.leasehold.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child's side of a multi-process benchmark: commands, one per line, on standard input; answers
 * ({@code <kind> key=value ...}) on standard output; the process exits when standard input closes,
 * so a coordinator that dies leaves no child behind. JDK only.
 *
 * <p>Commands: {@code start}, {@code stats}, {@code mark} (stats plus the renewal delays since the
 * last mark), {@code threads}, {@code close} (the candidates), {@code close-client}, {@code exit}.
 */
final class ChildProtocol {
  private ChildProtocol() {}

  static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static String threads() {
    ThreadCensus c = ThreadCensus.now();
    return "total=" + c.total + " leasehold=" + c.leasehold + " kinds=" + c.kindsToken();
  }

  /** Runs {@code p}: connects, prepares {@code elections} candidates, then serves commands. */
  static void serve(Participants p, int elections) {
    try {
      say("hello " + threads());
      p.connect();
      say("client " + threads());
      p.prepare(elections);
      say("ready");
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String command;
      while ((command = in.readLine()) != null) {
        switch (command.trim()) {
          case "start" -> {
            p.start();
            say("started");
          }
          case "stats" -> say("stats " + p.counters().line(false));
          case "mark" -> say("mark " + p.counters().line(true));
          case "threads" -> say("threads " + threads());
          case "close" -> {
            p.counters().stopping();
            p.closeElections();
            say("closed");
          }
          case "close-client" -> {
            p.closeClient();
            say("client-closed");
          }
          case "exit" -> {
            return;
          }
          default -> say("error unknown command " + command);
        }
      }
    } catch (Exception | Error e) {
      say("error " + String.valueOf(e).replace('\n', ' '));
      e.printStackTrace();
    } finally {
      Runtime.getRuntime().halt(0); // no shutdown work: the coordinator measured what it needed
    }
  }
}
