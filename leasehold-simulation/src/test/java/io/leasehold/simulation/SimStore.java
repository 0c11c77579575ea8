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
 * The shared store of the simulated world: one versioned record with compare-and-swap, and change
 * notifications. It is only ever touched from world events, at the instant a request reaches it.
 *
 * <p>Raw bytes, which candidates compare to notice a change, come in two flavours: "fine" (the
 * version, so every write is visible, like the in-memory and etcd locks) and "coarse" (the record's
 * fields with times cut to whole seconds, like client-go's ConfigMap and Endpoints annotations):
 * two successive writes within one second may then look identical, and the lock reports a change
 * detection granularity of one second.
 */
final class SimStore {
  /** A stored version of the record. */
  record Entry(LeaderElectionRecord record, long version, LockSnapshot snapshot) {}

  /** One incarnation's watch on the record. */
  final class Subscription implements LockWatch {
    final Incarnation owner;
    final LockWatcher watcher;
    boolean closed;

    /** A change could not be delivered (partition): on reconnection the watcher hears "read it". */
    boolean missed;

    /** When the last delivery to this subscriber is due; deliveries keep their order. */
    long lastDelivery;

    Subscription(Incarnation owner, LockWatcher watcher) {
      this.owner = owner;
      this.watcher = watcher;
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

  private final World world;
  private final boolean coarseRaw;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private Entry current;
  private long lastVersion;
  private long highestStoredToken;
  private long writes;

  SimStore(World world, boolean coarseRaw) {
    this.world = world;
    this.coarseRaw = coarseRaw;
  }

  boolean coarseRaw() {
    return coarseRaw;
  }

  Entry read() {
    return current;
  }

  long writes() {
    return writes;
  }

  long create(LeaderElectionRecord record, String writer) throws LockConflictException {
    if (current != null) {
      throw new SimConflict("the record already exists");
    }
    return write(record, writer);
  }

  long update(LeaderElectionRecord record, long expected, String writer) throws LockException {
    if (current == null) {
      throw new SimFailure("the record does not exist");
    }
    if (current.version() != expected) {
      throw new SimConflict(
          "the record changed: expected version " + expected + ", found " + current.version());
    }
    return write(record, writer);
  }

  private long write(LeaderElectionRecord record, String writer) {
    long version = ++lastVersion;
    writes++;
    current = new Entry(record, version, new LockSnapshot(record, raw(record, version)));
    if (record.fencingToken() < highestStoredToken) {
      world.checker.storeTokenWentBack(highestStoredToken, record, writer);
    }
    highestStoredToken = Math.max(highestStoredToken, record.fencingToken());
    if (world.tracing()) {
      world.trace(null, "store: v" + version + " written by " + writer + ": " + brief(record));
    }
    for (Subscription s : new ArrayList<>(subscriptions)) {
      world.deliverWatch(s, current.snapshot());
    }
    return version;
  }

  Subscription subscribe(Incarnation owner, LockWatcher watcher) {
    Subscription s = new Subscription(owner, watcher);
    subscriptions.add(s);
    return s;
  }

  /** The subscriptions of {@code node}'s live incarnation. */
  List<Subscription> subscriptionsOf(Node node) {
    List<Subscription> out = new ArrayList<>();
    for (Subscription s : subscriptions) {
      if (s.owner.node == node) {
        out.add(s);
      }
    }
    return out;
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
