package io.leasehold.leaderelection.resourcelock;

/**
 * The lock cannot work as it is set up, and retrying will not change that: a lease table of the
 * wrong shape, a table that is missing while automatic creation is off. The elector still retries
 * (an operator may fix it meanwhile), but a tool can refuse to start on it, as {@code leasehold
 * run} does. The message says what is wrong and how to fix it.
 */
public class LockMisconfiguredException extends LockException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public LockMisconfiguredException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public LockMisconfiguredException(String message, Throwable cause) {
    super(message, cause);
  }
}
