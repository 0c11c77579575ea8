package io.leasehold.simulation;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One process of a node: its own clock, lock, executors and elector. Dead once crashed or stopped.
 */
final class Incarnation {
  final Node node;
  final int number;
  boolean alive = true;
  SimClock clock;
  Lock lock;
  LeaderElector elector;

  /** The context of the latest term this process's onStartedLeading was handed. */
  LeadershipContext context;

  /** Tokens of the terms the checker saw this process lead. */
  final Set<Long> termsSeen = new HashSet<>();

  long lastTermSeen = Long.MIN_VALUE;

  /** Tokens of the terms handed to onStartedLeading. */
  final Set<Long> handedTokens = new HashSet<>();

  /** Terms whose onStartedLeading threw, and when. */
  final Map<Long, Long> threwFor = new HashMap<>();

  /** The term seen leading without a context handed out, and since when. */
  long unhandedToken = -1;

  long unhandedSince = -1;

  /** Callback tasks accepted and not yet run; dropped (never to run); rejected. */
  int pendingCallbacks;

  int droppedCallbacks;
  int rejectedCallbacks;

  /** A graceful stop asked of this process: local time, and whether a pause overlapped it. */
  long stopAskedLocal = -1;

  boolean pausedWhileStopping;

  Incarnation(Node node, int number) {
    this.node = node;
    this.number = number;
  }

  String name() {
    return node.id + "#" + number;
  }
}
