package io.leasehold.cli;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leasehold repair}: replaces a record that cannot be decoded by a released one, over
 * exactly the corrupt version, without lowering the fencing token. Every candidate waits while a
 * record cannot be read; this is the way out, on every backend (deleting a Kubernetes object would
 * take its fencing history with it).
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      "Replace a lock's corrupt record by a released one, never lowering its fencing token.",
      "",
      "No candidate takes over a record it cannot read, so all wait until it is repaired. This"
          + " writes a released record (no holder) over exactly the corrupt version; the next"
          + " holder's token is higher than every token before. A readable record is left alone.",
      "On Kubernetes, when the fencing-token annotation itself cannot be read, pass"
          + " --fencing-token with at least the highest token ever handed out for the lock.",
      "",
      "Example: leasehold repair --lock sqlite:/var/lib/app/leases.db --name job",
      ""
    })
final class RepairCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin LockOptions lock = new LockOptions();
  @Mixin LoggingOptions logging = new LoggingOptions();

  @Option(
      names = "--fencing-token",
      paramLabel = "<token>",
      description =
          "The fencing token to keep when the record's own cannot be read (Kubernetes): at least"
              + " the highest token ever handed out for this lock.")
  Long fencingToken;

  @Mixin OneShotOptions oneShot = new OneShotOptions();

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    if (fencingToken != null && fencingToken < 0) {
      throw new CommandLine.ParameterException(
          cmd, "--fencing-token must not be negative, not " + fencingToken);
    }
    LockSpec locks = oneShot.open(cmd, lock, false);
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    try (locks) {
      Lock l = locks.lock("leasehold-repair");
      try {
        Optional<LockSnapshot> read = l.get(oneShot.timeout);
        out.println(
            read.isEmpty()
                ? "lock " + lock.name + " (" + l.describe() + ") has no record: nothing to repair"
                : "the record of "
                    + lock.name
                    + " ("
                    + l.describe()
                    + ") can be read: nothing to repair");
        out.flush();
        return 0;
      } catch (CorruptRecordException corrupt) {
        return repair(l, locks, corrupt, out, err);
      } catch (LockException e) {
        err.println("leasehold repair: " + locks.explain(e));
        return Leasehold.FAILURE;
      }
    }
  }

  private int repair(
      Lock l, LockSpec locks, CorruptRecordException corrupt, PrintWriter out, PrintWriter err) {
    Optional<LockSnapshot> stored = corrupt.stored();
    if (stored.isEmpty()) {
      err.println(
          "leasehold repair: the backend did not say which version is corrupt, so nothing was"
              + " written: "
              + Leasehold.message(corrupt));
      return Leasehold.FAILURE;
    }
    long token = Math.max(0, stored.get().record().fencingToken());
    if (fencingToken != null) {
      if (fencingToken < token) {
        err.println(
            "leasehold repair: --fencing-token "
                + fencingToken
                + " is lower than the token stored with the record ("
                + token
                + "); tokens never go back");
        return Leasehold.USAGE;
      }
      token = fencingToken;
    } else if (token == 0 && !locks.keepsTokenMark()) {
      err.println(
          "leasehold repair: the fencing token of "
              + lock.name
              + " cannot be read ("
              + Leasehold.message(corrupt)
              + "); pass --fencing-token with at least the highest token ever handed out");
      return Leasehold.USAGE;
    }
    Instant now = Instant.now();
    LeaderElectionRecord released =
        LeaderElectionRecord.builder()
            .leaseDurationSeconds(1)
            .acquireTime(now)
            .renewTime(now)
            .fencingToken(token)
            .build();
    try {
      LockSnapshot written = l.update(stored.get(), released, oneShot.timeout);
      out.println(
          "repaired "
              + lock.name
              + " ("
              + l.describe()
              + "): released, no holder, fencing token "
              + written.record().fencingToken());
      out.flush();
      return 0;
    } catch (LockConflictException e) {
      err.println(
          "leasehold repair: the record changed while it was being repaired; nothing was written:"
              + " run repair again ("
              + Leasehold.message(e)
              + ")");
      return Leasehold.FAILURE;
    } catch (LockException e) {
      err.println("leasehold repair: " + locks.explain(e));
      return Leasehold.FAILURE;
    }
  }
}
