package io.leasehold.cli.chaos;

import io.leasehold.cli.chaos.GuardedStore.Increment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

  /** A pause the runner made: the leader's identity and token, and when it resumed them. */
  static final class Pause {
    final String holder;
    final long token;
    final long resumedAt;

    Pause(String holder, long token, long resumedAt) {
      this.holder = holder;
      this.token = token;
      this.resumedAt = resumedAt;
    }
  }

  /** Computes the figures from the store's final state and the workers' journals. */
  void analyse(
      long[] counter, List<Increment> rows, List<WorkerActivity> journals, List<Pause> paused) {
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
      boolean wasPaused =
          paused.stream().anyMatch(p -> p.holder.equals(w.identity) && p.token == w.token);
      if (w.attempted() && !wasPaused) {
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
    return p;
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
