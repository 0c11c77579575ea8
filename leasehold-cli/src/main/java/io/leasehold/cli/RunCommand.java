package io.leasehold.cli;

import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.micrometer.MicrometerMetricsProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
 * <p>When leadership ends, for whatever reason, the command gets SIGTERM and, after the grace
 * period, SIGKILL, and both happen before any other candidate could take the lease over. When the
 * command ends by itself, the lease is released and {@code run} exits with the command's code, or
 * competes again with {@code --restart}. SIGTERM or SIGINT to {@code run} stops the command the
 * same way, releases the lease, and exits (143 or 130).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Compete for a lock; run COMMAND only while leader.",
      "The child gets LEASEHOLD_IDENTITY, LEASEHOLD_LOCK and LEASEHOLD_FENCING_TOKEN.",
      "On loss of leadership it gets SIGTERM, then SIGKILL after --grace, before another",
      "candidate can take over. When it exits by itself, the lease is released and run",
      "exits with its code (or competes again with --restart)."
    })
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger("leasehold");

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin LockOptions lock = new LockOptions();
  @Mixin TimingOptions timing = new TimingOptions();
  @Mixin LoggingOptions logging = new LoggingOptions();

  @Option(names = "--restart", description = "When the child exits by itself, compete again.")
  boolean restart;

  @Option(
      names = "--release-on-cancel",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Release the lease when stopping, so another takes over at once (default: true).")
  boolean releaseOnCancel;

  @Option(
      names = "--grace",
      converter = Durations.class,
      description =
          "Time between SIGTERM and SIGKILL for the child; must be shorter than"
              + " lease-duration - renew-deadline (default: half of that).")
  Duration grace;

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

  @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
  List<String> command;

  private volatile LeaderElector current;
  private volatile boolean shuttingDown;

  @Override
  public Integer call() throws Exception {
    String identity = lock.identity();
    lock.renewDeadline = timing.renewDeadline;
    LockSpec locks = usage(() -> LockSpec.parse(lock));
    LeaderElectionConfig.Builder base =
        timing.apply(LeaderElectionConfig.builder()).lock(locks.lock(identity));
    usage(() -> base.callbacks(callbacks(null)).build());
    Duration maxGrace = timing.leaseDuration.minus(timing.renewDeadline);
    Duration childGrace = grace != null ? grace : maxGrace.dividedBy(2);
    if (childGrace.isNegative() || childGrace.compareTo(maxGrace) >= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--grace must be shorter than lease-duration - renew-deadline ("
              + Durations.format(maxGrace)
              + "), so that the child is gone before another candidate can take over");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpSidecar sidecar = null;
    if (http != null) {
      sidecar = usage(() -> startHttp(registry));
      log.info("serving /healthz, /leader and /metrics on http://{}", hostPort(sidecar));
    }
    Thread hook = new Thread(this::shutdown, "leasehold-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.info("{} competing for {} on {}", identity, lock.name, locks.display());
    try {
      return compete(locks, identity, childGrace, registry);
    } finally {
      if (!shuttingDown) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
      if (sidecar != null) {
        sidecar.close();
      }
      locks.close();
    }
  }

  /** One elector per round; a round ends when the child exits by itself. */
  private int compete(
      LockSpec locks, String identity, Duration childGrace, PrometheusMeterRegistry registry) {
    MicrometerMetricsProvider metrics = new MicrometerMetricsProvider(registry);
    while (true) {
      CompletableFuture<Integer> childExit = new CompletableFuture<>();
      LeaderElector elector =
          new LeaderElector(
              timing
                  .apply(LeaderElectionConfig.builder())
                  .lock(locks.lock(identity))
                  .name(lock.name)
                  .keepCompeting(true)
                  .releaseOnCancel(releaseOnCancel)
                  .metricsProvider(metrics)
                  .callbacks(callbacks(new Round(childExit, childGrace)))
                  .build());
      current = elector;
      CompletableFuture<Void> stopped = elector.start();
      CompletableFuture.anyOf(childExit, stopped).join();
      if (!childExit.isDone()) {
        return 1; // stopped from outside: the shutdown hook owns the exit
      }
      int code = childExit.join();
      elector.close();
      if (!restart || shuttingDown) {
        log.info("child exited with code {}; lease released, exiting", code);
        return code;
      }
      log.info("child exited with code {}; lease released, competing again (--restart)", code);
    }
  }

  private LeaderCallbacks callbacks(Round round) {
    return LeaderCallbacks.builder()
        .onStartedLeading(ctx -> round.lead(ctx))
        .onStoppedLeading(() -> {})
        .onNewLeader(
            holder -> {
              if (holder.isEmpty()) {
                log.info("the lease of {} was released", lock.name);
              } else {
                log.info("{} leads {}", holder, lock.name);
              }
            })
        .build();
  }

  /** What one elector's leadership does: run the child until it exits or leadership ends. */
  private final class Round {
    private final CompletableFuture<Integer> childExit;
    private final Duration childGrace;

    Round(CompletableFuture<Integer> childExit, Duration childGrace) {
      this.childExit = childExit;
      this.childGrace = childGrace;
    }

    void lead(LeadershipContext ctx) {
      if (ctx.isCancelled()) {
        return;
      }
      Child child;
      try {
        child =
            Child.start(
                command,
                Map.of(
                    "LEASEHOLD_IDENTITY", ctx.identity(),
                    "LEASEHOLD_LOCK", lock.name,
                    "LEASEHOLD_FENCING_TOKEN", Long.toString(ctx.fencingToken())),
                childGrace);
      } catch (IOException e) {
        log.error("cannot start {}: {}", command.get(0), e.getMessage());
        childExit.complete(127);
        return;
      }
      log.info(
          "leading with fencing token {}: started {} (pid {})",
          ctx.fencingToken(),
          command.get(0),
          child.pid());
      try {
        CompletableFuture.anyOf(child.onExit(), ctx.whenCancelled()).get();
      } catch (InterruptedException e) {
        // leadership ended: the elector interrupts this thread
      } catch (java.util.concurrent.ExecutionException e) {
        // not completed exceptionally
      }
      if (!ctx.isCancelled() && !child.isAlive()) {
        childExit.complete(child.exitValue());
        return;
      }
      log.warn("leadership ended ({}): stopping the child", ctx.cancellationReason());
      log.warn("child {}", child.stop(childGrace));
    }
  }

  private void shutdown() {
    shuttingDown = true;
    LeaderElector e = current;
    if (e != null) {
      log.info("stopping: the child is stopped and the lease released");
      e.close();
    }
  }

  private HttpSidecar startHttp(PrometheusMeterRegistry registry) {
    try {
      return HttpSidecar.start(http, () -> current, healthzTolerance, registry);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serve HTTP on " + http + ": " + e.getMessage());
    }
  }

  private static String hostPort(HttpSidecar s) {
    return s.address().getAddress().getHostAddress() + ":" + s.address().getPort();
  }

  /** Runs {@code step}, turning IllegalArgumentException into a usage error (exit code 2). */
  private <T> T usage(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), Leasehold.message(e));
    }
  }
}
