package io.leasehold.simulation;

import java.util.concurrent.Executor;

/**
 * The executor an incarnation's elector runs its own work on (an attempt started by a timer, an
 * event to record): each task runs as a world event at the current instant, as an idle pool thread
 * would pick it up. No threads, and no lock calls: those go through {@link SimLock}'s asynchronous
 * methods, which the {@link Network} carries.
 */
final class SimExecutor implements Executor {
  private final World world;
  private final Incarnation owner;

  SimExecutor(World world, Incarnation owner) {
    this.world = world;
    this.owner = owner;
  }

  @Override
  public void execute(Runnable task) {
    if (owner.alive) {
      world.schedule(world.now(), owner, World.Kind.TASK, task);
    }
  }
}
