package io.leasehold.leaderelection.resourcelock;

import java.util.Optional;

/**
 * The stored object exists but does not hold a valid record (unparseable JSON, a field of the wrong
 * type, a value the {@link LeaderElectionRecord.Builder record's builder} refuses, such as a
 * negative duration). The elector never takes over a lock it cannot read: it keeps retrying, and
 * the message says what is wrong and where, so that an operator can repair the object ({@code
 * leasehold repair}).
 *
 * <p>A lock that can tell which version is corrupt attaches it as {@link #stored()}: a snapshot
 * whose record is empty but for the fencing token, when that could still be read. Writing a record
 * against it with {@link Lock#update} replaces the corrupt one and nothing else.
 */
public class CorruptRecordException extends LockException {
  private static final long serialVersionUID = 1L;

  private final transient LockSnapshot stored;

  /** Creates an exception with a message. */
  public CorruptRecordException(String message) {
    this(message, null, null);
  }

  /** Creates an exception with a message and a cause. */
  public CorruptRecordException(String message, Throwable cause) {
    this(message, cause, null);
  }

  /**
   * Creates an exception with a message, a cause (or null) and the corrupt version (or null).
   *
   * @param stored the corrupt version: a snapshot whose record is empty but for the fencing token
   *     when it could be read (0 when not), with the stored object's version and source
   */
  public CorruptRecordException(String message, Throwable cause, LockSnapshot stored) {
    super(message, cause);
    this.stored = stored;
  }

  /** The corrupt version, for repairing it with {@link Lock#update}; empty when unknown. */
  public Optional<LockSnapshot> stored() {
    return Optional.ofNullable(stored);
  }
}
