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
    /** Watch notifications to the node lag behind (in order), so a read can overtake them. */
    WATCH_LAG
  }

  /** How a partition treats requests. */
  enum Mode {
    /** Connection refused: the call fails after a normal latency. */
    REFUSE,
    /** The request is lost; the caller waits until its own timeout. */
    HANG_LOST,
    /** The request is held and reaches the store only after the partition heals. */
    HANG_LATE
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
    s.append(String.format("%-10s", kind));
    s.append(node < 0 ? " store " : " n" + (node + 1) + "    ");
    s.append(" at ").append(World.seconds(start));
    s.append(kind == Kind.CRASH || kind == Kind.STOP ? " down " : " for ");
    s.append(World.seconds(duration));
    if (mode != null) {
      s.append(' ').append(mode);
    }
    if (kind == Kind.LOSSY || kind == Kind.FLAKY) {
      s.append(String.format(" p=%.2f", p));
    }
    if (kind == Kind.WATCH_LAG) {
      s.append(" lag up to ").append(World.seconds(lag));
    }
    return s.toString();
  }
}
