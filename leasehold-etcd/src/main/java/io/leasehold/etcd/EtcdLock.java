package io.leasehold.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A lock stored as one key in etcd v3, written only by compare-and-swap transactions.
 *
 * <p>The record is JSON at {@code <prefix><name>} (client-go's field names plus {@code
 * fencingToken}). {@link #create} is the transaction "if the key's create revision is 0, put";
 * {@link #update} is "if the key's mod revision is the one this lock last read, put". When the
 * compare fails another candidate wrote first, and the call fails with {@link
 * LockConflictException}; racing candidates can never both win. No etcd lease (TTL) is used:
 * expiry is judged by the elector from local observation, as client-go does, so a stalled
 * keep-alive or a broken stream never ends a leadership by itself.
 *
 * <p>Every request is bounded by the timeout the elector passes (the time left before its renew
 * deadline); connection loss, an etcd leader election and timeouts surface as {@link
 * LockException}, which the elector's loop retries. A value that is not a lease record fails with
 * {@link io.leasehold.leaderelection.resourcelock.CorruptRecordException} and is never taken over.
 * {@link #watch} pushes every change of the key to the elector, so followers send no requests
 * while the watch is healthy.
 *
 * <pre>{@code
 * Client client = EtcdClients.builder().endpoints("https://10.0.0.1:2379").build();
 * Lock lock = EtcdLock.builder(client).name("my-controller").identity("host-1").build();
 * }</pre>
 *
 * <p>The lock does not own the client: close the client when all locks on it are done.
 */
public final class EtcdLock implements Lock {
  /** The default key prefix. */
  public static final String DEFAULT_PREFIX = "/leasehold/leases/";

  private final Client client;
  private final ResourceLockConfig config;
  private final String key;
  private final ByteSequence keyBytes;
  private final String description;
  private long cachedModRevision = -1;

  private EtcdLock(Builder b) {
    this.client = b.client;
    this.config = b.config;
    this.key = b.prefix + b.name;
    this.keyBytes = ByteSequence.from(key, StandardCharsets.UTF_8);
    this.description = "etcd:" + key;
  }

  /** Starts a lock on {@code client}, which stays the caller's to close. */
  public static Builder builder(Client client) {
    return new Builder(client);
  }

  /** The etcd key that holds the record. */
  public String key() {
    return key;
  }

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    GetResponse response =
        EtcdCalls.await(client.getKVClient().get(keyBytes), timeout, "read " + description);
    List<KeyValue> kvs = response.getKvs();
    if (kvs.isEmpty()) {
      return Optional.empty();
    }
    KeyValue kv = kvs.get(0);
    LockSnapshot snapshot = snapshot(kv);
    setCachedModRevision(kv.getModRevision());
    return Optional.of(snapshot);
  }

  @Override
  public void create(LeaderElectionRecord record, Duration timeout) throws LockException {
    TxnResponse response =
        EtcdCalls.await(
            client
                .getKVClient()
                .txn()
                .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(keyBytes, value(record), PutOption.DEFAULT))
                .commit(),
            timeout,
            "create " + description);
    if (!response.isSucceeded()) {
      throw new LockConflictException(description + " already exists: another candidate created it");
    }
    setCachedModRevision(response.getHeader().getRevision());
  }

  @Override
  public void update(LeaderElectionRecord record, Duration timeout) throws LockException {
    long expected = cachedModRevision();
    if (expected < 0) {
      throw new LockException(
          "cannot update " + description + " before a get or create by this lock");
    }
    TxnResponse response =
        EtcdCalls.await(
            client
                .getKVClient()
                .txn()
                .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.modRevision(expected)))
                .Then(Op.put(keyBytes, value(record), PutOption.DEFAULT))
                .commit(),
            timeout,
            "update " + description);
    if (!response.isSucceeded()) {
      throw new LockConflictException(
          description + " changed or vanished since it was read (expected mod revision "
              + expected + ")");
    }
    setCachedModRevision(response.getHeader().getRevision());
  }

  @Override
  public void recordEvent(String event) {
    config.recordEvent(this, event);
  }

  @Override
  public String identity() {
    return config.identity();
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * Watches the key: every put or delete reaches {@code watcher} at once. The watch reconnects by
   * itself after a broken stream and reports it as a change, so the elector reads the key again.
   */
  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    return Optional.of(EtcdKeyWatch.start(client, keyBytes, this::decodeForWatch, watcher));
  }

  @Override
  public String toString() {
    return "EtcdLock{" + description + ", identity=" + identity() + "}";
  }

  private LockSnapshot decodeForWatch(KeyValue kv) {
    try {
      return snapshot(kv);
    } catch (LockException e) {
      return null; // the elector reads the key itself and reports the corruption
    }
  }

  private LockSnapshot snapshot(KeyValue kv) throws LockException {
    byte[] raw = kv.getValue().getBytes();
    return new LockSnapshot(EtcdRecordCodec.decode(description, raw), raw);
  }

  private static ByteSequence value(LeaderElectionRecord record) {
    return ByteSequence.from(EtcdRecordCodec.encode(record));
  }

  private synchronized long cachedModRevision() {
    return cachedModRevision;
  }

  private synchronized void setCachedModRevision(long revision) {
    cachedModRevision = revision;
  }

  /** Builds an {@link EtcdLock}. */
  public static final class Builder {
    private final Client client;
    private String name;
    private ResourceLockConfig config;
    private String prefix = DEFAULT_PREFIX;

    private Builder(Client client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** The lock's name; the key is the prefix followed by it. Required. */
    public Builder name(String lockName) {
      this.name = lockName;
      return this;
    }

    /** This candidate's identity (shorthand for {@code config(ResourceLockConfig.of(identity))}). */
    public Builder identity(String identity) {
      this.config = ResourceLockConfig.of(identity);
      return this;
    }

    /** Identity and event recorder. */
    public Builder config(ResourceLockConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The key prefix (default {@value EtcdLock#DEFAULT_PREFIX}). */
    public Builder prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * Builds the lock.
     *
     * @throws IllegalArgumentException when the name or identity is missing or the name is not a
     *     plain key segment
     */
    public EtcdLock build() {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("the lock name must not be empty");
      }
      if (name.contains("/") || name.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(
            "the lock name must not contain '/' or control characters: '" + name + "'");
      }
      if (config == null) {
        throw new IllegalArgumentException("Lock identity is empty");
      }
      return new EtcdLock(this);
    }
  }
}
