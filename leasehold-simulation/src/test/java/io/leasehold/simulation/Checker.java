package io.leasehold.simulation;

import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The safety and liveness properties, checked as the world runs.
 *
 * <p>A node <em>acts</em> as leader at a global instant when its process is alive and not paused,
 * it was handed a context by onStartedLeading, and that context is not cancelled, as {@link
 * LeadershipContext#isCancelled()} says when read with the node's own clock at that instant.
 *
 * <p>Sampling after every event (and at every term start) is exact: between two events nothing but
 * time moves, and time can only cancel contexts (their deadlines pass), never make one act again.
 * So if two nodes act together at some instant, they both acted just after the event before it.
 *
 * <ul>
 *   <li>(a) at no instant do two nodes act;
 *   <li>(b) each term's fencing token is greater than every earlier term's; the stored token never
 *       goes back;
 *   <li>(c) from the last disturbance on, nobody-acts stretches are never longer than the liveness
 *       bound: a leader appears within it and, should leadership lapse (a renewal that came back
 *       after the deadline), reappears within it (checked by {@link World} from the intervals
 *       recorded here).
 * </ul>
 */
final class Checker {
  /** A stretch of global time during which one node acted under one context. */
  static final class Interval {
    final Incarnation inc;
    final LeadershipContext context;
    final long start;
    long end = Long.MAX_VALUE;
    long projectedEnd = Long.MAX_VALUE;

    Interval(Incarnation inc, LeadershipContext context, long start) {
      this.inc = inc;
      this.context = context;
      this.start = start;
    }
  }

  /** A term as started by onStartedLeading. */
  record Term(String who, String node, long token, long start) {}

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

  /** Called from onStartedLeading of a live process. */
  void termStarted(Incarnation inc, LeadershipContext ctx) {
    long token = ctx.fencingToken();
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
    if (!terms.isEmpty() && !terms.get(terms.size() - 1).node().equals(inc.node.id)) {
      world.stats.add(Stats.Counter.TAKEOVERS);
    }
    terms.add(new Term(inc.name(), inc.node.id, token, world.now()));
    sample();
  }

  void storeTokenWentBack(long highest, LeaderElectionRecord written, String writer) {
    violation(
        "the stored fencing token went back from "
            + highest
            + " to "
            + written.fencingToken()
            + " in a write by "
            + writer);
  }

  static boolean acting(Node node) {
    Incarnation inc = node.inc;
    return inc != null
        && inc.alive
        && !node.paused
        && inc.context != null
        && !inc.context.isCancelled();
  }

  /** Samples who acts now; records intervals and reports two at once. */
  void sample() {
    long now = world.now();
    Node first = null;
    Node second = null;
    for (Node node : world.nodes) {
      boolean a = acting(node);
      Interval o = open[node.index];
      if (o != null && (!a || o.context != node.inc.context)) {
        o.end = Math.min(now, o.projectedEnd);
        if (o.projectedEnd <= now && o.context == node.inc.context) {
          world.stats.add(Stats.Counter.AUTHORITY_RAN_OUT);
        }
        open[node.index] = null;
        o = null;
      }
      if (a) {
        if (o == null) {
          o = new Interval(node.inc, node.inc.context, now);
          open[node.index] = o;
          intervals.add(o);
        }
        o.projectedEnd = projectedEnd(node, now);
        if (first == null) {
          first = node;
        } else if (second == null) {
          second = node;
        }
      }
    }
    if (second != null) {
      violation(
          "two leaders act at once: " + describe(first, now) + " and " + describe(second, now));
    }
  }

  private long projectedEnd(Node node, long now) {
    if (!world.scenario.model.enforceLeaderDeadline()) {
      return Long.MAX_VALUE;
    }
    long left = node.inc.context.remaining().toNanos();
    return now + node.inc.clock.toGlobal(left);
  }

  private String describe(Node node, long now) {
    Incarnation inc = node.inc;
    Interval o = open[node.index];
    return inc.name()
        + " (token "
        + inc.context.fencingToken()
        + ", acting since "
        + World.seconds(o.start)
        + ", authority left "
        + (world.scenario.model.enforceLeaderDeadline()
            ? World.seconds(inc.context.remaining().toNanos()) + " on its clock"
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
