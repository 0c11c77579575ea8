package io.leasehold.cli.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One network partition the runner made, and what the lock's history, the workers' journals and the
 * candidates' logs show about it afterwards ({@link #analyse}).
 */
final class Partition {
  /** How long after the heal a cut-off candidate has to show it is back. */
  static final long REJOIN_LIMIT_MILLIS = 15_000;

  /** The kinds of partition. */
  enum Kind {
    LEADER_SHORT("leader cut < lease"),
    LEADER_LONG("leader cut > lease"),
    FOLLOWER("follower cut"),
    ALL("every candidate cut"),
    FLAP("link flapping"),
    LEADER_FROZEN("leader cut, its leasehold frozen");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** One cut-off candidate's way back after the heal. */
  static final class Rejoin {
    final String id;
    final int generation; // the candidate's incarnation at the heal
    final long pid;
    final long[] packetsAtHeal; // {received, sent} on its lock link
    long trafficAt = -1; // when the lock link had carried traffic both ways since the heal
    boolean restarted; // killed (by a later fault) before it showed anything
    String evidence = "none";
    long at = -1;

    Rejoin(String id, int generation, long pid, long[] packetsAtHeal) {
      this.id = id;
      this.generation = generation;
      this.pid = pid;
      this.packetsAtHeal = packetsAtHeal;
    }
  }

  final Kind kind;
  final List<String> victims;
  final String leader; // whose child wrote last when the cut began; null if none did
  final long leaderToken;
  final long cutAt;
  long healAt;
  long nextFaultAt = Long.MAX_VALUE; // what happens after this is another fault's doing
  int toggles = 1;
  final Map<String, Rejoin> rejoins = new LinkedHashMap<>();

  // the analysis
  String outcome = "";

  /** From the cut to the next term's start, when a term followed before the next fault. */
  Long takeoverMillis;

  /** The next term's start minus the old child's SIGTERM (checked when another holder's). */
  Long marginMillis;

  /** The next term's start minus the moment the old child was gone (reported). */
  Long goneMarginMillis;

  String nextHolder;
  boolean tokenRose = true;
  int oldChildRejected; // its writes the store's fence refused, before the next fault
  final List<String> problems = new ArrayList<>();

  Partition(Kind kind, List<String> victims, String leader, long leaderToken, long cutAt) {
    this.kind = kind;
    this.victims = List.copyOf(victims);
    this.leader = leader;
    this.leaderToken = leaderToken;
    this.cutAt = cutAt;
  }

  /** Whether the leader was among the candidates cut off. */
  boolean leaderCut() {
    return leader != null && victims.contains(leader);
  }

  /**
   * When the child of a term got SIGTERM, at the latest: its journal's {@code end} line (its
   * shutdown hook, which runs once the signal has arrived); or, when it died without one (SIGKILL
   * after the grace, its JVM too busy to run the hook), the line {@code leasehold} logs just before
   * sending the signal; null when neither exists.
   */
  static Long sigterm(WorkerActivity child, CandidateLog log) {
    if (child.ended >= 0) {
      return child.ended;
    }
    return log.stopOf(child.token).stopping();
  }

  /**
   * When the child of a term was gone, at the latest: its journal's {@code end} line, or the line
   * {@code leasehold} logs once the child exited (after SIGKILL if it had to; a loose bound on a
   * busy machine, logged after waiting for the process); null when neither exists.
   */
  static Long gone(WorkerActivity child, CandidateLog log) {
    if (child.ended >= 0) {
      return child.ended;
    }
    return log.stopOf(child.token).gone();
  }

  /** Works out the outcome and the checks of this partition. */
  void analyse(
      LockHistory history, List<WorkerActivity> journals, Function<String, CandidateLog> logs) {
    if (leaderCut()) {
      WorkerActivity child =
          journals.stream()
              .filter(j -> j.identity.equals(leader) && j.token == leaderToken)
              .findFirst()
              .orElse(null);
      LockHistory.Held next = history.next(leaderToken, leader);
      if (child != null) {
        oldChildRejected = (int) child.rejected.stream().filter(x -> x[0] < nextFaultAt).count();
      }
      if (next == null || next.start() >= nextFaultAt) {
        outcome =
            child != null && child.ended >= 0 && child.ended < nextFaultAt
                ? "stopped; no new term before the next fault"
                : "kept its term";
      } else {
        nextHolder = next.holder();
        tokenRose = next.token() > leaderToken;
        takeoverMillis = next.start() - cutAt;
        outcome =
            (next.holder().equals(leader) ? "took its lock back" : "taken over by " + next.holder())
                + " (token "
                + next.token()
                + ")";
        check(tokenRose, "the next term's token " + next.token() + " is not above " + leaderToken);
        if (kind == Kind.LEADER_FROZEN) {
          // its leasehold could not stop the child: only the fence could, and must have
          check(
              child == null || oldChildRejected > 0 || child.lastEvent < next.start(),
              "the frozen leader's child went on after the next term began and was never refused");
        } else if (child != null) {
          CandidateLog log = logs.apply(leader);
          Long sigterm = sigterm(child, log);
          Long gone = gone(child, log);
          if (gone != null) {
            goneMarginMillis = next.start() - gone;
          }
          if (sigterm == null) {
            check(
                false,
                "no trace of when " + leader + "'s child (token " + leaderToken + ") stopped");
          } else {
            marginMillis = next.start() - sigterm;
            check(
                marginMillis > 0 || next.holder().equals(leader),
                leader
                    + "'s child (token "
                    + leaderToken
                    + ") got SIGTERM "
                    + -marginMillis
                    + " ms after "
                    + next.holder()
                    + "'s term began");
          }
        }
      }
    }
    for (Rejoin r : rejoins.values()) {
      rejoin(r, history, logs.apply(r.id));
    }
  }

  /**
   * How the candidate showed it was back: it led again (the lock's history); or its log shows it
   * read the lock (with {@code --verbose} a follower logs what it read, and every candidate logs
   * each new holder it sees); or else, the weakest sign, its lock link carried traffic both ways (a
   * follower kept current by its watch reads nothing and logs nothing). Signs from before the next
   * fault count first: later ones may be that fault's doing.
   */
  private void rejoin(Rejoin r, LockHistory history, CandidateLog log) {
    long limit = healAt + REJOIN_LIMIT_MILLIS;
    LockHistory.Held led = history.firstOf(r.id, healAt);
    CandidateLog.Line read =
        log.first(
            healAt,
            t ->
                t.endsWith(" leads " + ChaosRunner.LOCK)
                    || t.contains("was released")
                    || t.contains(": the lease is held by "));
    long ledAt = led == null ? Long.MAX_VALUE : led.start();
    long readAt = read == null ? Long.MAX_VALUE : read.at();
    long first = Math.min(ledAt, readAt);
    if (first < Math.min(nextFaultAt, limit) || (r.trafficAt < 0 && first <= limit)) {
      r.at = first;
      r.evidence = ledAt <= readAt ? "led (token " + led.token() + ")" : "read the lock";
    } else if (r.trafficAt >= 0) {
      r.at = r.trafficAt;
      r.evidence = "lock traffic";
    } else if (r.restarted) {
      r.evidence = "killed before it showed";
      return;
    }
    check(
        r.at >= 0,
        r.id
            + " showed no sign of rejoining within "
            + REJOIN_LIMIT_MILLIS / 1000
            + " s of the heal");
  }

  private void check(boolean ok, String what) {
    if (!ok) {
      problems.add(describe() + ": " + what);
    }
  }

  /** One line for the fault log. */
  String describe() {
    return String.format(
        Locale.ROOT,
        "%s [%s]%s, %.1f s%s",
        kind.label,
        String.join(",", victims),
        leader == null ? "" : " (leader " + leader + ", token " + leaderToken + ")",
        (healAt - cutAt) / 1000.0,
        toggles > 1 ? ", " + toggles + " cuts" : "");
  }

  /** The analysis in one line. */
  String result() {
    StringBuilder b = new StringBuilder(describe());
    if (!outcome.isEmpty()) {
      b.append(": ").append(outcome);
    }
    if (takeoverMillis != null) {
      b.append(
          String.format(Locale.ROOT, ", next term %.2f s after the cut", takeoverMillis / 1000.0));
    }
    if (marginMillis != null) {
      b.append(", margin ").append(marginMillis).append(" ms after SIGTERM");
    }
    if (goneMarginMillis != null && !goneMarginMillis.equals(marginMillis)) {
      b.append(", ").append(goneMarginMillis).append(" ms after the child was gone");
    }
    if (oldChildRejected > 0) {
      b.append(", old child refused ").append(oldChildRejected).append("x");
    }
    for (Rejoin r : rejoins.values()) {
      b.append("; ").append(r.id).append(": ").append(r.evidence);
      if (r.at >= 0) {
        b.append(String.format(Locale.ROOT, " +%.1f s", (r.at - healAt) / 1000.0));
      }
    }
    return b.toString();
  }
}
