package io.leasehold.cli;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code leasehold status}: prints a lock's current record as a table or JSON. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Print a lock's current record: holder, times, transitions and fencing token.",
      "",
      "Reads only: an SQLite file is opened read-only and never created. The age is now minus"
          + " the last renewal, by this host's clock against the holder's.",
      ""
    })
final class StatusCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin LockOptions lock = new LockOptions();
  @Mixin LoggingOptions logging = new LoggingOptions();

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Mixin OneShotOptions oneShot = new OneShotOptions();

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    LockSpec locks = oneShot.open(cmd, lock, true);
    PrintWriter out = cmd.getOut();
    try (locks) {
      Lock l = locks.lock("leasehold-status");
      Optional<LockSnapshot> read = Optional.empty();
      if (!locks.absent()) {
        long t0 = System.nanoTime();
        try {
          read = l.get(oneShot.timeout);
        } catch (LockException e) {
          if (locks.isAbsence(e)) {
            return print(out, l, null);
          }
          cmd.getErr()
              .printf(
                  Locale.ROOT,
                  "leasehold status: %s (after %.1f s)%n",
                  locks.explain(e),
                  (System.nanoTime() - t0) / 1e9);
          return Leasehold.FAILURE;
        }
      }
      return print(out, l, read.map(LockSnapshot::record).orElse(null));
    }
  }

  private int print(PrintWriter out, Lock l, LeaderElectionRecord record) {
    if (json) {
      out.println(json(l.describe(), record));
    } else {
      table(out, l.describe(), record);
    }
    out.flush();
    return 0;
  }

  static String state(LeaderElectionRecord r) {
    if (r == null) {
      return "no record (nobody has competed yet)";
    }
    return r.hasHolder() ? "held" : "released (no holder)";
  }

  private void table(PrintWriter out, String where, LeaderElectionRecord r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"lock", lock.name + " (" + where + ")"});
    rows.add(new String[] {"state", state(r)});
    if (r != null) {
      rows.add(new String[] {"holder", r.hasHolder() ? r.holderIdentity() : "-"});
      rows.add(new String[] {"acquired", String.valueOf(r.acquireTime())});
      rows.add(new String[] {"last renewed", String.valueOf(r.renewTime())});
      rows.add(new String[] {"age", age(r) + " (now minus last renewed; the holder's clock)"});
      rows.add(new String[] {"lease duration", r.leaseDurationSeconds() + " s"});
      rows.add(new String[] {"transitions", Integer.toString(r.leaderTransitions())});
      rows.add(new String[] {"fencing token", Long.toString(r.fencingToken())});
    }
    int width = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
    for (String[] row : rows) {
      out.printf("%-" + width + "s  %s%n", row[0], row[1]);
    }
  }

  private String json(String where, LeaderElectionRecord r) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("lock", lock.name);
    fields.put("backend", where);
    fields.put("state", r == null ? "absent" : r.hasHolder() ? "held" : "released");
    if (r != null) {
      fields.put("holderIdentity", r.holderIdentity());
      fields.put("acquireTime", Objects.toString(r.acquireTime(), null));
      fields.put("renewTime", Objects.toString(r.renewTime(), null));
      fields.put("ageSeconds", ageSeconds(r));
      fields.put("leaseDurationSeconds", r.leaseDurationSeconds());
      fields.put("leaderTransitions", r.leaderTransitions());
      fields.put("fencingToken", r.fencingToken());
    }
    return Json.object(fields);
  }

  private static String age(LeaderElectionRecord r) {
    return r.renewTime() == null
        ? "-"
        : Durations.format(
            Duration.ofMillis(Duration.between(r.renewTime(), Instant.now()).toMillis()));
  }

  /** Seconds since the last renewal, to the millisecond, or null when never renewed. */
  private static BigDecimal ageSeconds(LeaderElectionRecord r) {
    return r.renewTime() == null
        ? null
        : BigDecimal.valueOf(Duration.between(r.renewTime(), Instant.now()).toMillis(), 3);
  }
}
