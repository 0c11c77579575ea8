package io.leasehold.simulation;


import io.leasehold.leaderelection.ElectionClock;
import java.time.Instant;

/**
 * The clock of one incarnation of a simulated process. Its monotonic reading is a pure function of
 * the world's global time: {@code local(g) = l0 + (g - g0) * rate}, so a process whose clock runs
 * fast or slow reads more or less time than really passed, and a paused process finds, when it
 * resumes, that its clock jumped forward (the operating system's clock ran during the pause).
 *
 * <p>Timers are events of the world, placed at the first global instant at which the local reading
 * reaches their due time. While the process is paused its timers do not run: the world defers them
 * and runs them all when the process resumes, each reading the clock as it is then (late), as after
 * a GC pause. {@link io.leasehold.leaderelection.FakeClock} cannot express that (it runs every
 * timer at its own due instant), hence this clock.
 */
final class SimClock implements ElectionClock {
  private final World world;
  private final Incarnation owner;
  final double rate;
  private final long g0;
  private final long l0;
  private final Instant wall0;

  SimClock(World world, Incarnation owner, double rate, long localStart, Instant wallStart) {
    this.world = world;
    this.owner = owner;
    this.rate = rate;
    this.g0 = world.now();
    this.l0 = localStart;
    this.wall0 = wallStart;
  }

  /** The local monotonic reading at global time {@code g}. */
  long localAt(long g) {
    return l0 + (long) Math.floor((g - g0) * rate);
  }

  /**
   * The first global instant (not before this clock existed) at which the reading is {@code local}.
   */
  long globalAt(long local) {
    if (local <= l0) {
      return g0;
    }
    long g = g0 + (long) Math.ceil((local - l0) / rate);
    while (localAt(g) < local) {
      g++;
    }
    while (g > g0 && localAt(g - 1) >= local) {
      g--;
    }
    return g;
  }

  /** How much global time passes while this clock advances by {@code localNanos} (rounded up). */
  long toGlobal(long localNanos) {
    return (long) Math.ceil(localNanos / rate);
  }

  /** Local time elapsed since this clock was created, for traces. */
  long elapsed() {
    return nanoTime() - l0;
  }

  @Override
  public long nanoTime() {
    return localAt(world.now());
  }

  @Override
  public Instant now() {
    return wall0.plusNanos(nanoTime() - l0);
  }

  @Override
  public Timer schedule(Runnable task, long delayNanos) {
    long delay = Math.min(Math.max(0, delayNanos), World.FAR_FUTURE);
    long due = nanoTime() + delay;
    long at = Math.max(world.now(), globalAt(due));
    World.Event e = world.schedule(at, owner, World.Kind.TIMER, task);
    return e::cancel;
  }
}
