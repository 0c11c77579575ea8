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
    RESTARTS("process restarts");

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
      if (s.length() > 0) {
        s.append(", ");
      }
      s.append(c.label).append(' ').append(counts[c.ordinal()]);
    }
    return s.toString();
  }
}
