package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
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
 *   <li>{@link #get} reads both. When the secondary does not exist yet, the primary's record is the
 *       answer. When both exist but name different holders, the answer names the holder {@value
 *       KubernetesLocks#UNKNOWN_LEADER}, so that nobody takes over while the two disagree (a
 *       candidate of the next release, on the secondary alone, holds it). The raw bytes are the
 *       primary's, a comma, and the secondary's.
 *   <li>{@link #create} creates the primary, then the secondary.
 *   <li>{@link #update} updates the primary, then creates or updates the secondary.
 *   <li>{@link #identity()} and {@link #describe()} are the primary's; events go to both.
 * </ul>
 *
 * <p>Two deliberate differences from client-go, both on the safe side: when the secondary is
 * missing, the primary's record is returned even if it names this candidate (client-go reports "not
 * found" then, which would make its holder re-create the lock), and {@link #create} fails with a
 * conflict when the primary already exists (client-go ignores that and goes on to create the
 * secondary). The fencing token read is the greater of the two objects' tokens.
 *
 * <p>Thread-safe when both locks are.
 */
public final class MultiLock implements Lock {
  private final Lock primary;
  private final Lock secondary;

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
    Optional<LockSnapshot> p = primary.get(timeout);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    Optional<LockSnapshot> s = secondary.get(left(deadline));
    return Optional.of(combine(p.get(), s.orElse(null)));
  }

  @Override
  public void create(LeaderElectionRecord record, Duration timeout) throws LockException {
    long deadline = System.nanoTime() + timeout.toNanos();
    primary.create(record, timeout);
    secondary.create(record, left(deadline));
  }

  @Override
  public void update(LeaderElectionRecord record, Duration timeout) throws LockException {
    long deadline = System.nanoTime() + timeout.toNanos();
    primary.update(record, timeout);
    if (secondary.get(left(deadline)).isEmpty()) {
      secondary.create(record, left(deadline));
    } else {
      secondary.update(record, left(deadline));
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
   * snapshot {@link #get} would return, once both objects have been seen; until then, and after
   * either side reports an unknown change, as null (the elector then reads).
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

  /** The snapshot of the pair, as client-go's MultiLock.Get composes it. */
  static LockSnapshot combine(LockSnapshot p, LockSnapshot s) {
    if (s == null) {
      return p;
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
    return new LockSnapshot(r.build(), raw);
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
