package io.leasehold.leaderelection;

import java.time.Duration;

/**
 * Instruments one elector (client-go's {@code LeaderMetric}). {@code on}/{@code off} drive the
 * {@code leader_election_master_status} gauge; {@code slowpathExercised} counts renewals by the
 * leader that had to read the lock first; the others are Leasehold's extras. Every method does
 * nothing unless overridden; all must be cheap and must not throw.
 */
public interface LeaderMetric {

  /** This candidate became leader of election {@code name}. */
  default void on(String name) {}

  /** This candidate is not leader of election {@code name} (called on every exit path). */
  default void off(String name) {}

  /** The leader renewed through the slow path (read, then write). */
  default void slowpathExercised(String name) {}

  /** The leader renewed successfully; {@code latency} is the time the attempt took. */
  default void renewed(String name, Duration latency) {}

  /** One renewal attempt by the leader failed (it may still succeed on a retry). */
  default void renewFailed(String name) {}

  /** A new holder was observed ({@code identity} is empty when the lock was released). */
  default void leaderChanged(String name, String identity) {}
}
