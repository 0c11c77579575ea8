package io.leasehold.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import io.leasehold.leaderelection.resourcelock.ReconnectingWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of a lock object's watch: each a fabric8 watch on the one object, told not to
 * reconnect by itself, so that every break reaches the {@link ReconnectingWatch} that opens the
 * next one. A stream counts as confirmed once fabric8 has opened it; the API server's first event
 * then brings the object's current state.
 */
final class ObjectWatch implements ReconnectingWatch.Connector {
  private static final Logger log = LoggerFactory.getLogger(ObjectWatch.class);

  private final ObjectLock lock;

  private ObjectWatch(ObjectLock lock) {
    this.lock = lock;
  }

  /** Watches {@code lock}'s object; the first stream opens on the calling thread. */
  static LockWatch start(ObjectLock lock, LockWatcher watcher) {
    return ReconnectingWatch.open(
        lock.type.kind + " " + lock.describe() + " (" + lock.identity() + ")",
        watcher,
        new ObjectWatch(lock));
  }

  @Override
  public AutoCloseable open(ReconnectingWatch.Session session) throws LockException {
    try {
      AutoCloseable stream = lock.startWatch(new Events(session));
      session.opened();
      return stream;
    } catch (KubernetesClientException e) {
      throw translate(e);
    }
  }

  private LockException translate(KubernetesClientException e) {
    return ApiErrors.translate(e, "watch", lock.type, lock.namespace, lock.describe());
  }

  /** Passes one fabric8 watch's events on to its session. */
  private final class Events implements Watcher<GenericKubernetesResource> {
    private final ReconnectingWatch.Session session;

    Events(ReconnectingWatch.Session session) {
      this.session = session;
    }

    @Override
    public void eventReceived(Action action, GenericKubernetesResource object) {
      switch (action) {
        case ADDED, MODIFIED -> session.changed(snapshotOrNull(object));
        case DELETED, ERROR -> session.changed(null);
        default -> {
          // bookmarks carry no change
        }
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      session.broke(cause == null ? null : translate(cause.asClientException()));
    }

    @Override
    public void onClose() {
      session.broke(null);
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
}
