package io.leasehold.simulation;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;

/**
 * One process of a node: its own clock, lock, executor and elector. Dead once crashed or stopped.
 */
final class Incarnation {
  final Node node;
  final int number;
  boolean alive = true;
  SimClock clock;
  SimLock lock;
  SimExecutor executor;
  LeaderElector elector;

  /** The context of the latest term this process started. */
  LeadershipContext context;

  Incarnation(Node node, int number) {
    this.node = node;
    this.number = number;
  }

  String name() {
    return node.id + "#" + number;
  }
}
