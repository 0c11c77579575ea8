package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Two locks used as one, client-go's {@code resourcelock.MultiLock}: the bridge for migrating a
 * fleet from a legacy lock (the primary, a {@link ConfigMapLock} or {@link EndpointsLock}) to a
 * {@link LeaseLock} (the secondary) without two leaders at any point of a rolling upgrade.
 *
 * <ul>
 *   <li>{@link #get} reads the primary, then the secondary. When the primary does not exist, the
 *       lock does not exist. When the secondary does not exist yet, the primary's record is the
 *       answer. When both exist but name different holders, the answer names the holder {@value
 *       KubernetesLocks#UNKNOWN_LEADER}, so that nobody takes over while the two disagree (a
 *       candidate of the next release, on the secondary alone, holds it). The fencing token is the
 *       greater of the two. The raw bytes are the primary's, a comma, and the secondary's.
 *   <li>A snapshot holds both halves: its {@linkplain LockSnapshot#source source} is the primary's
 *       snapshot and the secondary's (or none when the secondary was absent), and its version is
 *       both versions, {@code "p,s"} or {@code "p,-"}.
 *   <li>{@link #update} is a compare-and-swap on both objects against the snapshot the elector
 *       observed: it updates the primary against the primary half, then updates the secondary
 *       against the secondary half, or creates the secondary when the half was absent. It never
 *       reads an object and then writes against what it just read: a candidate whose view is stale
 *       must fail, not overwrite a takeover it has not seen.
 *   <li>{@link #create} creates the primary, then the secondary.
 *   <li>{@link #identity()} and {@link #describe()} are the primary's; events go to both.
 * </ul>
 *
 * <p><b>When the primary is written and the secondary is not</b> (someone wrote or created the
 * secondary since the elector read it, or the call failed), the call fails: with a {@link
 * LockConflictException} or a {@link LockException}, and the elector counts it as not acquired or
 * not renewed. The two objects then disagree, which is safe: a candidate on the secondary alone
 * reads only the secondary, which this call did not change, so its view and its lease countdown are
 * unaffected; MultiLock candidates, this one included, read the pair as held by {@value
 * KubernetesLocks#UNKNOWN_LEADER} and wait until the pair has not changed for a full lease, which
 * never happens while a leader on the secondary keeps renewing it.
 *
 * <p>A corrupt half makes {@link #get} fail with a {@link CorruptRecordException} naming that
 * object; its {@link CorruptRecordException#stored() stored} snapshot holds that half alone, and an
 * update against it (a repair) writes that object only.
 *
 * <p>Two deliberate differences from client-go, both on the safe side: when the secondary is
 * missing, the primary's record is returned even if it names this candidate (client-go reports "not
 * found" then, which would make its holder re-create the lock), and {@link #create} fails with a
 * conflict when the primary already exists (client-go ignores that and goes on to create the
 * secondary).
 *
 * <p>Thread-safe when both locks are; keeps no state of its own.
 */
public final class MultiLock implements Lock {
  private final Lock primary;
  private final Lock secondary;

  /** The source of a pair's snapshot: each half's snapshot, {@code secondary} null when absent. */
  record Halves(LockSnapshot primary, LockSnapshot secondary) {}

  /**
   * The source of a snapshot of one object alone: a corrupt half, as {@link #get} reports it, or
   * that half once repaired. An update against it writes that object only.
   */
  record OneHalf(boolean isPrimary, LockSnapshot snapshot) {}

  /**
   * Combines two locks of the same candidate.
   *
   * @throws IllegalArgumentException when the two locks have different identities
   */
  public MultiLock(Lock primary, Lock secondary) {
    this.primary = Objects.requireNonNull(primary, "primary");
    this.secondary = Objects.requireNonNull(secondary, "secondary");
    if (!primary.identity().equals(secondary.identity())) {
      throw new IllegalArgumentException(
          "primary and secondary must have the same identity, not '"
              + primary.identity()
              + "' and '"
              + secondary.identity()
              + "'");
    }
  }

  /** The legacy lock, read and written first. */
  public Lock primary() {
    return primary;
  }

  /** The lock being migrated to. */
  public Lock secondary() {
    return secondary;
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<LockSnapshot> p;
    try {
      p = primary.get(timeout);
    } catch (CorruptRecordException e) {
      throw corruptHalf(true, e);
    }
    if (p.isEmpty()) {
      return Optional.empty();
    }
    Optional<LockSnapshot> s;
    try {
      s = secondary.get(left(deadline));
    } catch (CorruptRecordException e) {
      throw corruptHalf(false, e);
    }
    return Optional.of(combine(p.get(), s.orElse(null)));
  }

  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    long deadline = System.nanoTime() + timeout.toNanos();
    LockSnapshot p = primary.create(record, timeout);
    return combine(p, secondHalf(null, record, deadline));
  }

  /**
   * Writes {@code record} into both objects, each only if it is still the version {@code current}
   * holds for it (see the class comment); or, for the snapshot of a corrupt half, into that object
   * only.
   */
  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    Objects.requireNonNull(record, "record");
    Object source = Objects.requireNonNull(current, "current").source(Object.class);
    if (source instanceof OneHalf one) {
      Lock half = one.isPrimary() ? primary : secondary;
      return oneHalf(one.isPrimary(), half.update(one.snapshot(), record, timeout));
    }
    if (!(source instanceof Halves halves)) {
      throw new IllegalArgumentException("snapshot " + current + " did not come from a MultiLock");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    LockSnapshot p = primary.update(halves.primary(), record, timeout);
    return combine(p, secondHalf(halves.secondary(), record, deadline));
  }

  /**
   * Creates the secondary ({@code observed} null) or updates it against {@code observed}, once the
   * primary was written; a failure says that the two objects now disagree.
   */
  private LockSnapshot secondHalf(LockSnapshot observed, LeaderElectionRecord record, long deadline)
      throws LockException {
    try {
      return observed == null
          ? secondary.create(record, left(deadline))
          : secondary.update(observed, record, left(deadline));
    } catch (LockException e) {
      String message =
          "the primary of MultiLock "
              + describe()
              + " was written but not the secondary, so they disagree until the next write"
              + " of both: "
              + e.getMessage();
      if (e instanceof LockConflictException) {
        throw new LockConflictException(message, e);
      }
      throw new LockException(message, e);
    }
  }

  @Override
  public void recordEvent(String event) {
    primary.recordEvent(event);
    secondary.recordEvent(event);
  }

  @Override
  public String identity() {
    return primary.identity();
  }

  /** The primary's description, as in client-go. */
  @Override
  public String describe() {
    return primary.describe();
  }

  /** The coarser of the two locks' granularities. */
  @Override
  public Duration changeDetectionGranularity() {
    Duration p = primary.changeDetectionGranularity();
    Duration s = secondary.changeDetectionGranularity();
    return p.compareTo(s) >= 0 ? p : s;
  }

  /**
   * Watches both locks when both can be watched. A change of either is pushed as the combined
   * snapshot of the last version seen of each (its source holds both halves, as one from {@link
   * #get}), once both objects have been seen; until then, and after either side reports an unknown
   * change, as null (the elector then reads). A pair pushed while a writer is between its two
   * writes may never have been stored as such; an update against it fails the compare-and-swap.
   */
  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    Objects.requireNonNull(watcher, "watcher");
    Combined combined = new Combined(watcher);
    Optional<LockWatch> p = primary.watch(combined::primaryChanged);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    Optional<LockWatch> s;
    try {
      s = secondary.watch(combined::secondaryChanged);
    } catch (RuntimeException e) {
      p.get().close();
      throw e;
    }
    if (s.isEmpty()) {
      p.get().close();
      return Optional.empty();
    }
    combined.watches(p.get(), s.get());
    return Optional.of(combined);
  }

  @Override
  public String toString() {
    return "MultiLock{primary=" + primary + ", secondary=" + secondary + "}";
  }

  /**
   * The snapshot of the pair, as client-go's MultiLock.Get composes it; {@code s} null if absent.
   */
  static LockSnapshot combine(LockSnapshot p, LockSnapshot s) {
    if (s == null) {
      return new LockSnapshot(p.record(), p.raw(), p.version() + ",-", new Halves(p, null));
    }
    LeaderElectionRecord pr = p.record();
    LeaderElectionRecord sr = s.record();
    byte[] primaryRaw = p.raw();
    LeaderElectionRecord.Builder r = pr.toBuilder();
    if (!pr.holderIdentity().equals(sr.holderIdentity())) {
      r.holderIdentity(KubernetesLocks.UNKNOWN_LEADER);
      primaryRaw = RecordJson.bytes(r.build());
    }
    r.fencingToken(Math.max(pr.fencingToken(), sr.fencingToken()));
    byte[] secondaryRaw = s.raw();
    byte[] raw = new byte[primaryRaw.length + 1 + secondaryRaw.length];
    System.arraycopy(primaryRaw, 0, raw, 0, primaryRaw.length);
    raw[primaryRaw.length] = ',';
    System.arraycopy(secondaryRaw, 0, raw, primaryRaw.length + 1, secondaryRaw.length);
    return new LockSnapshot(r.build(), raw, p.version() + "," + s.version(), new Halves(p, s));
  }

  /** A snapshot of one half alone; its version names the half, so it never equals a pair's. */
  private static LockSnapshot oneHalf(boolean isPrimary, LockSnapshot half) {
    return new LockSnapshot(
        half.record(),
        half.raw(),
        (isPrimary ? "primary:" : "secondary:") + half.version(),
        new OneHalf(isPrimary, half));
  }

  private static CorruptRecordException corruptHalf(boolean isPrimary, CorruptRecordException e) {
    return new CorruptRecordException(
        e.getMessage()
            + " (the "
            + (isPrimary ? "primary" : "secondary")
            + " of a MultiLock; a repair through the MultiLock replaces that object only)",
        e,
        e.stored().map(stored -> oneHalf(isPrimary, stored)).orElse(null));
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  /**
   * The watch of both locks. Snapshots are combined under this object's monitor; health and close
   * take no lock, since the elector asks for health while holding its own.
   */
  private static final class Combined implements LockWatch {
    private final LockWatcher watcher;
    private volatile LockWatch primaryWatch;
    private volatile LockWatch secondaryWatch;
    private LockSnapshot lastPrimary;
    private LockSnapshot lastSecondary;

    Combined(LockWatcher watcher) {
      this.watcher = watcher;
    }

    void watches(LockWatch p, LockWatch s) {
      primaryWatch = p;
      secondaryWatch = s;
    }

    synchronized void primaryChanged(LockSnapshot snapshot) {
      lastPrimary = snapshot;
      push();
    }

    synchronized void secondaryChanged(LockSnapshot snapshot) {
      lastSecondary = snapshot;
      push();
    }

    private void push() {
      watcher.changed(
          lastPrimary == null || lastSecondary == null
              ? null
              : combine(lastPrimary, lastSecondary));
    }

    @Override
    public boolean isHealthy() {
      LockWatch p = primaryWatch;
      LockWatch s = secondaryWatch;
      return p != null && s != null && p.isHealthy() && s.isHealthy();
    }

    @Override
    public void close() {
      LockWatch p = primaryWatch;
      LockWatch s = secondaryWatch;
      if (p != null) {
        p.close();
      }
      if (s != null) {
        s.close();
      }
    }
  }
}
