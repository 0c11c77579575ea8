package io.leasehold.leaderelection.resourcelock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process store of lock records, shared by any number of candidates in one JVM: the backend
 * for users' tests, for the demo and for simulations. Each candidate talks to it through its own
 * {@link InMemoryLock}, obtained with {@link #lock(String, ResourceLockConfig)}.
 *
 * <p>Every write raises the stored version, and {@link InMemoryLock#update} compares it, so the
 * store behaves like a real optimistic backend. It also pushes changes to {@link Lock#watch
 * watchers}.
 *
 * <p>Tests may set the state directly: {@link #put} writes as another candidate would, {@link
 * #delete} removes the object and {@link #corrupt} makes it undecodable. Faults in the calls
 * themselves (failures, latency, an unreachable store) come from leasehold-testing's {@code
 * Faults}, which wraps any lock.
 *
 * <p>Thread-safe.
 */
public final class InMemoryLockStore {

  /** One stored version; the version comes from the store-wide counter, so it never repeats. */
  private record Entry(LeaderElectionRecord record, long version, boolean corrupt) {
    byte[] raw() {
      return Long.toString(version).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** What an in-memory snapshot carries: which store and lock it came from, and its version. */
  record Stamp(InMemoryLockStore store, String name, long version) {}

  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<String, Long> highestTokens = new HashMap<>();
  private long lastVersion;
  private final Map<String, List<LockWatcher>> watchers = new ConcurrentHashMap<>();
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Creates an empty store. */
  public InMemoryLockStore() {}

  /** A lock on {@code name} for the candidate {@code identity}. */
  public InMemoryLock lock(String name, String identity) {
    return lock(name, ResourceLockConfig.of(identity));
  }

  /** A lock on {@code name} for the candidate described by {@code config}. */
  public InMemoryLock lock(String name, ResourceLockConfig config) {
    return new InMemoryLock(this, name, config);
  }

  /** The stored record of {@code name}, if any. */
  public synchronized Optional<LeaderElectionRecord> record(String name) {
    Entry e = entries.get(name);
    return e == null ? Optional.empty() : Optional.of(e.record);
  }

  /**
   * The stored version of {@code name}, or 0 when it does not exist. Every write takes the next
   * value of one store-wide counter, so versions never repeat, across deletions too.
   */
  public synchronized long version(String name) {
    Entry e = entries.get(name);
    return e == null ? 0 : e.version;
  }

  /** The highest fencing token {@code name} ever stored, kept when the record is deleted. */
  public synchronized long highestToken(String name) {
    return highestTokens.getOrDefault(name, 0L);
  }

  /**
   * Writes {@code record} unconditionally, as another writer would (a Go candidate, an operator),
   * raising the version and notifying watchers.
   */
  public void put(String name, LeaderElectionRecord record) {
    Objects.requireNonNull(record, "record");
    Entry written;
    synchronized (this) {
      written = store(name, record, false);
    }
    notifyWatchers(name, written);
  }

  /**
   * Deletes the object {@code name}; later gets find nothing. The versions and the highest fencing
   * token it had are not forgotten: a re-created object gets new versions and higher tokens.
   */
  public void delete(String name) {
    synchronized (this) {
      entries.remove(name);
    }
    notifyWatchers(name, null);
  }

  /** Marks the stored object {@code name} as undecodable: gets fail with CorruptRecordException. */
  public void corrupt(String name) {
    Entry written;
    synchronized (this) {
      Entry e = entries.get(name);
      written = store(name, e == null ? LeaderElectionRecord.EMPTY : e.record, true);
    }
    notifyWatchers(name, null);
  }

  /** The events recorded through the store's locks, oldest first, as "lockName: identity event". */
  public List<String> events() {
    return List.copyOf(events);
  }

  // ---- called by InMemoryLock

  /** Returns the snapshot of {@code name}, or null when absent. */
  synchronized LockSnapshot read(String name) throws CorruptRecordException {
    Entry e = entries.get(name);
    if (e == null) {
      return null;
    }
    if (e.corrupt) {
      LeaderElectionRecord tokenOnly =
          LeaderElectionRecord.builder().fencingToken(e.record.fencingToken()).build();
      throw new CorruptRecordException(
          "in-memory lock '" + name + "' holds a corrupted record (injected fault)",
          null,
          snapshot(name, new Entry(tokenOnly, e.version, true)));
    }
    return snapshot(name, e);
  }

  LockSnapshot create(String name, LeaderElectionRecord record) throws LockConflictException {
    Entry written;
    synchronized (this) {
      if (entries.containsKey(name)) {
        throw new LockConflictException("in-memory lock '" + name + "' already exists");
      }
      written = store(name, newTerm(name, record), false);
    }
    notifyWatchers(name, written);
    return snapshot(name, written);
  }

  LockSnapshot update(String name, LockSnapshot current, LeaderElectionRecord record)
      throws LockException {
    Stamp stamp = current.source(Stamp.class);
    if (stamp.store() != this || !stamp.name().equals(name)) {
      throw new IllegalArgumentException(
          "snapshot of " + stamp.name() + " passed to in-memory lock '" + name + "'");
    }
    Entry written;
    synchronized (this) {
      Entry e = entries.get(name);
      if (e == null || e.version != stamp.version()) {
        throw new LockConflictException(
            "in-memory lock '"
                + name
                + "' changed: expected version "
                + stamp.version()
                + " but found "
                + (e == null ? "none (deleted)" : Long.toString(e.version)));
      }
      boolean sameTerm = record.fencingToken() == e.record.fencingToken();
      written = store(name, sameTerm ? record : newTerm(name, record), false);
    }
    notifyWatchers(name, written);
    return snapshot(name, written);
  }

  /** The record of a new term, its token raised above every token the name ever stored. */
  private LeaderElectionRecord newTerm(String name, LeaderElectionRecord record) {
    long floor = highestTokens.getOrDefault(name, 0L) + 1;
    return record.fencingToken() >= floor ? record : record.toBuilder().fencingToken(floor).build();
  }

  /** Stores a new version of {@code name}; under this store's monitor. */
  private Entry store(String name, LeaderElectionRecord record, boolean corrupt) {
    Entry written = new Entry(record, ++lastVersion, corrupt);
    entries.put(name, written);
    highestTokens.merge(name, record.fencingToken(), Math::max);
    return written;
  }

  private LockSnapshot snapshot(String name, Entry e) {
    return new LockSnapshot(
        e.record, e.raw(), Long.toString(e.version), new Stamp(this, name, e.version));
  }

  void recordEvent(String name, String message) {
    events.add(name + ": " + message);
  }

  LockWatch watch(String name, LockWatcher watcher) {
    List<LockWatcher> list = watchers.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
    list.add(watcher);
    return new LockWatch() {
      @Override
      public boolean isHealthy() {
        return true;
      }

      @Override
      public void close() {
        list.remove(watcher);
      }
    };
  }

  private void notifyWatchers(String name, Entry written) {
    List<LockWatcher> list = watchers.get(name);
    if (list == null || list.isEmpty()) {
      return;
    }
    LockSnapshot snapshot = written == null || written.corrupt ? null : snapshot(name, written);
    for (LockWatcher w : new ArrayList<>(list)) {
      try {
        w.changed(snapshot);
      } catch (RuntimeException ignored) {
        // a watcher's failure must not fail the write
      }
    }
  }
}
