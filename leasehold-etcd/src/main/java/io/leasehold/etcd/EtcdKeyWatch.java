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
import io.leasehold.leaderelection.resourcelock.ReconnectingWatch;
import java.util.function.Function;

/**
 * The streams of a key's watch: each a jetcd watch of the one key, confirmed when etcd reports it
 * created. When one fails, it is closed (so that jetcd does not resume it on its own) and the
 * {@link ReconnectingWatch} opens the next one.
 */
final class EtcdKeyWatch implements ReconnectingWatch.Connector {
  private static final WatchOption CREATE_NOTIFY =
      WatchOption.builder().withCreateNotify(true).build();

  private final Client client;
  private final ByteSequence key;
  private final Function<KeyValue, LockSnapshot> decode;

  private EtcdKeyWatch(Client client, ByteSequence key, Function<KeyValue, LockSnapshot> decode) {
    this.client = client;
    this.key = key;
    this.decode = decode;
  }

  /**
   * Watches {@code key}; {@code decode} turns a put into a snapshot (null when it cannot).
   *
   * @param description what is watched, for log messages
   */
  static LockWatch start(
      Client client,
      ByteSequence key,
      Function<KeyValue, LockSnapshot> decode,
      LockWatcher watcher,
      String description) {
    return ReconnectingWatch.open(description, watcher, new EtcdKeyWatch(client, key, decode));
  }

  @Override
  public AutoCloseable open(ReconnectingWatch.Session session) {
    return client
        .getWatchClient()
        .watch(
            key,
            CREATE_NOTIFY,
            Watch.listener(
                response -> received(session, response),
                session::broke,
                () -> session.broke(null)));
  }

  private void received(ReconnectingWatch.Session session, WatchResponse response) {
    if (response.isCreatedNotify()) {
      session.opened();
      return;
    }
    for (WatchEvent event : response.getEvents()) {
      session.changed(
          event.getEventType() == WatchEvent.EventType.PUT
              ? decode.apply(event.getKeyValue())
              : null);
    }
  }
}
