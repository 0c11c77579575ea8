package io.leasehold.leaderelection;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The executors shared by all electors of a JVM unless a config names its own. Their threads are
 * daemons and exist only while they have work: a thread starts only when no idle one can take a
 * task, and retires after {@link #KEEP_ALIVE} without work, so an idle JVM with ten thousand
 * followers holds no thread per elector, and none at all once every elector has closed.
 */
final class DefaultExecutors {
  /** How long an idle thread waits for work before it retires. */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(5);

  /**
   * Where lock calls run: blocking calls bounded by their timeouts, so a few threads serve ten
   * thousand electors; tasks queue when all {@value #MAX_LOCK_CALL_THREADS} are busy.
   */
  static final int MAX_LOCK_CALL_THREADS = 16;

  /** Where short callbacks run (onNewLeader, onStoppedLeading); tasks queue beyond the bound. */
  static final int MAX_CALLBACK_THREADS = 32;

  static final Executor LOCK_CALLS =
      new ElasticPool("leasehold-io", MAX_LOCK_CALL_THREADS, KEEP_ALIVE);

  static final Executor CALLBACKS =
      new ElasticPool("leasehold-callback", MAX_CALLBACK_THREADS, KEEP_ALIVE);

  /**
   * Where each leader's work (onStartedLeading) runs: a thread of its own for as long as it runs,
   * like client-go's goroutine, so a leader's work never waits for another's to return.
   */
  static final Executor LEADER_WORK =
      new ElasticPool("leasehold-leader", Integer.MAX_VALUE, KEEP_ALIVE);

  private DefaultExecutors() {}
}
