package io.leasehold.leaderelection.resourcelock;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one {@link Lock#get} read: the decoded record and the raw bytes it was decoded from.
 *
 * <p>The elector compares the raw bytes of successive reads to decide whether the record changed,
 * and restarts its lease-expiry countdown only when they differ. A lock therefore chooses raw bytes
 * that change on every write it must notice (most locks include their version); client-go's
 * Kubernetes locks use the record's JSON at second precision, see {@link
 * Lock#changeDetectionGranularity()}.
 */
public final class LockSnapshot {
  private final LeaderElectionRecord record;
  private final byte[] raw;

  /**
   * Creates a snapshot.
   *
   * @param record the decoded record, not null
   * @param raw the bytes used for change detection, not null; copied
   */
  public LockSnapshot(LeaderElectionRecord record, byte[] raw) {
    this.record = Objects.requireNonNull(record, "record");
    this.raw = Objects.requireNonNull(raw, "raw").clone();
  }

  /** The decoded record. */
  public LeaderElectionRecord record() {
    return record;
  }

  /** A copy of the raw bytes. */
  public byte[] raw() {
    return raw.clone();
  }

  /** Whether the raw bytes equal {@code other} (null never equals). */
  public boolean rawEquals(byte[] other) {
    return other != null && Arrays.equals(raw, other);
  }

  /** Whether both snapshots have the same raw bytes. */
  public boolean sameRaw(LockSnapshot other) {
    return other != null && Arrays.equals(raw, other.raw);
  }

  @Override
  public String toString() {
    return "LockSnapshot{" + record + ", raw=" + raw.length + " bytes}";
  }
}
