package io.leasehold.cli.chaos;

import io.leasehold.cli.chaos.GuardedStore.Increment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** What one backend's chaos run did and what the guarded store and the journals show. */
final class BackendReport {
  // the run
  String backend;
  long chaosMillis;
  long seed;
  int kills;
  int pauses;
  int backendFaults;
  String backendFault;
  final List<String> unexpectedExits = new ArrayList<>();
  boolean recovered;
  // the paused leaders' children after SIGCONT
  int pausedRejected;
  int pausedStopped;
  int pausedAccepted;
  int pausesWithoutTakeover;
  // the store
  long counterValue;
  long counterFence;
  int accepted;
  int rejected;
  int bogusRejections;
  int lost;
  int doubled;
  int terms;
  int leaderChanges;
  int tokenRegressions;
  int tokensWithTwoHolders;
  int interleavings;
  long storeOverlapMillis;
  // the journals
  int workers;
  int workerErrors;
  int staleAcceptedAfterNewer;
  long activityOverlapMillis;
  long unpausedOverlapMillis;
  // a partition run: the partitions, the lock's own history, and the margin of every leader change
  boolean partitioned;
  final List<Partition> partitions = new ArrayList<>();
  int recordedTerms;
  int lockTokenOrderViolations;
  int lockTokensWithTwoHolders;
  Long smallestChangeMargin; // old child's SIGTERM to another candidate's term
  Long smallestGoneMargin; // old child gone to another candidate's term
  Long smallestTakeBackMargin; // old child's SIGTERM to the same candidate's new term
  int changesMeasured;
  int changesUnmeasured;

  /**
   * A candidate's {@code leasehold} the runner froze (a pause, or a frozen leader cut): who, the
   * token its child was writing with, and when it was stopped and resumed (epoch ms).
   */
  static final class Pause {
    final String holder;
    final long token;
    final long stoppedAt;
    final long resumedAt;

    Pause(String holder, long token, long stoppedAt, long resumedAt) {
      this.holder = holder;
      this.token = token;
      this.stoppedAt = stoppedAt;
      this.resumedAt = resumedAt;
    }

    /**
     * Whether {@code w} ran while this leasehold was frozen, so that only the fence could stop it:
     * the paused term's child, or one the leader had just started for a newer term.
     */
    boolean froze(WorkerActivity w) {
      return holder.equals(w.identity)
          && (token == w.token || (w.started < resumedAt && w.lastEvent > stoppedAt));
    }
  }

  /**
   * Computes the figures from the store's final state and the workers' journals; {@code frozen} are
   * the children whose leasehold was frozen while they ran (a pause, or a partition of a frozen
   * leader): only the fence could stop them.
   */
  void analyse(
      long[] counter,
      List<Increment> rows,
      List<WorkerActivity> journals,
      List<Pause> paused,
      List<Pause> frozen) {
    counterValue = counter[0];
    counterFence = counter[1];
    accepted = rows.size();

    // lost and doubled: the seqs must be exactly 1..value, each once
    Set<Long> seqs = new HashSet<>();
    int duplicates = 0;
    int outside = 0;
    for (Increment r : rows) {
      if (!seqs.add(r.seq)) {
        duplicates++;
      }
      if (r.seq < 1 || r.seq > counterValue) {
        outside++;
      }
    }
    long inRange = seqs.stream().filter(s -> s >= 1 && s <= counterValue).count();
    doubled = duplicates + outside;
    lost = (int) (counterValue - inRange);
    // an increment a worker saw committed must be in the store, with its token and identity
    Map<Long, Increment> bySeq = new HashMap<>();
    rows.forEach(r -> bySeq.put(r.seq, r));
    for (WorkerActivity w : journals) {
      for (long[] ok : w.ok) {
        Increment r = bySeq.get(ok[2]);
        if (r == null || r.token != w.token || !r.holder.equals(w.identity)) {
          lost++;
        }
      }
    }

    // tokens over seq order: never lower than one already committed; one holder per token
    long max = 0;
    long previous = -1;
    Map<Long, String> holderOf = new HashMap<>();
    Set<Long> tokens = new HashSet<>();
    Set<Long> left = new HashSet<>();
    Map<Long, long[]> span = new HashMap<>();
    for (Increment r : rows) {
      if (r.token < max) {
        tokenRegressions++;
      }
      max = Math.max(max, r.token);
      String h = holderOf.putIfAbsent(r.token, r.holder);
      if (h != null && !h.equals(r.holder)) {
        tokensWithTwoHolders++;
      }
      tokens.add(r.token);
      if (previous != -1 && r.token != previous) {
        leaderChanges++;
        left.add(previous);
        if (left.contains(r.token)) {
          interleavings++; // a term wrote again after another term had written
        }
      }
      previous = r.token;
      span.merge(
          r.token,
          new long[] {r.at, r.at},
          (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    terms = tokens.size();
    storeOverlapMillis = overlap(new ArrayList<>(span.values()));

    // the journals
    workers = journals.size();
    List<long[]> intervals = new ArrayList<>();
    for (WorkerActivity w : journals) {
      workerErrors += w.errors.size();
      rejected += w.rejected.size();
      for (long[] r : w.rejected) {
        if (r[2] <= w.token) {
          bogusRejections++; // refused although no newer token had written
        }
      }
      if (w.attempted()) {
        intervals.add(w.interval());
      }
    }
    activityOverlapMillis = overlap(intervals);
    // without the paused children, the leader deadline alone must keep the children apart
    List<long[]> unpaused = new ArrayList<>();
    for (WorkerActivity w : journals) {
      if (w.attempted() && !frozen(w, frozen)) {
        unpaused.add(w.interval());
      }
    }
    unpausedOverlapMillis = overlap(unpaused);
    // no accepted write may start after a newer term's write was acknowledged
    for (WorkerActivity w : journals) {
      for (long[] ok : w.ok) {
        for (WorkerActivity newer : journals) {
          if (newer.token > w.token && !newer.ok.isEmpty() && newer.ok.get(0)[1] < ok[0]) {
            staleAcceptedAfterNewer++;
            break;
          }
        }
      }
    }

    for (Pause p : paused) {
      WorkerActivity w =
          journals.stream()
              .filter(j -> j.identity.equals(p.holder) && j.token == p.token)
              .findFirst()
              .orElse(null);
      if (w != null && !w.rejected.isEmpty()) {
        pausedRejected++;
      } else if (w != null && w.ok.stream().anyMatch(ok -> ok[1] >= p.resumedAt)) {
        pausedAccepted++;
      } else {
        pausedStopped++;
      }
    }
  }

  private static boolean frozen(WorkerActivity w, List<Pause> frozen) {
    return frozen.stream().anyMatch(p -> p.froze(w));
  }

  /**
   * The partition figures: each partition's outcome and checks, the lock's history as recorded from
   * inside its namespace, and for every leader change the margin between the old term's child
   * getting SIGTERM (and being gone) and the next term's start (children of frozen leaders left
   * out: only the fence stops them).
   */
  void analysePartitions(
      LockHistory history,
      List<WorkerActivity> journals,
      Function<String, CandidateLog> logs,
      List<Pause> frozen) {
    partitioned = true;
    recordedTerms = history.terms.size();
    lockTokenOrderViolations = history.tokenOrderViolations();
    lockTokensWithTwoHolders = history.tokensWithTwoHolders();
    for (Partition p : partitions) {
      p.analyse(history, journals, logs);
    }
    for (int i = 0; i + 1 < history.terms.size(); i++) {
      LockHistory.Held old = history.terms.get(i);
      LockHistory.Held next = history.terms.get(i + 1);
      WorkerActivity child =
          journals.stream()
              .filter(j -> j.identity.equals(old.holder()) && j.token == old.token())
              .findFirst()
              .orElse(null);
      if (child == null || frozen(child, frozen)) {
        continue;
      }
      CandidateLog log = logs.apply(old.holder());
      Long sigterm = Partition.sigterm(child, log);
      if (sigterm == null) {
        changesUnmeasured++;
        continue;
      }
      changesMeasured++;
      long margin = next.start() - sigterm;
      if (next.holder().equals(old.holder())) {
        smallestTakeBackMargin = min(smallestTakeBackMargin, margin);
      } else {
        smallestChangeMargin = min(smallestChangeMargin, margin);
        Long gone = Partition.gone(child, log);
        if (gone != null) {
          smallestGoneMargin = min(smallestGoneMargin, next.start() - gone);
        }
      }
    }
  }

  private static Long min(Long a, long b) {
    return a == null ? b : Math.min(a, b);
  }

  /**
   * The partitions' margins between a cut-off leader's child stopping and another candidate's term
   * beginning, sorted.
   */
  List<Long> partitionMargins() {
    List<Long> m = new ArrayList<>();
    for (Partition p : partitions) {
      if (p.marginMillis != null && !p.leader.equals(p.nextHolder)) {
        m.add(p.marginMillis);
      }
    }
    m.sort(null);
    return m;
  }

  /** Milliseconds during which at least two of the intervals overlap. */
  static long overlap(List<long[]> intervals) {
    List<long[]> edges = new ArrayList<>();
    for (long[] i : intervals) {
      if (i[1] > i[0]) {
        edges.add(new long[] {i[0], 1});
        edges.add(new long[] {i[1], -1});
      }
    }
    edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    long total = 0;
    int open = 0;
    long since = 0;
    for (long[] e : edges) {
      if (open >= 2) {
        total += e[0] - since;
      }
      open += (int) e[1];
      since = e[0];
    }
    return total;
  }

  /** The safety and liveness checks that must hold after any run; empty when all hold. */
  List<String> problems() {
    List<String> p = new ArrayList<>();
    check(p, lost == 0, "lost increments: " + lost);
    check(p, doubled == 0, "doubled increments: " + doubled);
    check(p, counterValue == accepted, "counter " + counterValue + " != rows " + accepted);
    check(
        p,
        tokenRegressions == 0,
        "accepted writes with a token below one already committed: " + tokenRegressions);
    check(
        p,
        staleAcceptedAfterNewer == 0,
        "accepted writes started after a newer term's write was acknowledged: "
            + staleAcceptedAfterNewer);
    check(p, interleavings == 0, "terms interleaved in the store: " + interleavings);
    check(p, tokensWithTwoHolders == 0, "tokens used by two holders: " + tokensWithTwoHolders);
    check(p, bogusRejections == 0, "rejections without a newer fence: " + bogusRejections);
    check(
        p,
        unpausedOverlapMillis == 0,
        "children of unpaused leaders overlapped for " + unpausedOverlapMillis + " ms");
    check(p, workerErrors == 0, "worker store errors: " + workerErrors);
    check(p, recovered, "no leader wrote after the last fault");
    if (partitioned) {
      check(
          p,
          lockTokenOrderViolations == 0,
          "terms whose token was not above every earlier one: " + lockTokenOrderViolations);
      check(p, lockTokensWithTwoHolders == 0, "tokens recorded with two holders");
      check(
          p,
          smallestChangeMargin == null || smallestChangeMargin > 0,
          "a term began "
              + -(smallestChangeMargin == null ? 0 : smallestChangeMargin)
              + " ms before the previous holder's child got SIGTERM");
      partitions.forEach(x -> x.problems.forEach(q -> p.add(backend + ": " + q)));
    }
    return p;
  }

  private static String kinds() {
    List<String> k = new ArrayList<>();
    for (Partition.Kind kind : Partition.Kind.values()) {
      k.add(kind.label);
    }
    return String.join(" / ", k);
  }

  private List<String> partitionColumn() {
    int[] byKind = new int[Partition.Kind.values().length];
    int takenOver = 0;
    int tookBack = 0;
    int kept = 0;
    int stoppedOnly = 0;
    int rose = 0;
    int attributed = 0;
    int frozenRefused = 0;
    int frozen = 0;
    int[] back = new int[4];
    long slowest = 0;
    List<Long> takeovers = new ArrayList<>();
    for (Partition p : partitions) {
      byKind[p.kind.ordinal()]++;
      if (p.takeoverMillis != null) {
        takeovers.add(p.takeoverMillis);
        attributed++;
        rose += p.tokenRose ? 1 : 0;
        if (p.leader.equals(p.nextHolder)) {
          tookBack++;
        } else {
          takenOver++;
        }
      } else if (p.outcome.startsWith("kept")) {
        kept++;
      } else if (p.leaderCut()) {
        stoppedOnly++;
      }
      if (p.kind == Partition.Kind.LEADER_FROZEN) {
        frozen++;
        frozenRefused += p.oldChildRejected > 0 ? 1 : 0;
      }
      for (Partition.Rejoin j : p.rejoins.values()) {
        int i =
            j.evidence.startsWith("led")
                ? 0
                : j.evidence.startsWith("read") ? 1 : j.evidence.startsWith("lock") ? 2 : 3;
        back[i]++;
        if (j.at >= 0) {
          slowest = Math.max(slowest, j.at - p.healAt);
        }
      }
    }
    takeovers.sort(null);
    List<Long> margins = partitionMargins();
    List<String> c = new ArrayList<>();
    StringBuilder k = new StringBuilder();
    for (int n : byKind) {
      k.append(k.length() == 0 ? "" : " / ").append(n);
    }
    c.add(k + " (" + partitions.size() + ")");
    c.add(takenOver + " / " + tookBack + " / " + kept + " / " + stoppedOnly);
    c.add(
        takeovers.isEmpty()
            ? "-"
            : String.format(
                Locale.ROOT,
                "%.2f / %.2f",
                takeovers.get(takeovers.size() / 2) / 1000.0,
                takeovers.get(takeovers.size() - 1) / 1000.0));
    c.add(margins.isEmpty() ? "-" : margins.get(0) + " / " + margins.get(margins.size() / 2));
    Long gone = null;
    for (Partition p : partitions) {
      if (p.goneMarginMillis != null && !p.leader.equals(p.nextHolder)) {
        gone = min(gone, p.goneMarginMillis);
      }
    }
    c.add(gone == null ? "-" : "" + gone);
    c.add(
        (smallestChangeMargin == null ? "-" : "" + smallestChangeMargin)
            + " ("
            + changesMeasured
            + " / "
            + changesUnmeasured
            + ")");
    c.add(smallestGoneMargin == null ? "-" : "" + smallestGoneMargin);
    c.add(smallestTakeBackMargin == null ? "-" : "" + smallestTakeBackMargin);
    c.add(rose + " of " + attributed);
    c.add(frozenRefused + " of " + frozen);
    c.add(back[0] + " / " + back[1] + " / " + back[2] + " / " + back[3]);
    c.add(String.format(Locale.ROOT, "%.1f", slowest / 1000.0));
    c.add(recordedTerms + " / " + lockTokenOrderViolations);
    return c;
  }

  private void check(List<String> problems, boolean ok, String what) {
    if (!ok) {
      problems.add(backend + ": " + what);
    }
  }

  /** The per-backend table. */
  static String table(List<BackendReport> reports) {
    String[][] rows = {
      {"chaos window", "s"},
      {"faults: kill -9 / pause / backend", ""},
      {"accepted increments", ""},
      {"rejected stale writes", ""},
      {"lost increments", ""},
      {"doubled increments", ""},
      {"counter value = rows", ""},
      {"terms (tokens) / leader changes", ""},
      {"token regressions", ""},
      {"paused child: rejected / stopped / wrote", ""},
      {"pauses without a takeover", ""},
      {"store overlap (ms) / interleavings", ""},
      {"activity overlap (ms): all / paused children left out", ""},
      {"workers started", ""},
      {"unexpected candidate exits", ""},
    };
    String[][] partitionRows = {
      {"partitions: " + kinds(), ""},
      {"cut-off leaders: taken over / took it back / kept their term / stopped, no new term", ""},
      {"next term after a leader cut (s): median / max", ""},
      {
        "margin, cut-off leader's child got SIGTERM → another's term began (ms): smallest / median",
        ""
      },
      {"margin, cut-off leader's child gone → another's term began (ms): smallest", ""},
      {"margin, every change of leader, SIGTERM → next term (ms): smallest (measured / not)", ""},
      {"margin, every change of leader, child gone → next term (ms): smallest", ""},
      {"margin, a candidate taking its own lock back, SIGTERM → new term (ms): smallest", ""},
      {"next token higher than the cut-off leader's", ""},
      {"stale writes of frozen cut-off leaders' children refused", ""},
      {"cut-off candidates back: led / read the lock / lock traffic only / killed first", ""},
      {"slowest return after a heal (s)", ""},
      {"terms recorded by the lock / token order violations", ""},
    };
    boolean anyPartitioned = reports.stream().anyMatch(r -> r.partitioned);
    if (anyPartitioned) {
      String[][] all = new String[rows.length + partitionRows.length][];
      System.arraycopy(rows, 0, all, 0, rows.length);
      System.arraycopy(partitionRows, 0, all, rows.length, partitionRows.length);
      rows = all;
    }
    List<List<String>> cols = new ArrayList<>();
    for (BackendReport r : reports) {
      cols.add(
          List.of(
              String.format(Locale.ROOT, "%.0f", r.chaosMillis / 1000.0),
              r.kills + " / " + r.pauses + " / " + r.backendFaults,
              "" + r.accepted,
              "" + r.rejected,
              "" + r.lost,
              "" + r.doubled,
              (r.counterValue == r.accepted ? "yes (" : "NO (") + r.counterValue + ")",
              r.terms + " / " + r.leaderChanges,
              "" + r.tokenRegressions,
              r.pausedRejected + " / " + r.pausedStopped + " / " + r.pausedAccepted,
              "" + r.pausesWithoutTakeover,
              r.storeOverlapMillis + " / " + r.interleavings,
              r.activityOverlapMillis + " / " + r.unpausedOverlapMillis,
              "" + r.workers,
              "" + r.unexpectedExits.size()));
      if (anyPartitioned) {
        List<String> c = new ArrayList<>(cols.remove(cols.size() - 1));
        c.addAll(r.partitionColumn());
        cols.add(c);
      }
    }
    StringBuilder b = new StringBuilder();
    b.append("| |");
    reports.forEach(r -> b.append(' ').append(r.backend).append(" |"));
    b.append("\n|---|");
    reports.forEach(r -> b.append("---|"));
    b.append('\n');
    for (int i = 0; i < rows.length; i++) {
      b.append("| ").append(rows[i][0]).append(" |");
      for (List<String> c : cols) {
        b.append(' ').append(c.get(i)).append(" |");
      }
      b.append('\n');
    }
    return b.toString();
  }
}
