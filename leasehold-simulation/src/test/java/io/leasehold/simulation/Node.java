package io.leasehold.simulation;

import java.util.ArrayList;
import java.util.List;

/** A simulated host: one candidate identity, its clock rate, and its successive processes. */
final class Node {
  final int index;
  final String id;
  final double rate;
  final boolean watches;
  final boolean multiLock;
  final List<Fault> active = new ArrayList<>();

  /** Events that came due while the process was paused; they run when it resumes. */
  final List<World.Event> deferred = new ArrayList<>();

  Incarnation inc;
  int incarnations;
  boolean paused;
  Fault pausedBy;
  boolean pausedWhileActing;
  boolean down;
  Fault downBy;
  boolean stopping;

  Node(int index, double rate, boolean watches, boolean multiLock) {
    this.index = index;
    this.id = "n" + (index + 1);
    this.rate = rate;
    this.watches = watches;
    this.multiLock = multiLock;
  }

  /** The active fault of that kind that ends last, or null. */
  Fault activeFault(Fault.Kind kind) {
    Fault found = null;
    for (Fault f : active) {
      if (f.kind == kind && (found == null || f.end() > found.end())) {
        found = f;
      }
    }
    return found;
  }
}
