package io.leasehold.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch on one key. Healthy from the moment etcd confirms it until it fails; a failed watch is
 * re-established after a second. Each (re-)establishment is reported as an unknown change, so the
 * elector reads the key and misses nothing that happened while it was not watching.
 */
final class EtcdKeyWatch implements LockWatch, Watch.Listener {
  private static final Logger log = LoggerFactory.getLogger(EtcdKeyWatch.class);
  private static final long RETRY_MILLIS = 1000;
  private static final ScheduledExecutorService RETRIES =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "leasehold-etcd-watch-retry");
            t.setDaemon(true);
            return t;
          });

  private final Client client;
  private final ByteSequence key;
  private final Function<KeyValue, LockSnapshot> decode;
  private final LockWatcher watcher;
  private Watch.Watcher current;
  private volatile boolean healthy;
  private boolean closed;

  private EtcdKeyWatch(
      Client client, ByteSequence key, Function<KeyValue, LockSnapshot> decode, LockWatcher watcher) {
    this.client = client;
    this.key = key;
    this.decode = decode;
    this.watcher = watcher;
  }

  static EtcdKeyWatch start(
      Client client, ByteSequence key, Function<KeyValue, LockSnapshot> decode, LockWatcher watcher) {
    EtcdKeyWatch w = new EtcdKeyWatch(client, key, decode, watcher);
    w.subscribe();
    return w;
  }

  private synchronized void subscribe() {
    if (closed) {
      return;
    }
    try {
      current =
          client
              .getWatchClient()
              .watch(key, WatchOption.builder().withCreateNotify(true).build(), this);
    } catch (RuntimeException e) {
      log.debug("watch on {} could not start: {}", key, e.toString());
      retryLater();
    }
  }

  @Override
  public void onNext(WatchResponse response) {
    if (response.isCreatedNotify()) {
      healthy = true;
      watcher.changed(null);
      return;
    }
    for (WatchEvent event : response.getEvents()) {
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        watcher.changed(decode.apply(event.getKeyValue()));
      } else {
        watcher.changed(null);
      }
    }
  }

  @Override
  public void onError(Throwable error) {
    log.debug("watch on {} failed: {}", key, error.toString());
    healthy = false;
    watcher.changed(null);
    synchronized (this) {
      if (current != null) {
        current.close();
        current = null;
      }
    }
    retryLater();
  }

  @Override
  public void onCompleted() {
    healthy = false;
  }

  private void retryLater() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    RETRIES.schedule(this::subscribe, RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean isHealthy() {
    return healthy;
  }

  @Override
  public void close() {
    Watch.Watcher w;
    synchronized (this) {
      closed = true;
      healthy = false;
      w = current;
      current = null;
    }
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.debug("closing the watch on {} failed: {}", key, e.toString());
      }
    }
  }
}
