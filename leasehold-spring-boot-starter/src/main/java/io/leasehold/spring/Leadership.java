package io.leasehold.spring;

import io.leasehold.leaderelection.LeadershipContext;

/**
 * The term of leadership a {@link LeaderOnly} method runs in, on the thread running it.
 *
 * <pre>{@code
 * @Scheduled(fixedDelay = 1_000)
 * @LeaderOnly
 * void rebalance() {
 *   for (Shard shard : shards) {
 *     Leadership.checkLeading();                       // throws once leadership has ended
 *     shard.assign(Leadership.fencingToken());
 *   }
 * }
 * }</pre>
 */
public final class Leadership {
  private static final ThreadLocal<LeadershipContext> CURRENT = new ThreadLocal<>();

  private Leadership() {}

  /**
   * The term the running {@link LeaderOnly} method was admitted in.
   *
   * @throws IllegalStateException outside a {@link LeaderOnly} method
   */
  public static LeadershipContext current() {
    LeadershipContext c = CURRENT.get();
    if (c == null) {
      throw new IllegalStateException(
          "Leadership.current() is only known inside a @LeaderOnly method");
    }
    return c;
  }

  /** The fencing token of {@link #current()}'s term. */
  public static long fencingToken() {
    return current().fencingToken();
  }

  /**
   * Throws {@link io.leasehold.leaderelection.LeadershipLostException} if {@link #current()}'s term
   * has ended.
   */
  public static void checkLeading() {
    current().checkLeading();
  }

  /** Sets the current term; returns the previous one, for {@link #restore}. */
  static LeadershipContext enter(LeadershipContext context) {
    LeadershipContext previous = CURRENT.get();
    CURRENT.set(context);
    return previous;
  }

  static void restore(LeadershipContext previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }
}
