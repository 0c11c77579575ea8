package io.leasehold.leaderelection.resourcelock;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process store of lock records, shared by any number of candidates in one JVM: the backend
 * for users' tests, for the demo and for simulations. Each candidate talks to it through its own
 * {@link InMemoryLock}, obtained with {@link #lock(String, ResourceLockConfig)}.
 *
 * <p>Every write raises the stored version, and {@link InMemoryLock#update} compares it, so the
 * store behaves like a real optimistic backend. It also pushes changes to {@link Lock#watch
 * watchers}.
 *
 * <p>Fault injection for tests: {@link #failNext}, {@link #setUnavailable}, {@link #setLatency},
 * {@link #corrupt}, or a general {@link #setInterceptor interceptor} that runs before every call
 * and may throw or block. Latency is real time (the calling thread sleeps); to delay calls in
 * virtual time, give the elector an executor that schedules work on its {@code FakeClock} instead.
 *
 * <p>Thread-safe.
 */
public final class InMemoryLockStore {

  /** The lock operations, as seen by {@link Interceptor}s and counters. */
  public enum Operation {
    /** {@link Lock#get}. */
    GET,
    /** {@link Lock#create}. */
    CREATE,
    /** {@link Lock#update}. */
    UPDATE
  }

  /** Runs before every lock call; may throw to fail the call, or block to delay it. */
  @FunctionalInterface
  public interface Interceptor {
    /**
     * Called before the operation touches the store.
     *
     * @throws LockException to make the call fail with it
     */
    void before(Operation operation, String lockName, String identity) throws LockException;
  }

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
  private final Map<Operation, AtomicInteger> failNext = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> requestsByIdentity = new ConcurrentHashMap<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private volatile Interceptor interceptor;
  private volatile boolean unavailable;
  private volatile Duration latency = Duration.ZERO;

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

  /** The stored record of {@code name}, if any (no fault injection, not counted). */
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

  /** Makes the next {@code times} calls of {@code operation} fail with a LockException. */
  public void failNext(Operation operation, int times) {
    failNext.computeIfAbsent(operation, o -> new AtomicInteger()).addAndGet(times);
  }

  /** While true, every call fails as if the store could not be reached. */
  public void setUnavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  /** Makes every call sleep this long (real time) before it touches the store. */
  public void setLatency(Duration latency) {
    this.latency = Objects.requireNonNull(latency, "latency");
  }

  /** Installs an interceptor that runs before every call (null removes it). */
  public void setInterceptor(Interceptor interceptor) {
    this.interceptor = interceptor;
  }

  /** The events recorded through the store's locks, oldest first, as "lockName: identity event". */
  public List<String> events() {
    return List.copyOf(events);
  }

  /** How many calls (get, create, update) the candidate {@code identity} made. */
  public long requestCount(String identity) {
    AtomicLong n = requestsByIdentity.get(identity);
    return n == null ? 0 : n.get();
  }

  // ---- called by InMemoryLock

  void beforeCall(Operation op, String name, String identity) throws LockException {
    requestsByIdentity.computeIfAbsent(identity, i -> new AtomicLong()).incrementAndGet();
    Duration delay = latency;
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LockException("interrupted while simulating latency", e);
      }
    }
    Interceptor i = interceptor;
    if (i != null) {
      i.before(op, name, identity);
    }
    if (unavailable) {
      throw new LockException("in-memory store is unavailable (injected fault)");
    }
    AtomicInteger n = failNext.get(op);
    if (n != null && n.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0) {
      throw new LockException("injected failure of " + op);
    }
  }

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
        return !unavailable;
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
