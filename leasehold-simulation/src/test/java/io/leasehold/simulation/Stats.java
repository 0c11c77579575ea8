package io.leasehold.simulation;

import java.util.EnumMap;
import java.util.Map;

/**
 * What happened in runs, to show that the faults did reach leaders (a safe run that tests nothing
 * proves nothing).
 */
final class Stats {
  enum Counter {
    TERMS("terms"),
    TAKEOVERS("takeovers by another node"),
    LEADERS_PAUSED("leaders paused"),
    WOKE_PAST_DEADLINE("leaders woken past their deadline"),
    AUTHORITY_RAN_OUT("terms ended by the leader deadline"),
    LEADERS_CRASHED("leaders crashed"),
    LEADERS_PARTITIONED("leaders partitioned"),
    LATE_ARRIVALS("requests arriving after a fault"),
    LOST_RESPONSES("writes applied with the response lost"),
    RESTARTS("process restarts"),
    LATE_RESPONSES("responses completed after the elector stopped waiting"),
    STALE_WATCH_EVENTS("watch events older than the store"),
    STALE_RELEASED_EVENTS("stale watch events of a released record"),
    SKIPPED_WATCH_EVENTS("watch events skipped"),
    WATCHED_WRITES("writes against a watched snapshot without a read"),
    WATCHED_WRITES_REFUSED("writes against a watched snapshot refused"),
    STALE_WATCHED_WRITES("writes against a snapshot already stale when watched"),
    DELETIONS("records deleted"),
    FOREIGN_WRITES("records re-created by a foreign writer"),
    TOKENS_RAISED("tokens raised by the store's high-water mark"),
    CALLBACKS_THREW("callbacks that threw"),
    STARTED_LEADING_THREW("onStartedLeading calls that threw"),
    CALLBACK_TASKS_LATE("callback tasks started late"),
    CALLBACK_TASKS_DROPPED("callback tasks never started"),
    CALLBACK_TASKS_REJECTED("callback tasks rejected"),
    STOPS_CHECKED("graceful stops timed"),
    MULTILOCK_TERMS("terms of MultiLock candidates"),
    LEASE_ONLY_TAKEOVERS("takeovers between MultiLock and Lease-only candidates");

    final String label;

    Counter(String label) {
      this.label = label;
    }
  }

  private final long[] counts = new long[Counter.values().length];

  void add(Counter c) {
    counts[c.ordinal()]++;
  }

  long get(Counter c) {
    return counts[c.ordinal()];
  }

  void merge(Stats other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
  }

  Map<Counter, Long> asMap() {
    Map<Counter, Long> m = new EnumMap<>(Counter.class);
    for (Counter c : Counter.values()) {
      m.put(c, counts[c.ordinal()]);
    }
    return m;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Counter c : Counter.values()) {
      if (counts[c.ordinal()] == 0) {
        continue;
      }
      if (s.length() > 0) {
        s.append(", ");
      }
      s.append(c.label).append(' ').append(counts[c.ordinal()]);
    }
    return s.toString();
  }
}
