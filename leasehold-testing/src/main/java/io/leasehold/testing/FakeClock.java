package io.leasehold.testing;

import io.leasehold.leaderelection.ElectionClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A clock that moves only when told to, for tests and simulations in virtual time (client-go's
 * {@code clock/testing.FakeClock}). {@link #advance} moves time forward and runs every timer that
 * falls due, in time order, on the calling thread. Give the elector a direct executor ({@code
 * Runnable::run}) as well and a whole election runs deterministically inside {@code advance}.
 *
 * <p>The wall clock can be stepped on its own ({@link #stepWallClock}) to show that wall-clock
 * jumps do not affect the election. Thread-safe.
 */
public final class FakeClock implements ElectionClock {
  private static final long START_NANOS = 1_000_000_000_000L;

  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private final Instant wallStart;
  private long nanos = START_NANOS;
  private long wallOffsetNanos;
  private long sequence;

  /** A clock whose wall time starts at 2024-01-01T00:00:00Z. */
  public FakeClock() {
    this(Instant.parse("2024-01-01T00:00:00Z"));
  }

  /** A clock whose wall time starts at {@code wallStart}. */
  public FakeClock(Instant wallStart) {
    this.wallStart = Objects.requireNonNull(wallStart, "wallStart");
  }

  @Override
  public synchronized Instant now() {
    return wallStart.plusNanos(nanos - START_NANOS + wallOffsetNanos);
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  /** Virtual time elapsed since this clock was created. */
  public synchronized Duration elapsed() {
    return Duration.ofNanos(nanos - START_NANOS);
  }

  @Override
  public synchronized Timer schedule(Runnable task, long delayNanos) {
    Task t = new Task(nanos + Math.max(0, delayNanos), sequence++, task);
    tasks.add(t);
    return () -> {
      synchronized (FakeClock.this) {
        t.cancelled = true;
        tasks.remove(t);
      }
    };
  }

  /**
   * Moves time forward by {@code duration}, running each timer that falls due at its own instant,
   * including timers that those timers schedule.
   */
  public void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = nanos + duration.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          nanos = Math.max(nanos, target);
          return;
        }
        tasks.poll();
        nanos = Math.max(nanos, next.due);
      }
      next.task.run();
    }
  }

  /** Runs the timers due now, without moving time. */
  public void runDueTasks() {
    advance(Duration.ZERO);
  }

  /** How long until the next pending timer, if any. */
  public synchronized Duration untilNextTask() {
    Task next = tasks.peek();
    return next == null ? null : Duration.ofNanos(Math.max(0, next.due - nanos));
  }

  /** How many timers are pending. */
  public synchronized int pendingTasks() {
    return tasks.size();
  }

  /** Jumps the wall clock (not the monotonic clock) by {@code delta}, which may be negative. */
  public synchronized void stepWallClock(Duration delta) {
    wallOffsetNanos += delta.toNanos();
  }

  private static final class Task implements Comparable<Task> {
    final long due;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Task(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
