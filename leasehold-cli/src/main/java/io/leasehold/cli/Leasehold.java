package io.leasehold.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code leasehold} command: leader election from the shell.
 *
 * <ul>
 *   <li>{@code leasehold demo}: three candidates on an SQLite file, a handover and a failover;
 *   <li>{@code leasehold run --lock SPEC --name NAME -- COMMAND...}: run a command only while
 *       leader;
 *   <li>{@code leasehold status --lock SPEC --name NAME}: show a lock's record;
 *   <li>{@code leasehold repair --lock SPEC --name NAME}: replace a corrupt record by a released
 *       one, never lowering its fencing token.
 * </ul>
 *
 * <p>Exit codes: 0 success, 1 runtime failure, 2 usage error (bad flags, a bad lock spec, invalid
 * timings, a lease table of the wrong shape), 126/127 when {@code run}'s command cannot run,
 * 130/143 after SIGINT/SIGTERM, and the command's exit code where {@code run} ran it to its end.
 */
@Command(
    name = "leasehold",
    mixinStandardHelpOptions = true,
    versionProvider = Leasehold.Version.class,
    description = "Leader election for processes: run a command only while leader.",
    subcommands = {DemoCommand.class, RunCommand.class, StatusCommand.class, RepairCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0        success",
      "  1        leasehold failed (status: the backend failed; demo: a candidate)",
      "  2        usage error: a bad flag or value, a bad lock spec, a lease table",
      "           of the wrong shape",
      "  126      run: the command is not executable",
      "  127      run: the command was not found",
      "  130/143  run: stopped by SIGINT/SIGTERM (command stopped, lease released)",
      "  N        run: the command's own exit code when it ended by itself",
      "",
      "Example: leasehold run --lock sqlite:/tmp/my.db --name job -- ./job.sh -v",
      "Each command has --help; see docs/CLI.md."
    })
public final class Leasehold implements Runnable {
  /** Exit code of a runtime failure. */
  public static final int FAILURE = 1;

  /** Exit code of a usage error. */
  public static final int USAGE = 2;

  private Leasehold() {}

  /**
   * The command line that starts this CLI in a new JVM: this JVM's {@code java} and class path,
   * options for a small, fast-starting process, and this class; append the CLI's arguments. The
   * demo starts its candidates with it.
   */
  public static List<String> launcher() {
    return List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Xmx128m",
        "-cp",
        System.getProperty("java.class.path"),
        Leasehold.class.getName());
  }

  public static void main(String[] args) {
    Logging.configure(args);
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code. */
  static int execute(String... args) {
    CommandLine cli = new CommandLine(new Leasehold());
    cli.setParameterExceptionHandler(Leasehold::usageError);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof CommandLine.ParameterException) {
            return usageError((CommandLine.ParameterException) e, args);
          }
          commandLine.getErr().println("leasehold: " + message(e));
          return FAILURE;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "a command is required: demo, run or status");
  }

  /** One clear line, then where to find help; exit code 2. */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = e.getMessage();
    if (e instanceof CommandLine.UnmatchedArgumentException) {
      message =
          unmatched(
              ((CommandLine.UnmatchedArgumentException) e).getUnmatched(),
              cmd.getCommandSpec(),
              message);
    } else if (e instanceof CommandLine.MissingParameterException) {
      // a mistyped flag leaves its option missing: the mistyped one is the news
      Optional<String> unknown = unknownOption(cmd.getCommandSpec(), args);
      if (unknown.isPresent()) {
        message = unmatched(List.of(unknown.get()), cmd.getCommandSpec(), message);
      }
    }
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
    return USAGE;
  }

  /** An unknown command or option, with the nearest known one. */
  private static String unmatched(List<String> unmatched, CommandSpec spec, String fallback) {
    if (unmatched.isEmpty()) {
      return fallback;
    }
    String first = unmatched.get(0);
    if (first.startsWith("-")) {
      String flag = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
      List<String> names = new ArrayList<>();
      spec.options().forEach(o -> names.addAll(List.of(o.names())));
      return "unknown option '" + flag + "'" + suggestion(flag, names);
    }
    if (!spec.subcommands().isEmpty()) {
      List<String> names = new ArrayList<>(spec.subcommands().keySet());
      names.remove("help");
      return "unknown command '"
          + first
          + "': use "
          + String.join(", ", names.subList(0, names.size() - 1))
          + " or "
          + names.get(names.size() - 1)
          + suggestion(first, names);
    }
    return fallback;
  }

  /** The first argument before {@code --} that looks like a long option {@code spec} lacks. */
  private static Optional<String> unknownOption(CommandSpec spec, String[] args) {
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (flag.startsWith("--") && flag.length() > 2 && spec.findOption(flag) == null) {
        return Optional.of(flag);
      }
    }
    return Optional.empty();
  }

  /** "; did you mean X?" for the known name nearest to {@code typed}, when it is near. */
  static String suggestion(String typed, List<String> known) {
    Optional<String> best =
        known.stream()
            .filter(k -> k.length() > 2 || typed.length() <= 2)
            .min(Comparator.comparingInt(k -> distance(typed, k)));
    if (best.isEmpty()) {
      return "";
    }
    int d = distance(typed, best.get());
    boolean near =
        d <= Math.max(2, typed.length() / 4) || best.get().startsWith(typed) && typed.length() > 3;
    return near ? "; did you mean " + best.get() + "?" : "";
  }

  /** Edit distance (insertions, deletions, substitutions, transpositions of neighbours). */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /** The project version, from a resource filtered at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Leasehold.class.getResourceAsStream("/leasehold-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "leasehold " + p.getProperty("version", "unknown"),
        "Java " + System.getProperty("java.version")
      };
    }
  }
}
