package io.leasehold.leaderelection;

/**
 * Thrown by {@link LeadershipContext#checkLeading()} when the leadership it belongs to has ended.
 */
public class LeadershipLostException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the reason leadership ended. */
  public LeadershipLostException(String message) {
    super(message);
  }
}
