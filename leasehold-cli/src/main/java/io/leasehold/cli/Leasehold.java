package io.leasehold.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code leasehold} command: leader election from the shell.
 *
 * <ul>
 *   <li>{@code leasehold demo}: three candidates on an SQLite file, a handover and a failover;
 *   <li>{@code leasehold run --lock SPEC --name NAME -- COMMAND...}: run a command only while
 *       leader;
 *   <li>{@code leasehold status --lock SPEC --name NAME}: show a lock's record.
 * </ul>
 *
 * <p>Exit codes: 0 success, 1 runtime failure, 2 usage error (bad flags, a bad lock spec, invalid
 * timings), and the child's exit code where {@code run} ran a child to its end.
 */
@Command(
    name = "leasehold",
    mixinStandardHelpOptions = true,
    versionProvider = Leasehold.Version.class,
    description = "Leader election for processes: run a command only while leader.",
    subcommands = {DemoCommand.class, RunCommand.class, StatusCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  runtime failure (the lock's backend failed, the child could not start...)",
      "  2  usage error (bad flags, bad lock spec, invalid timings)",
      "  N  run: the child's own exit code when it ended by itself",
      "",
      "See docs/CLI.md."
    })
public final class Leasehold implements Runnable {
  /** Exit code of a runtime failure. */
  public static final int FAILURE = 1;

  /** Exit code of a usage error. */
  public static final int USAGE = 2;

  private Leasehold() {}

  /** Runs the command line and exits with its code. */
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
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
    return USAGE;
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
