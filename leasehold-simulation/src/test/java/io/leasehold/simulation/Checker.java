package io.leasehold.simulation;

import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The safety and liveness properties, checked as the world runs.
 *
 * <p>A node <em>acts</em> as leader at a global instant when its process is alive and not paused,
 * and either it was handed a context by onStartedLeading that is not cancelled (as {@link
 * LeadershipContext#isCancelled()} says when read with the node's own clock at that instant), or
 * its elector says it leads ({@link io.leasehold.leaderelection.LeaderElector#isLeader()}: a term
 * whose onStartedLeading has not started yet still counts, as code may ask the elector).
 *
 * <p>Sampling after every event (and at every term start) is exact: between two events nothing but
 * time moves, and time can only cancel contexts (their deadlines pass), never make one act again.
 * So if two nodes act together at some instant, they both acted just after the event before it.
 *
 * <ul>
 *   <li>(a) at no instant do two nodes act;
 *   <li>(b) each term's fencing token is greater than every earlier term's; no store's token ever
 *       goes back;
 *   <li>(c) from the last disturbance on, nobody-acts stretches are never longer than the liveness
 *       bound (checked by {@link World} from the intervals recorded here);
 *   <li>(d) where the model checks the callback rules: a term whose onStartedLeading threw ends
 *       before time moves on; a term that no callback task will ever hand to onStartedLeading (its
 *       task was rejected) ends before time moves on. {@link World} checks that stop() completes
 *       within renewDeadline + retryPeriod and that no exception escapes into threads that are not
 *       the elector's.
 * </ul>
 */
final class Checker {
  /** A stretch of global time during which one node acted in one term. */
  static final class Interval {
    final Incarnation inc;
    final long token;
    final long start;
    long end = Long.MAX_VALUE;
    long projectedEnd = Long.MAX_VALUE;

    Interval(Incarnation inc, long token, long start) {
      this.inc = inc;
      this.token = token;
      this.start = start;
    }
  }

  /** A term as first seen (from the elector or from onStartedLeading). */
  record Term(String who, Node node, long token, long start) {
    @Override
    public String toString() {
      return who + " token " + token + " at " + World.seconds(start);
    }
  }

  private final World world;
  private final Interval[] open;
  final List<Interval> intervals = new ArrayList<>();
  final List<Term> terms = new ArrayList<>();
  private long highestToken = Long.MIN_VALUE;
  String violation;
  long violationAt;

  Checker(World world, int nodes) {
    this.world = world;
    this.open = new Interval[nodes];
  }

  boolean violated() {
    return violation != null;
  }

  void violation(String message) {
    if (violation == null) {
      violation = message;
      violationAt = world.now();
      if (world.tracing()) {
        world.trace(null, "VIOLATION: " + message);
      }
    }
  }

  /** onStartedLeading of a live process was handed {@code ctx}. */
  void handed(Incarnation inc, LeadershipContext ctx) {
    inc.handedTokens.add(ctx.fencingToken());
    if (!ctx.isCancelled()) {
      termSeen(inc, ctx.fencingToken());
    }
    sample();
  }

  /** onStartedLeading of {@code inc} threw for {@code ctx}: the term must end at once. */
  void startedLeadingThrew(Incarnation inc, LeadershipContext ctx) {
    inc.threwFor.put(ctx.fencingToken(), world.now());
  }

  private void termSeen(Incarnation inc, long token) {
    if (token == inc.lastTermSeen || !inc.termsSeen.add(token)) {
      return;
    }
    inc.lastTermSeen = token;
    if (!terms.isEmpty() && token <= highestToken) {
      violation(
          "fencing token did not rise: "
              + inc.name()
              + " started a term with token "
              + token
              + " after a term with token "
              + highestToken
              + " (terms so far: "
              + terms
              + ")");
    }
    highestToken = Math.max(highestToken, token);
    world.stats.add(Stats.Counter.TERMS);
    if (inc.node.multiLock) {
      world.stats.add(Stats.Counter.MULTILOCK_TERMS);
    }
    if (!terms.isEmpty()) {
      Term last = terms.get(terms.size() - 1);
      if (last.node() != inc.node) {
        world.stats.add(Stats.Counter.TAKEOVERS);
        if (last.node().multiLock != inc.node.multiLock) {
          world.stats.add(Stats.Counter.LEASE_ONLY_TAKEOVERS);
        }
      }
    }
    terms.add(new Term(inc.name(), inc.node, token, world.now()));
    if (world.tracing()) {
      world.trace(inc.node, "term with token " + token + " begins");
    }
  }

  void storeTokenWentBack(
      String store, long previous, LeaderElectionRecord written, String writer) {
    violation(
        "the fencing token stored in "
            + store
            + " went back from "
            + previous
            + " to "
            + written.fencingToken()
            + " in a write by "
            + writer);
  }

  /** The token of the term {@code node} acts in now, or empty when it does not act. */
  static OptionalLong actingToken(Node node) {
    Incarnation inc = node.inc;
    if (inc == null || !inc.alive || node.paused) {
      return OptionalLong.empty();
    }
    OptionalLong elector = inc.elector == null ? OptionalLong.empty() : inc.elector.fencingToken();
    if (elector.isPresent()) {
      return elector;
    }
    if (inc.context != null && !inc.context.isCancelled()) {
      return OptionalLong.of(inc.context.fencingToken());
    }
    return OptionalLong.empty();
  }

  static boolean acting(Node node) {
    return actingToken(node).isPresent();
  }

  /** Samples who acts now; records intervals and reports violations. */
  void sample() {
    long now = world.now();
    Node first = null;
    Node second = null;
    for (Node node : world.nodes) {
      Incarnation inc = node.inc;
      OptionalLong token = actingToken(node);
      Interval o = open[node.index];
      if (o != null && (token.isEmpty() || o.inc != inc || o.token != token.getAsLong())) {
        o.end = Math.min(now, o.projectedEnd);
        if (o.projectedEnd <= now && o.inc == inc && inc.alive) {
          world.stats.add(Stats.Counter.AUTHORITY_RAN_OUT);
        }
        open[node.index] = null;
        o = null;
      }
      if (token.isPresent()) {
        long t = token.getAsLong();
        if (inc.context != null && !inc.context.isCancelled() && inc.context.fencingToken() != t) {
          violation(
              inc.name()
                  + " acts in two terms at once: its elector's token "
                  + t
                  + " and a live context with token "
                  + inc.context.fencingToken());
        }
        termSeen(inc, t);
        if (o == null) {
          o = new Interval(inc, t, now);
          open[node.index] = o;
          intervals.add(o);
        }
        o.projectedEnd = projectedEnd(node, now);
        if (first == null) {
          first = node;
        } else if (second == null) {
          second = node;
        }
        if (world.scenario.model.callbackRules()) {
          checkCallbacks(node, inc, t, now);
        }
      }
    }
    if (second != null) {
      violation(
          "two leaders act at once: " + describe(first, now) + " and " + describe(second, now));
    }
  }

  private void checkCallbacks(Node node, Incarnation inc, long token, long now) {
    Long threw = inc.threwFor.get(token);
    if (threw != null && now > threw) {
      violation(
          inc.name()
              + "'s term with token "
              + token
              + " still goes on "
              + World.seconds(now - threw)
              + " after its onStartedLeading threw (the term must end)");
      return;
    }
    if (inc.handedTokens.contains(token)) {
      inc.unhandedSince = -1;
      inc.unhandedToken = -1;
      return;
    }
    if (inc.unhandedToken != token) {
      inc.unhandedToken = token;
      inc.unhandedSince = now;
    }
    if (now > inc.unhandedSince && inc.pendingCallbacks == 0 && inc.droppedCallbacks == 0) {
      violation(
          inc.name()
              + " leads with token "
              + token
              + " since "
              + World.seconds(inc.unhandedSince)
              + " but no callback task will start its onStartedLeading"
              + (inc.rejectedCallbacks > 0 ? " (the executor rejected a task)" : "")
              + ": the term must end");
    }
  }

  /** A resumed process gets its own chance to hand a pending term to its callback. */
  void resumed(Incarnation inc) {
    inc.unhandedToken = -1;
  }

  private long projectedEnd(Node node, long now) {
    if (!world.scenario.model.enforceLeaderDeadline()) {
      return Long.MAX_VALUE;
    }
    LeadershipContext ctx = node.inc.context;
    if (ctx == null || ctx.isCancelled() || ctx.fencingToken() != open[node.index].token) {
      return Long.MAX_VALUE; // not handed out yet: the end is seen when it comes
    }
    long left = ctx.remaining().toNanos();
    return now + node.inc.clock.toGlobal(left);
  }

  private String describe(Node node, long now) {
    Incarnation inc = node.inc;
    Interval o = open[node.index];
    LeadershipContext ctx = inc.context;
    boolean handed = ctx != null && ctx.fencingToken() == o.token;
    return inc.name()
        + " (token "
        + o.token
        + ", acting since "
        + World.seconds(o.start)
        + ", authority left "
        + (!handed
            ? "unknown (onStartedLeading not started yet)"
            : world.scenario.model.enforceLeaderDeadline()
                ? World.seconds(ctx.remaining().toNanos()) + " on its clock"
                : "unbounded (deadline off)")
        + ", clock rate "
        + String.format("%.4f", node.rate)
        + ")";
  }

  /** A stretch of time in which nobody acted. */
  record Gap(long start, long end) {
    long length() {
      return end - start;
    }
  }

  /**
   * The longest stretch within [{@code from}, {@code until}] during which nobody acted; the first
   * one if several are equally long.
   */
  Gap longestGap(long from, long until) {
    List<Interval> sorted = new ArrayList<>(intervals);
    sorted.sort((a, b) -> Long.compare(a.start, b.start));
    Gap longest = new Gap(from, from);
    long covered = from; // nobody is known to act from here on
    for (Interval i : sorted) {
      if (i.end <= covered) {
        continue;
      }
      if (i.start > covered) {
        long gapEnd = Math.min(i.start, until);
        if (gapEnd - covered > longest.length()) {
          longest = new Gap(covered, gapEnd);
        }
      }
      covered = Math.max(covered, i.end);
      if (covered >= until) {
        return longest;
      }
    }
    if (until - covered > longest.length()) {
      longest = new Gap(covered, until);
    }
    return longest;
  }

  /**
   * How long after {@code from} someone first acts (0 if someone acts then), or -1 if nobody does.
   */
  long firstActingAfter(long from) {
    long best = -1;
    for (Interval i : intervals) {
      if (i.end <= from) {
        continue;
      }
      long d = Math.max(0, i.start - from);
      if (best < 0 || d < best) {
        best = d;
      }
    }
    return best;
  }
}
