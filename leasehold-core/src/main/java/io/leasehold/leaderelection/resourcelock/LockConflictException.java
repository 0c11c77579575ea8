package io.leasehold.leaderelection.resourcelock;

/**
 * The optimistic check failed: {@link Lock#update} found that the stored object changed since the
 * last {@link Lock#get}, or {@link Lock#create} found that the object already exists. Another
 * candidate wrote first; nothing was written.
 */
public class LockConflictException extends LockException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public LockConflictException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public LockConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
