package io.leasehold.leaderelection.resourcelock;

import java.util.Arrays;
import java.util.Objects;

/**
 * One version of a lock's stored object, as a read or a write returned it: the decoded record, the
 * raw bytes it was decoded from, and the store's version. Immutable.
 *
 * <ul>
 *   <li>The <b>version</b> is opaque to the elector (a Kubernetes {@code resourceVersion}, an etcd
 *       mod revision, a SQL row version) and never repeats for one lock name. {@link Lock#update}
 *       succeeds only while the stored object is still this version.
 *   <li>The <b>raw bytes</b> decide whether the record changed: the elector restarts its
 *       lease-expiry countdown only when they differ from the last ones it observed. Most locks
 *       include their version; client-go's Kubernetes locks use the record's JSON at second
 *       precision (see {@link Lock#changeDetectionGranularity()}), so that Java and Go candidates
 *       notice the same changes.
 *   <li>The <b>source</b> is whatever else the lock needs to write this version back (the whole
 *       Kubernetes object, so that an update keeps the fields it does not own; both halves of a
 *       {@code MultiLock}); null for most locks, and of no concern to anyone but the lock.
 * </ul>
 */
public final class LockSnapshot {
  private final LeaderElectionRecord record;
  private final byte[] raw;
  private final String version;
  private final Object source;

  /**
   * Creates a snapshot without a source.
   *
   * @param record the decoded record, not null
   * @param raw the bytes used for change detection, not null; copied
   * @param version the stored object's version, not null
   */
  public LockSnapshot(LeaderElectionRecord record, byte[] raw, String version) {
    this(record, raw, version, null);
  }

  /**
   * Creates a snapshot.
   *
   * @param record the decoded record, not null
   * @param raw the bytes used for change detection, not null; copied
   * @param version the stored object's version, not null
   * @param source what else the lock needs to write this version back, or null
   */
  public LockSnapshot(LeaderElectionRecord record, byte[] raw, String version, Object source) {
    this.record = Objects.requireNonNull(record, "record");
    this.raw = Objects.requireNonNull(raw, "raw").clone();
    this.version = Objects.requireNonNull(version, "version");
    this.source = source;
  }

  /** The decoded record. */
  public LeaderElectionRecord record() {
    return record;
  }

  /** A copy of the raw bytes. */
  public byte[] raw() {
    return raw.clone();
  }

  /** The stored object's version, opaque; never repeats for one lock name. */
  public String version() {
    return version;
  }

  /**
   * The lock's own data about this version, as {@code type}.
   *
   * @throws IllegalArgumentException when the snapshot has no source of that type: it did not come
   *     from a lock of the kind that asks
   */
  public <T> T source(Class<T> type) {
    if (!type.isInstance(source)) {
      throw new IllegalArgumentException(
          "snapshot " + this + " did not come from this kind of lock (no " + type.getName() + ")");
    }
    return type.cast(source);
  }

  /** Whether both snapshots have the same raw bytes. */
  public boolean sameRaw(LockSnapshot other) {
    return other != null && Arrays.equals(raw, other.raw);
  }

  /** Whether the raw bytes equal {@code other} (null never equals). */
  public boolean rawEquals(byte[] other) {
    return other != null && Arrays.equals(raw, other);
  }

  /** A copy of this snapshot with another record (same raw bytes, version and source). */
  public LockSnapshot withRecord(LeaderElectionRecord newRecord) {
    return new LockSnapshot(newRecord, raw, version, source);
  }

  @Override
  public String toString() {
    return "LockSnapshot{version " + version + ", " + record + "}";
  }
}
