package io.leasehold.leaderelection.resourcelock;

/**
 * A lock operation failed. The elector treats every failure as "not acquired / not renewed this
 * time" and tries again on its schedule, exactly as client-go does; the subclasses let callers and
 * tests tell the cases apart.
 *
 * @see LockConflictException
 * @see CorruptRecordException
 */
public class LockException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public LockException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public LockException(String message, Throwable cause) {
    super(message, cause);
  }
}
