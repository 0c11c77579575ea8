package io.leasehold.cli;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.micrometer.MicrometerMetricsProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leasehold run}: competes for a lock and runs a command only while leader.
 *
 * <p>Before it competes, it checks what retrying cannot fix: the flags, that the command exists and
 * may be executed (else exit 127 or 126, nothing touched), and that an SQL lease table has the
 * right shape (else exit 2). The command runs in a process group of its own ({@link Child}); when
 * leadership ends, for whatever reason, the whole group gets SIGTERM and, after the grace period,
 * SIGKILL, before any other candidate could take the lease over. When the command ends by itself,
 * what it left in its group is stopped, the lease is released and {@code run} exits with the
 * command's code, or, with {@code --restart}, competes again after a pause that doubles after each
 * quick exit. SIGTERM or SIGINT to {@code run} stops the command the same way, releases the lease,
 * and exits (143 or 130). A {@link BackendMonitor} reports backend problems while they last.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Compete for a lock and run COMMAND only while this candidate leads.",
      "",
      "COMMAND runs in a process group of its own, with LEASEHOLD_IDENTITY, LEASEHOLD_LOCK and"
          + " LEASEHOLD_FENCING_TOKEN added to the environment (and $PGPASSWORD, $ETCD_PASSWORD"
          + " removed unless --pass-credentials). When leadership ends, or leasehold is stopped"
          + " or killed, the whole group gets SIGTERM, then SIGKILL after --grace, before another"
          + " candidate can take over. When COMMAND exits by itself, the lease is released and run"
          + " exits with its code, or competes again with --restart.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  leasehold run --lock sqlite:/var/lib/app/leases.db --name nightly \\",
      "      -- ./report.sh --full",
      "  PGUSER=app leasehold run --lock jdbc:postgresql://db:5432/app \\",
      "      --name billing --restart -- java -jar billing.jar",
      "",
      "Everything after -- is the command and its arguments, never leasehold's flags.",
      "Exit codes: the command's own code when it ended by itself; 127 when it was not",
      "found, 126 when it is not executable; 2 for bad flags, a bad lock spec or a",
      "lease table of the wrong shape; 130/143 after SIGINT/SIGTERM; 1 when leasehold",
      "itself failed. See docs/CLI.md."
    })
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger("leasehold");

  /** The backend credentials the command does not get unless --pass-credentials. */
  static final List<String> CREDENTIALS = List.of("PGPASSWORD", "ETCD_PASSWORD");

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin LockOptions lock = new LockOptions();
  @Mixin TimingOptions timing = new TimingOptions();
  @Mixin LoggingOptions logging = new LoggingOptions();

  @Option(
      names = "--restart",
      description =
          "When COMMAND exits by itself, compete again after --restart-delay; the pause doubles"
              + " after each run shorter than --restart-max-delay, up to it.")
  boolean restart;

  @Option(
      names = "--restart-delay",
      converter = Durations.class,
      defaultValue = "1s",
      description = "The first pause before competing again (default: ${DEFAULT-VALUE}).")
  Duration restartDelay;

  @Option(
      names = "--restart-max-delay",
      converter = Durations.class,
      defaultValue = "60s",
      description =
          "The longest pause; a run that lasted at least this long resets the pause to"
              + " --restart-delay (default: ${DEFAULT-VALUE}).")
  Duration restartMaxDelay;

  @Option(
      names = "--release-on-cancel",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Release the lease when stopping, so another takes over at once (default: true).")
  boolean releaseOnCancel;

  @Option(
      names = "--grace",
      converter = Durations.class,
      description =
          "Time between SIGTERM and SIGKILL for COMMAND's group; must be shorter than"
              + " --lease-duration minus --renew-deadline (default: half of that).")
  Duration grace;

  @Option(
      names = "--pass-credentials",
      description = "Leave $PGPASSWORD and $ETCD_PASSWORD in COMMAND's environment.")
  boolean passCredentials;

  @Option(
      names = "--report-every",
      converter = Durations.class,
      defaultValue = "30s",
      description =
          "How often a lasting backend problem (unreachable, refused, a record nobody can read)"
              + " is logged again (default: ${DEFAULT-VALUE}).")
  Duration reportEvery;

  @Option(
      names = "--http",
      paramLabel = "[HOST:]PORT",
      description = "Serve /healthz, /leader and /metrics (loopback unless HOST is given).")
  String http;

  @Option(
      names = "--healthz-tolerance",
      converter = Durations.class,
      defaultValue = "10s",
      description =
          "How long past the lease a leader that failed to renew still reports healthy"
              + " (default: ${DEFAULT-VALUE}).")
  Duration healthzTolerance;

  @Parameters(
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The command and its arguments, after --.")
  List<String> command;

  private final CompletableFuture<Void> stopRequested = new CompletableFuture<>();
  // guarded by this
  private Running running;
  private boolean shuttingDown;
  private String identity;
  private LockSpec locks;
  private BackendMonitor monitor;
  private HttpSidecar sidecar;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    lock.checkNames(cmd);
    timing.check(cmd);
    Duration childGrace = childGrace(cmd);
    Durations.require(
        cmd, "--restart-delay", restartDelay, Duration.ofMillis(100), Durations.LONGEST, "");
    if (restartMaxDelay.compareTo(restartDelay) < 0) {
      throw new CommandLine.ParameterException(
          cmd,
          "--restart-max-delay ("
              + Durations.format(restartMaxDelay)
              + ") must not be shorter than --restart-delay ("
              + Durations.format(restartDelay)
              + ")");
    }
    Durations.require(
        cmd, "--report-every", reportEvery, Duration.ofSeconds(1), Durations.LONGEST, "");
    identity = lock.identity();
    lock.renewDeadline = timing.renewDeadline;
    lock.callTimeout = LeaderElectionConfig.defaultLockCallTimeout(timing.renewDeadline);
    locks = usage(() -> LockSpec.parse(lock, false));
    Thread hook = new Thread(this::shutdown, "leasehold-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      TimingOptions.checkWithLock(
          cmd,
          timing.apply(LeaderElectionConfig.builder()),
          locks.lock(identity),
          timing.describe());
      Path setsid =
          Child.setsid()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "run needs setsid (util-linux) to give the command a process group"));
      Optional<Child.Unstartable> unstartable = Child.check(command.get(0), System.getenv("PATH"));
      if (unstartable.isPresent()) {
        cmd.getErr()
            .println(
                "leasehold run: cannot run '"
                    + command.get(0)
                    + "': "
                    + unstartable.get().reason());
        return unstartable.get().exitCode();
      }
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      if (http != null) {
        sidecar = usage(() -> startHttp(registry));
        log.info("serving /healthz, /leader and /metrics on http://{}", hostPort(sidecar));
      }
      log.info("{} competing for {} on {}", identity, lock.name, locks.display());
      monitor = new BackendMonitor(locks, identity, lock.callTimeout, reportEvery);
      Optional<LockException> first = monitor.probe();
      if (first.isPresent() && locks.isMisconfiguration(first.get())) {
        cmd.getErr().println("leasehold run: " + Leasehold.message(first.get()));
        return Leasehold.USAGE;
      }
      monitor.start(probeInterval());
      return compete(childGrace, setsid, registry);
    } finally {
      synchronized (this) {
        if (!shuttingDown) {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
            closeAll();
          } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook closes everything
          }
        }
      }
    }
  }

  /**
   * How often the monitor reads the lock: every 2 retry periods, at least 5 s, at most the report.
   */
  private Duration probeInterval() {
    Duration d = timing.retryPeriod.multipliedBy(2);
    d = d.compareTo(Duration.ofSeconds(5)) > 0 ? d : Duration.ofSeconds(5);
    return d.compareTo(reportEvery) < 0 ? d : reportEvery;
  }

  private Duration childGrace(CommandLine cmd) {
    Duration gap = timing.leaseDuration.minus(timing.renewDeadline);
    Duration g = grace != null ? grace : gap.dividedBy(2);
    if (g.compareTo(gap) >= 0) {
      throw new CommandLine.ParameterException(
          cmd,
          "--grace ("
              + Durations.format(g)
              + ") must be shorter than --lease-duration - --renew-deadline ("
              + Durations.format(timing.leaseDuration)
              + " - "
              + Durations.format(timing.renewDeadline)
              + " = "
              + Durations.format(gap)
              + "), so that the command is gone before another candidate can take over");
    }
    return g;
  }

  /** The round in progress: its elector, and what its leadership does. */
  private record Running(LeaderElector elector, Round round) {}

  /** How one round ended: the command's exit code and how long it ran. */
  private record Exit(int code, Duration ranFor) {}

  /** One elector per round; a round ends when the command exits by itself. */
  private int compete(Duration childGrace, Path setsid, PrometheusMeterRegistry registry) {
    MicrometerMetricsProvider metrics = new MicrometerMetricsProvider(registry);
    Backoff backoff = new Backoff(restartDelay, restartMaxDelay);
    while (true) {
      CompletableFuture<Exit> childExit = new CompletableFuture<>();
      Round round = new Round(childExit, childGrace, setsid);
      LeaderElector elector =
          new LeaderElector(
              timing
                  .apply(LeaderElectionConfig.builder())
                  .lock(locks.lock(identity))
                  .name(lock.name)
                  .whenLost(WhenLost.COMPETE_AGAIN)
                  .releaseOnCancel(releaseOnCancel)
                  .metricsProvider(metrics)
                  .callbacks(callbacks(round))
                  .build());
      synchronized (this) {
        if (shuttingDown) {
          return 1; // the shutdown hook owns the exit
        }
        running = new Running(elector, round);
      }
      CompletableFuture<Void> stopped = elector.start();
      CompletableFuture.anyOf(childExit, stopped).join();
      if (!childExit.isDone()) {
        return 1; // stopped from outside: the shutdown hook owns the exit
      }
      Exit exit = childExit.join();
      elector.close();
      synchronized (this) {
        running = null;
      }
      String ended =
          command.get(0)
              + " exited with code "
              + exit.code()
              + " after "
              + Durations.format(Duration.ofMillis(exit.ranFor().toMillis()))
              + "; "
              + leaseOutcome(elector, round);
      if (!restart || stopRequested.isDone()) {
        log.info("{}; exiting", ended);
        return exit.code();
      }
      Duration delay = backoff.after(exit.ranFor());
      log.info("{}; competing again in {} (--restart)", ended, Durations.format(delay));
      try {
        stopRequested.get(delay.toNanos(), TimeUnit.NANOSECONDS);
        return 1; // stopped while waiting: the shutdown hook owns the exit
      } catch (TimeoutException e) {
        // compete again
      } catch (InterruptedException | ExecutionException e) {
        return 1;
      }
    }
  }

  /**
   * The pause of --restart: starts at {@code first}, doubles after each run shorter than {@code
   * cap}, never exceeds it, and is back to {@code first} after a run that lasted {@code cap}.
   */
  static final class Backoff {
    private final Duration first;
    private final Duration cap;
    private Duration next;

    Backoff(Duration first, Duration cap) {
      this.first = first;
      this.cap = cap;
      this.next = first;
    }

    Duration after(Duration ranFor) {
      if (ranFor.compareTo(cap) >= 0) {
        next = first;
      }
      Duration delay = next;
      Duration doubled = next.multipliedBy(2);
      next = doubled.compareTo(cap) < 0 ? doubled : cap;
      return delay;
    }
  }

  /** What became of the lease when an elector stopped. */
  private String leaseOutcome(LeaderElector elector, Round round) {
    if (!round.led) {
      return "this candidate did not hold the lease of " + lock.name;
    }
    String holder = elector.getLeader();
    if (holder.isEmpty()) {
      return "released the lease of " + lock.name;
    }
    if (holder.equals(identity)) {
      return (releaseOnCancel ? "could not release the lease of " : "did not release the lease of ")
          + lock.name
          + "; it expires within "
          + Durations.format(timing.leaseDuration);
    }
    return "the lease of " + lock.name + " is held by " + holder;
  }

  private LeaderCallbacks callbacks(Round round) {
    return LeaderCallbacks.builder()
        .onStartedLeading(round::lead)
        .onStoppedLeading(() -> {})
        .onNewLeader(
            holder -> {
              if (holder.isEmpty()) {
                log.info("the lease of {} was released", lock.name);
              } else if (!holder.equals(identity)) {
                log.info("{} leads {}", holder, lock.name);
              }
            })
        .build();
  }

  /** The command's environment: this one's, less the credentials, plus the term's. */
  private Map<String, String> environment(LeadershipContext ctx) {
    Map<String, String> env = new HashMap<>(System.getenv());
    if (!passCredentials) {
      CREDENTIALS.forEach(env::remove);
    }
    env.put("LEASEHOLD_IDENTITY", ctx.identity());
    env.put("LEASEHOLD_LOCK", lock.name);
    env.put("LEASEHOLD_FENCING_TOKEN", Long.toString(ctx.fencingToken()));
    return env;
  }

  /** What one elector's leadership does: run the command until it exits or leadership ends. */
  private final class Round {
    private final CompletableFuture<Exit> childExit;
    private final Duration childGrace;
    private final Path setsid;
    // one child at a time: a term taken back quickly waits until the last term's child is gone
    private final ReentrantLock oneChild = new ReentrantLock();
    volatile boolean led;

    Round(CompletableFuture<Exit> childExit, Duration childGrace, Path setsid) {
      this.childExit = childExit;
      this.childGrace = childGrace;
      this.setsid = setsid;
    }

    void lead(LeadershipContext ctx) {
      try {
        oneChild.lockInterruptibly();
      } catch (InterruptedException e) {
        return; // this term ended while the last one's child was still being stopped
      }
      try {
        leadAlone(ctx);
      } finally {
        oneChild.unlock();
      }
    }

    private void leadAlone(LeadershipContext ctx) {
      if (ctx.isCancelled()) {
        return;
      }
      led = true;
      String program = command.get(0);
      Child child;
      try {
        child = Child.start(command, environment(ctx), setsid, childGrace);
      } catch (IOException e) {
        log.error("cannot start {}: {}", program, e.getMessage());
        childExit.complete(new Exit(127, Duration.ZERO));
        return;
      }
      log.info(
          "{} leads {} with fencing token {}: started {} (pid {})",
          ctx.identity(),
          lock.name,
          ctx.fencingToken(),
          program,
          child.pid());
      try {
        CompletableFuture.anyOf(child.onExit(), ctx.whenCancelled()).get();
      } catch (InterruptedException e) {
        // leadership ended: the elector interrupts this thread
      } catch (ExecutionException e) {
        // not completed exceptionally
      }
      if (!ctx.isCancelled() && !child.isAlive()) {
        Exit exit = new Exit(child.exitValue(), child.ranFor());
        Child.Ending rest = child.stop(); // what it left behind in its group
        if (rest.guardCode() != Child.NOTHING_LEFT) {
          log.warn(
              "{} (pid {}) left processes in its group; they {}",
              program,
              child.pid(),
              rest.killed() ? "were killed (SIGKILL) after the grace" : "ended after SIGTERM");
        }
        childExit.complete(exit);
        return;
      }
      boolean stopping;
      synchronized (RunCommand.this) {
        stopping = shuttingDown;
      }
      if (stopping) {
        log.info("stopping {} (pid {}): leasehold is stopping", program, child.pid());
      } else {
        log.warn(
            "lost the lease of {} ({}): stopping {} (pid {})",
            lock.name,
            ctx.cancellationReason(),
            program,
            child.pid());
      }
      Child.Ending ending = child.stop();
      String how = ending.describe(childGrace);
      if (ending.killed()) {
        log.warn("{} (pid {}) {}", program, child.pid(), how);
      } else {
        log.info("{} (pid {}) {}", program, child.pid(), how);
      }
    }
  }

  /** SIGTERM, SIGINT: stop the command, release the lease, close everything. */
  private void shutdown() {
    Running stopping;
    synchronized (this) {
      shuttingDown = true;
      stopping = running;
    }
    stopRequested.complete(null);
    if (monitor != null) {
      monitor.close(); // its probe would report the interrupted calls of the shutdown
    }
    if (stopping != null) {
      stopping.elector().close();
      log.info("stopped; {}", leaseOutcome(stopping.elector(), stopping.round()));
    } else {
      log.info("stopped; this candidate does not hold the lease of {}", lock.name);
    }
    closeAll();
  }

  private synchronized void closeAll() {
    if (monitor != null) {
      monitor.close();
    }
    if (sidecar != null) {
      sidecar.close();
    }
    if (locks != null) {
      locks.close();
    }
  }

  private HttpSidecar startHttp(PrometheusMeterRegistry registry) {
    try {
      return HttpSidecar.start(http, this::elector, healthzTolerance, registry);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serve HTTP on " + http + ": " + e.getMessage());
    }
  }

  private synchronized LeaderElector elector() {
    return running == null ? null : running.elector();
  }

  private static String hostPort(HttpSidecar s) {
    return s.address().getAddress().getHostAddress() + ":" + s.address().getPort();
  }

  /** Runs {@code step}, turning IllegalArgumentException into a usage error (exit code 2). */
  private <T> T usage(Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), Leasehold.message(e));
    }
  }
}
