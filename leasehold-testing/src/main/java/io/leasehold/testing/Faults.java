package io.leasehold.testing;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection for any lock: {@link #wrap} a lock, and every call through the wrapper first
 * passes the faults set here ({@link #failNext}, {@link #setUnavailable}, {@link #setLatency}, or a
 * general {@link #setInterceptor interceptor} that may throw or block). One {@code Faults} may wrap
 * the locks of many candidates; it counts each candidate's calls.
 *
 * <p>Latency is real time (the calling thread sleeps); to delay calls in virtual time, give the
 * elector an executor that schedules work on its {@link FakeClock} instead. Thread-safe.
 */
public final class Faults {

  /** The lock operations, as seen by {@link Interceptor}s and counters. */
  public enum Operation {
    /** {@link Lock#get}. */
    GET,
    /** {@link Lock#create}. */
    CREATE,
    /** {@link Lock#update}. */
    UPDATE
  }

  /** Runs before every call through a wrapped lock; may throw to fail the call, or block. */
  @FunctionalInterface
  public interface Interceptor {
    /**
     * Called before the call reaches the wrapped lock.
     *
     * @param lock the wrapped lock's {@link Lock#describe() description}
     * @throws LockException to make the call fail with it
     */
    void before(Operation operation, String lock, String identity) throws LockException;
  }

  private final Map<Operation, AtomicInteger> failNext = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> requestsByIdentity = new ConcurrentHashMap<>();
  private volatile Interceptor interceptor;
  private volatile boolean unavailable;
  private volatile Duration latency = Duration.ZERO;

  /** Creates a set of faults with none active. */
  public Faults() {}

  /** A lock that passes these faults before each call, then calls {@code lock}. */
  public Lock wrap(Lock lock) {
    return new FaultyLock(lock);
  }

  /** Makes the next {@code times} calls of {@code operation} fail with a LockException. */
  public void failNext(Operation operation, int times) {
    failNext.computeIfAbsent(operation, o -> new AtomicInteger()).addAndGet(times);
  }

  /**
   * While true, every call fails as if the store could not be reached, and watches are unhealthy.
   */
  public void setUnavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  /** Makes every call sleep this long (real time) before it reaches the lock. */
  public void setLatency(Duration latency) {
    this.latency = Objects.requireNonNull(latency, "latency");
  }

  /** Installs an interceptor that runs before every call (null removes it). */
  public void setInterceptor(Interceptor interceptor) {
    this.interceptor = interceptor;
  }

  /** How many calls (get, create, update) the candidate {@code identity} made through wrappers. */
  public long requestCount(String identity) {
    AtomicLong n = requestsByIdentity.get(identity);
    return n == null ? 0 : n.get();
  }

  private void before(Operation op, Lock lock) throws LockException {
    requestsByIdentity.computeIfAbsent(lock.identity(), i -> new AtomicLong()).incrementAndGet();
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
      i.before(op, lock.describe(), lock.identity());
    }
    if (unavailable) {
      throw new LockException(lock.describe() + " is unavailable (injected fault)");
    }
    AtomicInteger n = failNext.get(op);
    if (n != null && n.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0) {
      throw new LockException("injected failure of " + op);
    }
  }

  /** The wrapper: the synchronous calls pass the faults; the asynchronous ones are Lock's own. */
  private final class FaultyLock extends ForwardingLock {
    FaultyLock(Lock lock) {
      super(lock);
    }

    @Override
    public Optional<LockSnapshot> get(Duration timeout) throws LockException {
      before(Operation.GET, lock);
      return lock.get(timeout);
    }

    @Override
    public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
      before(Operation.CREATE, lock);
      return lock.create(record, timeout);
    }

    @Override
    public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
        throws LockException {
      before(Operation.UPDATE, lock);
      return lock.update(current, record, timeout);
    }

    @Override
    public Optional<LockWatch> watch(LockWatcher watcher) {
      return lock.watch(watcher)
          .map(
              w ->
                  new LockWatch() {
                    @Override
                    public boolean isHealthy() {
                      return !unavailable && w.isHealthy();
                    }

                    @Override
                    public void close() {
                      w.close();
                    }
                  });
    }
  }
}
