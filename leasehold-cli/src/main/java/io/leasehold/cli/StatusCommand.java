package io.leasehold.cli;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
      "Print the lock's current record: holder, acquired, last renewed, transitions,",
      "fencing token, and its age by this host's clock."
    })
final class StatusCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin LockOptions lock = new LockOptions();
  @Mixin LoggingOptions logging = new LoggingOptions();

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(
      names = "--timeout",
      converter = Durations.class,
      defaultValue = "10s",
      description = "How long to wait for the backend (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    LockSpec locks;
    try {
      locks = LockSpec.parse(lock);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), Leasehold.message(e));
    }
    PrintWriter out = spec.commandLine().getOut();
    try (locks) {
      Lock l = locks.lock("leasehold-status");
      Optional<LockSnapshot> read;
      try {
        read = l.get(timeout);
      } catch (LockException e) {
        spec.commandLine().getErr().println("leasehold status: " + e.getMessage());
        return Leasehold.FAILURE;
      }
      if (json) {
        out.println(json(l.describe(), read.map(LockSnapshot::record).orElse(null)));
      } else {
        table(out, l.describe(), read.map(LockSnapshot::record).orElse(null));
      }
      out.flush();
      return 0;
    }
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
    StringBuilder s = new StringBuilder("{");
    s.append("\"lock\":").append(Json.string(lock.name));
    s.append(",\"backend\":").append(Json.string(where));
    s.append(",\"state\":").append(Json.string(r == null ? "absent" : r.hasHolder() ? "held" : "released"));
    if (r != null) {
      s.append(",\"holderIdentity\":").append(Json.string(r.holderIdentity()));
      s.append(",\"acquireTime\":").append(Json.string(r.acquireTime()));
      s.append(",\"renewTime\":").append(Json.string(r.renewTime()));
      s.append(",\"ageSeconds\":").append(ageSeconds(r));
      s.append(",\"leaseDurationSeconds\":").append(r.leaseDurationSeconds());
      s.append(",\"leaderTransitions\":").append(r.leaderTransitions());
      s.append(",\"fencingToken\":").append(r.fencingToken());
    }
    return s.append('}').toString();
  }

  private static String age(LeaderElectionRecord r) {
    return r.renewTime() == null ? "-" : Durations.format(Duration.between(r.renewTime(), Instant.now()));
  }

  private static String ageSeconds(LeaderElectionRecord r) {
    if (r.renewTime() == null) {
      return "null";
    }
    return String.format(
        java.util.Locale.ROOT, "%.3f", Duration.between(r.renewTime(), Instant.now()).toMillis() / 1000.0);
  }
}
