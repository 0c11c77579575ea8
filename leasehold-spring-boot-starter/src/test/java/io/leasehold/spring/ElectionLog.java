package io.leasehold.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Everything the test applications of one JVM report, in one order: election events, Spring
 * Integration's events and leader-only work. Listeners run synchronously where the events happen,
 * so the order of entries is the order of events across applications.
 */
final class ElectionLog {

  /** What happened. */
  enum Kind {
    GRANTED,
    REVOKED,
    LEADER_CHANGED,
    WORK,
    SI_GRANTED,
    SI_REVOKED,
    /** Every listener of an OnGrantedEvent has returned; the detail tells the role's endpoints. */
    SI_GRANTED_DELIVERED,
    /** Every listener of an OnRevokedEvent has returned; the detail tells the role's endpoints. */
    SI_REVOKED_DELIVERED,
    SI_FAILED_TO_ACQUIRE,
    ROLE_WORK
  }

  /** One entry; {@code token} is -1 where there is none. */
  record Entry(long seq, long nanos, String instance, Kind kind, long token, String detail) {
    @Override
    public String toString() {
      return seq
          + " "
          + instance
          + " "
          + kind
          + (token >= 0 ? " token=" + token : "")
          + (detail.isEmpty() ? "" : " " + detail);
    }
  }

  private final AtomicLong seq = new AtomicLong();
  private final List<Entry> entries = new ArrayList<>();

  synchronized Entry add(String instance, Kind kind, long token, String detail) {
    Entry e = new Entry(seq.incrementAndGet(), System.nanoTime(), instance, kind, token, detail);
    entries.add(e);
    notifyAll();
    return e;
  }

  synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  synchronized List<Entry> entries(Predicate<Entry> filter) {
    return entries.stream().filter(filter).toList();
  }

  /**
   * The first entry after {@code afterSeq} matching {@code filter}, waiting up to {@code timeout}.
   */
  synchronized Entry await(long afterSeq, Predicate<Entry> filter, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Entry e : entries) {
        if (e.seq() > afterSeq && filter.test(e)) {
          return e;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out after " + timeout + " waiting for " + what + "; log:\n" + this);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits for {@code count} entries after {@code afterSeq} matching {@code filter}. */
  synchronized List<Entry> awaitCount(
      long afterSeq, Predicate<Entry> filter, int count, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Entry> found =
          entries.stream().filter(e -> e.seq() > afterSeq && filter.test(e)).toList();
      if (found.size() >= count) {
        return found;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting for "
                + count
                + " "
                + what
                + "; log:\n"
                + this);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  static Predicate<Entry> is(Kind kind) {
    return e -> e.kind() == kind;
  }

  static Predicate<Entry> is(String instance, Kind kind) {
    return e -> e.kind() == kind && e.instance().equals(instance);
  }

  @Override
  public synchronized String toString() {
    // runs of work entries are summarised, so that the log stays readable
    List<String> lines = new ArrayList<>();
    Entry runStart = null;
    int run = 0;
    for (Entry e : entries) {
      boolean work = e.kind() == Kind.WORK || e.kind() == Kind.ROLE_WORK;
      if (work
          && runStart != null
          && e.kind() == runStart.kind()
          && e.instance().equals(runStart.instance())
          && e.token() == runStart.token()) {
        run++;
        continue;
      }
      summarise(lines, runStart, run);
      runStart = work ? e : null;
      run = 1;
      lines.add(e.toString());
    }
    summarise(lines, runStart, run);
    return String.join("\n", lines);
  }

  private static void summarise(List<String> lines, Entry runStart, int run) {
    if (runStart != null && run > 1) {
      lines.add("   ... " + run + " " + runStart.kind() + " entries by " + runStart.instance());
    }
  }
}
