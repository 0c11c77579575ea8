package io.leasehold.simulation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The executor an incarnation's elector runs its work on. No threads: a lock call becomes a message
 * on the {@link Network}; any other task (an attempt started by a timer, an event to record) runs
 * as a world event at the current instant, as a pool thread would pick it up.
 *
 * <p>The elector hands both kinds of task to one executor, so they are told apart by where they
 * were submitted from: a lock-call task comes from the elector's private method {@code call}. The
 * answer is cached per task class (one class per lambda site). Should the elector be refactored,
 * {@link SimLock} notices a lock call outside a recognised task and fails the run loudly.
 */
final class SimExecutor implements Executor {
  private static final String ELECTOR = "io.leasehold.leaderelection.LeaderElector";
  private static final String LOCK_CALL_METHOD = "call";
  private static final StackWalker WALKER = StackWalker.getInstance();
  private static final Map<Class<?>, Boolean> LOCK_CALL_TASKS = new ConcurrentHashMap<>();

  private final World world;
  private final Incarnation owner;

  SimExecutor(World world, Incarnation owner) {
    this.world = world;
    this.owner = owner;
  }

  @Override
  public void execute(Runnable task) {
    if (!owner.alive) {
      return; // a dead process runs nothing more
    }
    if (isLockCall(task)) {
      world.network.send(owner, task);
    } else {
      world.schedule(world.now(), owner, World.Kind.TASK, task);
    }
  }

  private static boolean isLockCall(Runnable task) {
    Boolean known = LOCK_CALL_TASKS.get(task.getClass());
    if (known != null) {
      return known;
    }
    boolean lockCall =
        WALKER.walk(
            frames ->
                frames
                    .filter(f -> !f.getClassName().equals(SimExecutor.class.getName()))
                    .findFirst()
                    .map(
                        f ->
                            f.getClassName().equals(ELECTOR)
                                && f.getMethodName().equals(LOCK_CALL_METHOD))
                    .orElse(false));
    LOCK_CALL_TASKS.put(task.getClass(), lockCall);
    return lockCall;
  }
}
