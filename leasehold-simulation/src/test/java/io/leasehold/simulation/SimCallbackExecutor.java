package io.leasehold.simulation;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The callback executor of an incarnation's elector. Normally a task starts at once, as a world
 * event, as on an idle pool thread. While a {@link Fault.Kind#CALLBACK_STALL} fault is on the node,
 * the pool is blocked or saturated (the single-threaded world's way of modelling callbacks that
 * block): tasks start only when the fault ends ({@link Fault.Mode#LATE}), never ({@link
 * Fault.Mode#NEVER}), or are rejected ({@link Fault.Mode#REJECT}).
 */
final class SimCallbackExecutor implements Executor {
  private final World world;
  private final Incarnation owner;

  SimCallbackExecutor(World world, Incarnation owner) {
    this.world = world;
    this.owner = owner;
  }

  @Override
  public void execute(Runnable task) {
    if (!owner.alive) {
      return;
    }
    Fault stall =
        world.callbackStallsIgnored ? null : owner.node.activeFault(Fault.Kind.CALLBACK_STALL);
    long at = world.now();
    if (stall != null) {
      switch (stall.mode) {
        case REJECT -> {
          owner.rejectedCallbacks++;
          world.stats.add(Stats.Counter.CALLBACK_TASKS_REJECTED);
          world.trace(owner.node, "callback task rejected (saturated pool)");
          throw new RejectedExecutionException("simulated: the callback pool is saturated");
        }
        case NEVER -> {
          owner.droppedCallbacks++;
          world.stats.add(Stats.Counter.CALLBACK_TASKS_DROPPED);
          world.trace(owner.node, "callback task accepted but will never start (blocked pool)");
          return;
        }
        default -> {
          world.stats.add(Stats.Counter.CALLBACK_TASKS_LATE);
          at = stall.end();
          if (world.tracing()) {
            world.trace(owner.node, "callback task will start at " + World.seconds(at));
          }
        }
      }
    }
    owner.pendingCallbacks++;
    world.schedule(
        at,
        owner,
        World.Kind.CALLBACK,
        () -> {
          owner.pendingCallbacks--;
          try {
            task.run();
          } catch (RuntimeException e) {
            // what a pool thread would do with an exception that escaped its task
            world.trace(owner.node, "a callback task let an exception escape: " + e);
          }
        });
  }
}
