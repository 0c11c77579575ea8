package io.leasehold.leaderelection.resourcelock;

/**
 * The stored object exists but does not hold a valid record (unparseable JSON, a negative duration,
 * a missing holder with a positive duration...). The elector never takes over a lock it cannot read:
 * it keeps retrying, and the message says what is wrong and where, so that an operator can repair
 * or delete the object.
 */
public class CorruptRecordException extends LockException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public CorruptRecordException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public CorruptRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
