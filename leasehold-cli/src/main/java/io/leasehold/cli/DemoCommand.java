package io.leasehold.cli;

import io.leasehold.jdbc.JdbcLock;
import io.leasehold.jdbc.SqliteConnectionPool;
import io.leasehold.jdbc.SqliteDataSources;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leasehold demo}: three candidates, each a separate {@code leasehold run} process, on one
 * SQLite file in a temporary folder. It narrates the first election, a graceful handover (the
 * leader is stopped and releases the lease) and a crash (the leader is killed and nothing is
 * released), with the time each took, then removes everything it started.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Watch three processes elect a leader on an SQLite file, hand over and fail over.",
      "",
      "Three `leasehold run` processes compete on a temporary SQLite file: the first election, a"
          + " graceful handover (SIGTERM) and a crash failover (SIGKILL), each timed. Everything"
          + " it starts is removed at the end.",
      ""
    })
final class DemoCommand implements Callable<Integer> {
  private static final List<String> NAMES = List.of("alpha", "bravo", "charlie");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--lease-duration",
      converter = Durations.class,
      defaultValue = "4s",
      description = "Lease duration (default: ${DEFAULT-VALUE}).")
  Duration lease;

  @Option(
      names = "--renew-deadline",
      converter = Durations.class,
      defaultValue = "3s",
      description = "Renew deadline (default: ${DEFAULT-VALUE}).")
  Duration renew;

  @Option(
      names = "--retry-period",
      converter = Durations.class,
      defaultValue = "0.5s",
      description = "Retry period (default: ${DEFAULT-VALUE}).")
  Duration retry;

  @Option(names = "--keep", description = "Keep the temporary folder (logs, database).")
  boolean keep;

  private final List<Candidate> candidates = new ArrayList<>();
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private PrintWriter out;
  private Path dir;
  private long start;
  private boolean cleaned;

  @Override
  public Integer call() throws Exception {
    // before anything starts: the same rules and messages as run's
    TimingOptions.check(spec.commandLine(), lease, renew, retry);
    TimingOptions.checkWithLock(
        spec.commandLine(),
        LeaderElectionConfig.builder().leaseDuration(lease).renewDeadline(renew).retryPeriod(retry),
        new InMemoryLockStore().lock("demo", "check"),
        TimingOptions.describe(lease, renew, retry));
    out = spec.commandLine().getOut();
    dir = Files.createTempDirectory("leasehold-demo-");
    Path db = dir.resolve("demo.db");
    Thread hook = new Thread(this::cleanUp, "leasehold-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    start = System.nanoTime();
    try {
      return narrate(db);
    } finally {
      cleanUp();
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  private int narrate(Path db) throws Exception {
    try (SqliteConnectionPool pool = SqliteDataSources.forFile(db)) {
      return narrate(db, JdbcLock.builder(pool).name("demo").identity("observer").build());
    }
  }

  private int narrate(Path db, JdbcLock observer) throws Exception {
    out.print(
        """
        Leasehold demo: three processes elect a leader on one SQLite file
          lease %s, renew deadline %s, retry period %s; database %s

        """
            .formatted(
                Durations.format(lease), Durations.format(renew), Durations.format(retry), db));
    say("starting candidates alpha, bravo and charlie, each a `leasehold run` process");
    for (String name : NAMES) {
      candidates.add(startCandidate(name, db));
    }

    Event first = next("the first leader");
    long elected = first.at();
    say("%s leads with fencing token %d", first.name(), first.token());
    awaitRenewal(observer, first.name());
    say(
        "%s renews its lease every %s; the others hear of each write from the OS",
        first.name(), Durations.format(retry));

    say(
        "graceful handover: %s is stopped (SIGTERM); it stops its child and releases the lease",
        first.name());
    long stopped = System.nanoTime();
    candidate(first.name()).process().destroy();
    Event second = next("a leader after the handover");
    long handover = second.at() - stopped;
    say(
        "%s leads with fencing token %d, %s after %s was stopped",
        second.name(), second.token(), ms(handover), first.name());
    candidate(first.name()).process().waitFor(10, TimeUnit.SECONDS);
    awaitRenewal(observer, second.name());

    say(
        "crash: %s is killed (SIGKILL); nothing is released, so the others must wait out the lease",
        second.name());
    long killed = System.nanoTime();
    candidate(second.name()).process().destroyForcibly();
    Event third = awaitWithProgress(killed, second.name());
    long failover = third.at() - killed;
    say(
        "%s leads with fencing token %d, %s after the crash (%.2f x the lease)",
        third.name(), third.token(), ms(failover), failover / (double) lease.toNanos());

    Optional<LockSnapshot> last = observer.get(Duration.ofSeconds(5));
    out.print(
        """

        Summary
          first election     %s after the candidates started
          graceful handover  %s (the leader released the lease)
          crash failover     %s = %.2f x the %s lease (a full lease after the last renewal the \
        others saw)
        """
            .formatted(
                ms(elected - start),
                ms(handover),
                ms(failover),
                failover / (double) lease.toNanos(),
                Durations.format(lease)));
    last.map(LockSnapshot::record)
        .ifPresent(
            r ->
                out.printf(
                    "  the record now     holder %s, %d transitions, fencing token %d%n",
                    r.holderIdentity(), r.leaderTransitions(), r.fencingToken()));
    out.printf(
        "%nTry it yourself: bin/leasehold run --lock sqlite:/tmp/my.db --name job -- <cmd>%n");
    out.flush();
    return 0;
  }

  // ---------------------------------------------------------------- candidates

  /** A candidate's command started leading with {@code token}, seen at {@code at} (nanoTime). */
  private record Event(String name, long token, long at) {}

  private record Candidate(String name, Process process) {}

  private Candidate startCandidate(String name, Path db) throws IOException {
    List<String> argv = new ArrayList<>(Leasehold.launcher());
    argv.addAll(
        List.of(
            "run",
            "--lock",
            "sqlite:" + db,
            "--name",
            "demo",
            "--id",
            name,
            "--lease-duration",
            lease.toMillis() + "ms",
            "--renew-deadline",
            renew.toMillis() + "ms",
            "--retry-period",
            retry.toMillis() + "ms",
            "--",
            "/bin/sh",
            "-c",
            "echo \"LEADING $LEASEHOLD_FENCING_TOKEN\"; exec sleep 100000"));
    Process p =
        new ProcessBuilder(argv)
            .redirectError(dir.resolve(name + ".log").toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    DaemonThreads.start("leasehold-demo-" + name, () -> readEvents(name, p));
    return new Candidate(name, p);
  }

  /** Turns the {@code LEADING <token>} lines of {@code name}'s command into events. */
  private void readEvents(String name, Process p) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("LEADING ")) {
          long token = Long.parseLong(line.substring(8).trim());
          events.add(new Event(name, token, System.nanoTime()));
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // the candidate is gone
    }
  }

  private Candidate candidate(String name) {
    return candidates.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private Event next(String what) throws InterruptedException {
    Event e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (e == null) {
      throw new IllegalStateException(
          "no " + what + " within " + Durations.format(WAIT) + "; candidate logs: " + logs());
    }
    return e;
  }

  /** Waits for the next leader, redrawing a progress line while the lease runs out. */
  private Event awaitWithProgress(long since, String crashed) throws InterruptedException {
    boolean terminal = System.console() != null;
    if (!terminal) {
      say("waiting for %s's lease (%s) to expire...", crashed, Durations.format(lease));
    }
    long deadline = since + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Event e = events.poll(100, TimeUnit.MILLISECONDS);
      if (terminal) {
        double waited = (System.nanoTime() - since) / 1e9;
        double total = lease.toNanos() / 1e9;
        int filled = (int) Math.min(20, Math.round(20 * waited / total));
        out.printf(
            "\r         waiting for %s's lease to expire  %4.1f s of %.1f s  [%s%s]",
            crashed, waited, total, "#".repeat(filled), " ".repeat(20 - filled));
        out.flush();
      }
      if (e != null) {
        if (terminal) {
          out.printf("\r%s\r", " ".repeat(78));
        }
        return e;
      }
    }
    throw new IllegalStateException("no leader after the crash; candidate logs: " + logs());
  }

  /** Waits until the leader has renewed at least once, as the database shows. */
  private void awaitRenewal(JdbcLock observer, String leader) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Optional<LockSnapshot> s = observer.get(Duration.ofSeconds(5));
        if (s.isPresent()) {
          LeaderElectionRecord r = s.get().record();
          if (r.holderIdentity().equals(leader)
              && r.renewTime() != null
              && r.renewTime().isAfter(r.acquireTime())) {
            return;
          }
        }
      } catch (LockException e) {
        // the candidates are busy creating the table; read again
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new IllegalStateException(leader + " never renewed; candidate logs: " + logs());
  }

  private void say(String format, Object... args) {
    out.printf(
        Locale.ROOT,
        "[%5.1f s] %s%n",
        (System.nanoTime() - start) / 1e9,
        String.format(format, args));
    out.flush();
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
  }

  private String logs() {
    Map<String, String> tails = new LinkedHashMap<>();
    for (String name : NAMES) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        tails.put(
            name, String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
      } catch (IOException e) {
        tails.put(name, "(no log)");
      }
    }
    return tails.toString();
  }

  private synchronized void cleanUp() {
    if (cleaned) {
      return;
    }
    cleaned = true;
    for (Candidate c : candidates) {
      c.process().destroy();
    }
    for (Candidate c : candidates) {
      try {
        if (!c.process().waitFor(10, TimeUnit.SECONDS)) {
          c.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        c.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (keep) {
      out.printf("kept %s%n", dir);
    } else {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException ignored) {
        // best effort
      }
    }
    out.flush();
  }
}
