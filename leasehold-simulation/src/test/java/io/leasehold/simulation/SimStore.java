package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One stored lock object of the simulated world (a Lease, a ConfigMap...): a versioned record with
 * compare-and-swap, deletion, and change notifications. It is only ever touched from world events,
 * at the instant a request reaches it. It keeps the rules every real lock follows (see {@code
 * Lock}): versions come from one counter and never repeat, across deletion too; a write that starts
 * a new term (a create, or an update whose token differs from the stored one) stores max(proposed
 * token, high-water mark + 1), the mark surviving deletion.
 *
 * <p>Raw bytes, which candidates compare to notice a change, come in two flavours: "fine" (the
 * version, so every write is visible, like the in-memory, JDBC and etcd locks) and "coarse" (the
 * record's fields with times cut to whole seconds, like client-go's Kubernetes locks): two
 * successive writes within one second may then look identical, and the lock reports a change
 * detection granularity of one second.
 */
final class SimStore {
  /** What a snapshot of this store carries as its source: which store, which version. */
  record Stamp(SimStore store, long version) {}

  /** How many past snapshots are kept for stale watch deliveries. */
  private static final int HISTORY = 8;

  /** One incarnation's watch on this store. */
  final class Subscription implements LockWatch {
    final Incarnation owner;
    final LockWatcher watcher;
    boolean closed;

    /** A change could not be delivered (partition): on reconnection the watcher hears of it. */
    boolean missed;

    /** When the last in-order delivery to this subscriber is due. */
    long lastDelivery;

    Subscription(Incarnation owner, LockWatcher watcher) {
      this.owner = owner;
      this.watcher = watcher;
    }

    SimStore store() {
      return SimStore.this;
    }

    @Override
    public boolean isHealthy() {
      return !closed && world.watchHealthy(owner.node);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        subscriptions.remove(this);
      }
    }
  }

  final String name;
  private final World world;
  private final boolean coarseRaw;
  private final boolean compareVersions;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final List<LockSnapshot> history = new ArrayList<>();
  private LockSnapshot current;
  private long lastVersion;
  private long mark;
  private long lastStoredToken;
  private long writes;
  private long lastWriteAt;

  /**
   * @param compareVersions false only for the checker's own test: a broken store whose updates
   *     ignore the version they are given (last writer wins)
   */
  SimStore(World world, String name, boolean coarseRaw, boolean compareVersions) {
    this.world = world;
    this.name = name;
    this.coarseRaw = coarseRaw;
    this.compareVersions = compareVersions;
  }

  boolean coarseRaw() {
    return coarseRaw;
  }

  /** The stored snapshot, or null when the object does not exist. */
  LockSnapshot read() {
    return current;
  }

  long writes() {
    return writes;
  }

  /** When the object was last written (global time). */
  long lastWriteAt() {
    return lastWriteAt;
  }

  /** The highest fencing token this object ever stored (kept across deletion). */
  long highWaterMark() {
    return mark;
  }

  LockSnapshot create(LeaderElectionRecord record, Object writer) throws LockConflictException {
    if (current != null) {
      throw new SimConflict(name + " already exists");
    }
    return write(newTerm(record), writer);
  }

  LockSnapshot update(LockSnapshot base, LeaderElectionRecord record, Object writer)
      throws LockException {
    Stamp stamp = base.source(Stamp.class);
    if (stamp.store() != this) {
      throw new IllegalArgumentException(
          "a snapshot of " + stamp.store().name + " passed to a lock on " + name);
    }
    if (current == null) {
      if (!compareVersions) {
        return write(newTerm(record), writer);
      }
      throw new SimConflict(name + " was deleted: expected version " + stamp.version());
    }
    long found = version(current);
    if (found != stamp.version() && compareVersions) {
      throw new SimConflict(
          name + " changed: expected version " + stamp.version() + ", found " + found);
    }
    boolean sameTerm = record.fencingToken() == current.record().fencingToken();
    return write(sameTerm ? record : newTerm(record), writer);
  }

  /**
   * Deletes the object, as an operator would; versions and the token mark are not forgotten.
   *
   * @return whether there was an object to delete
   */
  boolean delete(String by) {
    if (current == null) {
      world.trace(null, "store " + name + ": delete by " + by + " finds nothing");
      return false;
    }
    current = null;
    world.stats.add(Stats.Counter.DELETIONS);
    world.trace(null, "store " + name + ": DELETED by " + by);
    for (Subscription s : new ArrayList<>(subscriptions)) {
      world.deliverWatch(s, null);
    }
    return true;
  }

  private LeaderElectionRecord newTerm(LeaderElectionRecord record) {
    long floor = mark + 1;
    if (record.fencingToken() >= floor) {
      return record;
    }
    world.stats.add(Stats.Counter.TOKENS_RAISED);
    return record.toBuilder().fencingToken(floor).build();
  }

  /** Stores a new version; {@code writer} (an incarnation, or a description) names it in traces. */
  private LockSnapshot write(LeaderElectionRecord record, Object writer) {
    long version = ++lastVersion;
    writes++;
    lastWriteAt = world.now();
    LockSnapshot written =
        new LockSnapshot(
            record, raw(record, version), Long.toString(version), new Stamp(this, version));
    current = written;
    history.add(written);
    if (history.size() > HISTORY) {
      history.remove(0);
    }
    if (writes > 1 && record.fencingToken() < lastStoredToken) {
      world.checker.storeTokenWentBack(name, lastStoredToken, record, writerName(writer));
    }
    lastStoredToken = record.fencingToken();
    if (world.writeLog != null) {
      world.writeLog.add(
          World.seconds(world.now())
              + " "
              + name
              + " v"
              + version
              + " by "
              + writerName(writer)
              + ": "
              + record);
    }
    mark = Math.max(mark, record.fencingToken());
    if (world.tracing()) {
      world.trace(
          null,
          "store "
              + name
              + ": v"
              + version
              + " written by "
              + writerName(writer)
              + ": "
              + brief(record));
    }
    for (Subscription s : new ArrayList<>(subscriptions)) {
      world.deliverWatch(s, written);
    }
    world.written(this, written);
    return written;
  }

  private static String writerName(Object writer) {
    return writer instanceof Incarnation inc ? inc.name() : String.valueOf(writer);
  }

  /** A snapshot older than the current one (or than the deletion), or null if none is kept. */
  LockSnapshot older() {
    int last = history.size() - (current != null && !history.isEmpty() ? 2 : 1);
    if (last < 0) {
      return null;
    }
    return history.get(world.rnd.nextInt(last + 1));
  }

  /** Whether {@code s} is older than what the store holds now (a later write, or a deletion). */
  boolean isStale(LockSnapshot s) {
    return s != null && (current == null || version(current) != version(s));
  }

  Subscription subscribe(Incarnation owner, LockWatcher watcher) {
    Subscription s = new Subscription(owner, watcher);
    subscriptions.add(s);
    return s;
  }

  /** The subscriptions of {@code node}'s processes. */
  List<Subscription> subscriptionsOf(Node node) {
    List<Subscription> out = new ArrayList<>();
    for (Subscription s : subscriptions) {
      if (s.owner.node == node) {
        out.add(s);
      }
    }
    return out;
  }

  static long version(LockSnapshot s) {
    return s.source(Stamp.class).version();
  }

  private byte[] raw(LeaderElectionRecord r, long version) {
    String text =
        coarseRaw
            ? r.holderIdentity()
                + "|"
                + r.leaseDurationSeconds()
                + "|"
                + seconds(r.acquireTime())
                + "|"
                + seconds(r.renewTime())
                + "|"
                + r.leaderTransitions()
                + "|"
                + r.fencingToken()
            : Long.toString(version);
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static long seconds(Instant t) {
    return t == null ? -1 : t.getEpochSecond();
  }

  static String brief(LeaderElectionRecord r) {
    String holder = r.hasHolder() ? r.holderIdentity() : "(none)";
    return "holder="
        + holder
        + " token="
        + r.fencingToken()
        + " lease="
        + r.leaseDurationSeconds()
        + "s transitions="
        + r.leaderTransitions();
  }

  static String brief(LockSnapshot s) {
    return "v" + version(s) + " " + brief(s.record());
  }

  /** A failed call; no stack trace, the simulation makes many. */
  static final class SimFailure extends LockException {
    private static final long serialVersionUID = 1L;

    SimFailure(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** A lost compare-and-swap; no stack trace. */
  static final class SimConflict extends LockConflictException {
    private static final long serialVersionUID = 1L;

    SimConflict(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
