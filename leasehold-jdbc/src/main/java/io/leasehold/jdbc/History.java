package io.leasehold.jdbc;

/**
 * One lock name's high-water marks, kept in the history table apart from the lease row, so that
 * deleting the row forgets neither: the highest {@code generation} (raised by every create) and the
 * highest fencing token ({@code fence}). Only writes that start a new term read and raise it, in
 * the same transaction as the row; renewals and releases never touch it.
 *
 * <p>A row's {@code version} column packs its generation and a counter: {@code generation * 2^32 +
 * counter}. A create starts the counter at 1 in a generation above every earlier one, and every
 * write adds 1. So a version never repeats for one name, across deletion and re-creation too: a
 * snapshot taken before a deletion cannot match the new row. A counter that would run into the next
 * generation (after 2^32 - 1 writes in one generation) is written like a new term, which raises the
 * mark to the row's generation.
 *
 * @param generation the highest generation any row of this name had
 * @param fence the highest fencing token any row of this name stored
 */
record History(long generation, long fence) {
  /** The marks of a name that never had a row (or a history). */
  static final History NONE = new History(0, 0);

  private static final int COUNTER_BITS = 32;
  private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

  /** The version of a created row: the first of a generation above every earlier one. */
  long createdVersion() {
    return ((generation + 1) << COUNTER_BITS) | 1;
  }

  /**
   * The token a new term stores: the proposed one, raised above every token this name ever had.
   *
   * @param currentFence the token of the row being replaced, or a negative number when there is
   *     none or it could not be read
   */
  long token(long proposed, long currentFence) {
    return Math.max(proposed, Math.max(fence, currentFence) + 1);
  }

  /** The marks after a row of {@code version} was written with {@code token}. */
  History after(long version, long token) {
    return new History(Math.max(generation, generationOf(version)), Math.max(fence, token));
  }

  /** The generation packed in a version. */
  static long generationOf(long version) {
    return version >>> COUNTER_BITS;
  }

  /** Whether the write after {@code version} carries its counter into the next generation. */
  static boolean carries(long version) {
    return (version & COUNTER_MASK) == COUNTER_MASK;
  }
}
