package io.leasehold.simulation;

/** One planned fault: what, on which node (or -1 for the store), from when, for how long. */
final class Fault {
  enum Kind {
    /** The node's requests fail fast, vanish, or arrive only after the partition heals. */
    PARTITION,
    /** Every request reaching the store fails. */
    STORE_DOWN,
    /**
     * The node's requests take long: often longer than the call timeout, sometimes than the lease.
     */
    SLOW,
    /** The process stops (GC pause, SIGSTOP, VM freeze): no timer, task or response runs. */
    PAUSE,
    /** The process dies without releasing; a fresh one with the same identity starts later. */
    CRASH,
    /** The process is stopped gracefully (release if configured) and started again later. */
    STOP,
    /** Responses to the node's requests are lost after the store applied them. */
    LOSSY,
    /** The store fails requests at random before applying them. */
    FLAKY,
    /** Watch notifications to the node lag, come out of order, are skipped, or are stale. */
    WATCH,
    /**
     * An operator deletes the lock object; nobody re-creates it but the candidates, or a foreign
     * writer tries to.
     */
    DELETE,
    /**
     * An operator cleans up a record nobody holds: deletes it once it names no holder or has not
     * changed for a lease, while the fault lasts; re-creation as for {@link #DELETE}.
     */
    DELETE_IDLE,
    /** The node's callback executor starts tasks late, never, or rejects them. */
    CALLBACK_STALL,
    /** The node's callbacks throw (each call with probability p). */
    CALLBACK_THROWS
  }

  /** How a fault behaves, for the kinds that have variants. */
  enum Mode {
    /** Partition: connection refused, the call fails after a normal latency. */
    REFUSE,
    /** Partition: the request is lost; the caller waits until its own timeout. */
    HANG_LOST,
    /** Partition: the request is held and reaches the store only after the partition heals. */
    HANG_LATE,
    /** Watch: notifications arrive in order but late, so a read can overtake them. */
    LAG,
    /** Watch: each notification takes its own time, so an older one can arrive after a newer. */
    REORDER,
    /** Watch: notifications are dropped (with probability p) without any sign. */
    SKIP,
    /** Watch: after a notification, an older snapshot is delivered again (probability p). */
    STALE,
    /** Delete: nobody re-creates the object but the candidates. */
    NOBODY,
    /** Delete: a foreign writer (not a candidate) soon tries to create a record naming itself. */
    FOREIGN,
    /** Callbacks: tasks submitted during the fault start only when it ends (a blocked pool). */
    LATE,
    /** Callbacks: tasks submitted during the fault never start (a pool blocked for good). */
    NEVER,
    /** Callbacks: the executor rejects tasks (a saturated, bounded pool). */
    REJECT
  }

  final Kind kind;
  final int node;
  final long start;
  final long duration;
  final double p;
  final Mode mode;
  final long lag;

  Fault(Kind kind, int node, long start, long duration, double p, Mode mode, long lag) {
    this.kind = kind;
    this.node = node;
    this.start = start;
    this.duration = duration;
    this.p = p;
    this.mode = mode;
    this.lag = lag;
  }

  long end() {
    return start + duration;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(String.format("%-15s", kind));
    s.append(node < 0 ? " store " : " n" + (node + 1) + "    ");
    s.append(" at ").append(World.seconds(start));
    s.append(kind == Kind.CRASH || kind == Kind.STOP ? " down " : " for ");
    s.append(World.seconds(duration));
    if (mode != null) {
      s.append(' ').append(mode);
    }
    if (p > 0) {
      s.append(String.format(" p=%.2f", p));
    }
    if (lag > 0) {
      s.append(" lag up to ").append(World.seconds(lag));
    }
    return s.toString();
  }
}
