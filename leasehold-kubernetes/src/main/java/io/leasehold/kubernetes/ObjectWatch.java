package io.leasehold.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch on one lock object that survives errors. Each fabric8 watch it opens is told not to
 * reconnect by itself, so that every break is seen here: the watch turns unhealthy, tells the
 * watcher (null: "read the lock yourself"), and opens a new fabric8 watch after a backoff (250 ms
 * doubling up to 10 s). Once re-established it tells the watcher again, since changes may have been
 * missed meanwhile, and the API server's first event brings the current state.
 */
final class ObjectWatch implements LockWatch {
  private static final Logger log = LoggerFactory.getLogger(ObjectWatch.class);
  private static final long FIRST_DELAY_MS = 250;
  private static final long MAX_DELAY_MS = 10_000;
  private static final ScheduledThreadPoolExecutor RECONNECTS = reconnectThread();

  private final ObjectLock lock;
  private final LockWatcher watcher;

  // guarded by this
  private boolean closed;
  private Watch current;
  private Session currentSession;
  private int failures;
  private boolean everConnected;
  private ScheduledFuture<?> pending;

  private volatile boolean healthy;

  private ObjectWatch(ObjectLock lock, LockWatcher watcher) {
    this.lock = lock;
    this.watcher = watcher;
  }

  /** Opens the watch; the first attempt runs on the calling thread. */
  static ObjectWatch start(ObjectLock lock, LockWatcher watcher) {
    ObjectWatch w = new ObjectWatch(lock, watcher);
    w.connect();
    return w;
  }

  @Override
  public boolean isHealthy() {
    return healthy;
  }

  @Override
  public void close() {
    Watch w;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      healthy = false;
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
      w = current;
      current = null;
      currentSession = null;
    }
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.debug("closing the watch of {} failed: {}", lock.describe(), e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "ObjectWatch{" + lock.describe() + ", healthy=" + healthy + "}";
  }

  // ---------------------------------------------------------------- plumbing

  private void connect() {
    synchronized (this) {
      pending = null;
      if (closed) {
        return;
      }
    }
    Session session = new Session();
    Watch w;
    try {
      w = lock.startWatch(session);
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    boolean reconnected;
    boolean discard = false;
    synchronized (this) {
      if (closed || session.ended) {
        discard = true;
        reconnected = false;
      } else {
        current = w;
        currentSession = session;
        healthy = true;
        failures = 0;
        reconnected = everConnected;
        everConnected = true;
      }
    }
    if (discard) {
      closeQuietly(w);
      return;
    }
    log.debug("{}: watching {} {}", lock.identity(), lock.type.kind, lock.describe());
    if (reconnected) {
      deliver(null);
    }
  }

  /** The fabric8 watch could not be opened. */
  private void failed(RuntimeException e) {
    int n;
    synchronized (this) {
      if (closed) {
        return;
      }
      n = failures;
      scheduleLocked();
    }
    report(n, e instanceof KubernetesClientException ? (KubernetesClientException) e : null, e);
  }

  /** A fabric8 watch ended: it broke after working, or it was refused while being opened. */
  private void lost(Session session, WatcherException cause) {
    int n;
    boolean wasCurrent;
    synchronized (this) {
      if (closed || (currentSession != null && currentSession != session)) {
        return;
      }
      wasCurrent = currentSession == session;
      n = failures;
      healthy = false;
      current = null;
      currentSession = null;
      scheduleLocked();
    }
    if (wasCurrent) {
      log.debug(
          "{}: the watch of {} ended{}; re-establishing",
          lock.identity(),
          lock.describe(),
          cause == null ? "" : ": " + cause.getMessage());
    } else {
      report(n, cause == null ? null : cause.asClientException(), cause);
    }
    deliver(null);
  }

  /** Logs a failure to open the watch: at WARN the first time in a row, then at DEBUG. */
  private void report(int failuresBefore, KubernetesClientException api, Throwable cause) {
    String message;
    if (api != null) {
      message =
          ApiErrors.translate(api, "watch", lock.type, lock.namespace, lock.describe())
              .getMessage();
    } else {
      message =
          cause == null
              ? "the watch ended as soon as it started"
              : String.valueOf(cause.getMessage());
    }
    if (failuresBefore == 0) {
      log.warn(
          "{}: cannot watch {}, polling until it can: {}",
          lock.identity(),
          lock.describe(),
          message);
    } else {
      log.debug("{}: cannot watch {} yet: {}", lock.identity(), lock.describe(), message);
    }
  }

  private void scheduleLocked() {
    long delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << Math.min(failures, 6));
    failures++;
    if (pending == null) {
      pending = RECONNECTS.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }
  }

  private void deliver(LockSnapshot snapshot) {
    try {
      watcher.changed(snapshot);
    } catch (RuntimeException e) {
      log.warn("{}: the watcher of {} threw", lock.identity(), lock.describe(), e);
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private void closeQuietly(Watch w) {
    try {
      w.close();
    } catch (RuntimeException e) {
      log.debug("closing a watch of {} failed: {}", lock.describe(), e.toString());
    }
  }

  /** Receives the events of one fabric8 watch. */
  private final class Session implements Watcher<GenericKubernetesResource> {
    volatile boolean ended;

    @Override
    public void eventReceived(Action action, GenericKubernetesResource object) {
      if (ended || isClosed()) {
        return;
      }
      switch (action) {
        case ADDED:
        case MODIFIED:
          deliver(snapshotOrNull(object));
          break;
        case DELETED:
        case ERROR:
          deliver(null);
          break;
        default:
          // bookmarks carry no change
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      ended = true;
      lost(this, cause);
    }

    @Override
    public void onClose() {
      ended = true;
      lost(this, null);
    }
  }

  private LockSnapshot snapshotOrNull(GenericKubernetesResource object) {
    if (object == null) {
      return null;
    }
    try {
      return lock.decode(object);
    } catch (LockException e) {
      log.debug(
          "{}: watched {} is not readable: {}", lock.identity(), lock.describe(), e.getMessage());
      return null;
    }
  }

  private static ScheduledThreadPoolExecutor reconnectThread() {
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "leasehold-kubernetes-watch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true);
    return e;
  }
}
