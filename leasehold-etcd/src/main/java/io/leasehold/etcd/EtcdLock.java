package io.leasehold.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockBuilder;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A lock stored as one key in etcd v3, written only by compare-and-swap transactions.
 *
 * <p>The record is JSON at {@code <prefix><name>} (client-go's field names plus {@code
 * fencingToken}). A snapshot's version is the key's mod revision, which never repeats (etcd
 * revisions are global and only rise), so a snapshot taken before the key was deleted can never
 * match again. {@link #create} is the transaction "if the key's create revision is 0, put"; {@link
 * #update} is "if the key's mod revision is the snapshot's, put". When the compare fails another
 * candidate wrote first, and the call fails with {@link LockConflictException}; racing candidates
 * can never both win. No etcd lease (TTL) is used: expiry is judged by the elector from local
 * observation, as client-go does, so a stalled keep-alive or a broken stream never ends a
 * leadership by itself.
 *
 * <p>Fencing tokens never go back, even when the key is deleted: a second key, {@code
 * <prefix><name>/fence}, holds the highest token the name ever stored (lock names cannot contain
 * '/', so it is no other lock's key). A write that starts a term (a create, or another token than
 * the stored one) raises it in the same transaction and stores a token above it. The transaction
 * expects the mark to equal the token of the snapshot it replaces (or to be absent, for a create),
 * which it does unless the key was deleted; when it does not, the transaction's else branch reads
 * the mark and the write is tried once more against it. A renewal or release (the same token) is
 * one transaction on the record's key alone.
 *
 * <p>The asynchronous calls use jetcd's own futures, so no thread waits while etcd answers; the
 * blocking ones wait for them. Every request is bounded by the timeout the elector passes;
 * connection loss, an etcd leader election and timeouts surface as {@link LockException}, which the
 * elector's loop retries. A value that is not a lease record fails with {@link
 * CorruptRecordException}, which carries the corrupt version (and its token, when readable) and is
 * never taken over. {@link #watch} pushes every change of the key to the elector, so followers send
 * no requests while the watch is healthy.
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

  /** The suffix of the key that holds a lock's highest fencing token. */
  public static final String FENCE_SUFFIX = "/fence";

  /** Runs answers on the thread that completes them: for the blocking calls, which wait. */
  private static final Executor DIRECT = Runnable::run;

  private final Client client;
  private final ResourceLockConfig config;
  private final String key;
  private final ByteSequence keyBytes;
  private final ByteSequence fenceKey;
  private final String description;

  private EtcdLock(Client client, ResourceLockConfig config, String key) {
    this.client = client;
    this.config = config;
    this.key = key;
    this.keyBytes = ByteSequence.from(key, StandardCharsets.UTF_8);
    this.fenceKey = ByteSequence.from(key + FENCE_SUFFIX, StandardCharsets.UTF_8);
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

  /** What an etcd snapshot carries: the key, its mod revision and its token (-1: unreadable). */
  private record Stamp(String key, long modRevision, long fence) {}

  /** What a new-term write expects of the fence key, and the mark that expectation implies. */
  private record Fence(Cmp expected, long mark) {}

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    return EtcdCalls.await(getAsync(timeout, DIRECT), "read " + description);
  }

  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    return EtcdCalls.await(createAsync(record, timeout, DIRECT), "create " + description);
  }

  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    return EtcdCalls.await(updateAsync(current, record, timeout, DIRECT), "update " + description);
  }

  /** Reads the key with jetcd's future; the answer is delivered on {@code executor}. */
  @Override
  public CompletableFuture<Optional<LockSnapshot>> getAsync(Duration timeout, Executor executor) {
    CompletableFuture<Optional<LockSnapshot>> read =
        client
            .getKVClient()
            .get(keyBytes)
            .thenApply(
                response -> {
                  List<KeyValue> kvs = response.getKvs();
                  return kvs.isEmpty() ? Optional.empty() : Optional.of(decode(kvs.get(0)));
                });
    return EtcdCalls.bounded(read, timeout, "read " + description, executor);
  }

  /** Creates the key and raises its fence key, in one transaction (two if the key was deleted). */
  @Override
  public CompletableFuture<LockSnapshot> createAsync(
      LeaderElectionRecord record, Duration timeout, Executor executor) {
    Objects.requireNonNull(record, "record");
    return EtcdCalls.bounded(
        newTerm(null, record, absentFence(), false), timeout, "create " + description, executor);
  }

  /**
   * Writes the key if its mod revision is still {@code current}'s: one transaction for a renewal or
   * release, one (rarely two) that also raises the fence key for a new term.
   */
  @Override
  public CompletableFuture<LockSnapshot> updateAsync(
      LockSnapshot current, LeaderElectionRecord record, Duration timeout, Executor executor) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(record, "record");
    Stamp base;
    try {
      base = current.source(Stamp.class);
      if (!base.key().equals(key)) {
        throw new IllegalArgumentException(
            "snapshot of etcd:" + base.key() + " passed to " + description);
      }
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<LockSnapshot> write;
    if (base.fence() >= 0 && record.fencingToken() == base.fence()) {
      byte[] value = EtcdRecordCodec.encode(record);
      write =
          client
              .getKVClient()
              .txn()
              .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.modRevision(base.modRevision())))
              .Then(Op.put(keyBytes, ByteSequence.from(value), PutOption.DEFAULT))
              .commit()
              .thenApply(
                  response -> {
                    if (!response.isSucceeded()) {
                      throw new CompletionException(changed(base));
                    }
                    return snapshot(record, value, response.getHeader().getRevision());
                  });
    } else {
      Fence expected =
          base.fence() >= 0
              ? new Fence(
                  new Cmp(fenceKey, Cmp.Op.EQUAL, CmpTarget.value(encodeToken(base.fence()))),
                  base.fence())
              : absentFence();
      write = newTerm(base, record, expected, false);
    }
    return EtcdCalls.bounded(write, timeout, "update " + description, executor);
  }

  /**
   * The transaction of a new term: if the key is as {@code base} says (absent for a create) and the
   * fence key as {@code fence} expects, put the record with a token above the mark and the mark
   * itself. When only the fence key differs, tries once more against what it holds.
   */
  private CompletableFuture<LockSnapshot> newTerm(
      Stamp base, LeaderElectionRecord record, Fence fence, boolean retried) {
    long floor = Math.max(fence.mark(), base == null ? -1 : base.fence()) + 1;
    long token = Math.max(record.fencingToken(), floor);
    LeaderElectionRecord stored =
        token == record.fencingToken() ? record : record.toBuilder().fencingToken(token).build();
    byte[] value = EtcdRecordCodec.encode(stored);
    Cmp keyAsSeen =
        base == null
            ? new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
            : new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.modRevision(base.modRevision()));
    return client
        .getKVClient()
        .txn()
        .If(keyAsSeen, fence.expected())
        .Then(
            Op.put(keyBytes, ByteSequence.from(value), PutOption.DEFAULT),
            Op.put(fenceKey, encodeToken(token), PutOption.DEFAULT))
        .Else(Op.get(keyBytes, GetOption.DEFAULT), Op.get(fenceKey, GetOption.DEFAULT))
        .commit()
        .thenCompose(
            response -> {
              if (response.isSucceeded()) {
                return CompletableFuture.completedFuture(
                    snapshot(stored, value, response.getHeader().getRevision()));
              }
              List<GetResponse> found = response.getGetResponses();
              KeyValue current = first(found.get(0));
              boolean keyUnchanged =
                  base == null
                      ? current == null
                      : current != null && current.getModRevision() == base.modRevision();
              if (!keyUnchanged || retried) {
                throw new CompletionException(
                    base == null
                        ? new LockConflictException(
                            description + " already exists: another candidate created it")
                        : changed(base));
              }
              return newTerm(base, record, observedFence(first(found.get(1))), true);
            });
  }

  private Fence absentFence() {
    return new Fence(new Cmp(fenceKey, Cmp.Op.EQUAL, CmpTarget.version(0)), 0);
  }

  /** What the fence key was seen to hold (null: absent), as the next transaction's expectation. */
  private Fence observedFence(KeyValue kv) {
    if (kv == null) {
      return absentFence();
    }
    String text = kv.getValue().toString(StandardCharsets.UTF_8);
    long mark;
    try {
      mark = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      mark = -1;
    }
    if (mark < 0) {
      throw new CompletionException(
          new LockException(
              description
                  + FENCE_SUFFIX
                  + " holds '"
                  + text
                  + "', not a fencing token: set it to the highest token this lock ever had"));
    }
    return new Fence(
        new Cmp(fenceKey, Cmp.Op.EQUAL, CmpTarget.modRevision(kv.getModRevision())), mark);
  }

  private static KeyValue first(GetResponse response) {
    return response.getKvs().isEmpty() ? null : response.getKvs().get(0);
  }

  private LockConflictException changed(Stamp base) {
    return new LockConflictException(
        description
            + " changed or vanished since it was read (expected mod revision "
            + base.modRevision()
            + ")");
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
   * Watches the key: every put or delete reaches {@code watcher} at once. The watch opens a new
   * stream after a broken one, as every backend's watch does ({@link
   * io.leasehold.leaderelection.resourcelock.ReconnectingWatch}), and reports it as a change, so
   * the elector reads the key again.
   */
  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    return Optional.of(
        EtcdKeyWatch.start(
            client,
            keyBytes,
            this::decodeForWatch,
            Objects.requireNonNull(watcher, "watcher"),
            description + " (" + identity() + ")"));
  }

  @Override
  public String toString() {
    return "EtcdLock{" + description + ", identity=" + identity() + "}";
  }

  private LockSnapshot decodeForWatch(KeyValue kv) {
    try {
      return decode(kv);
    } catch (CompletionException e) {
      return null; // the elector reads the key itself and reports the corruption
    }
  }

  /**
   * The snapshot of a stored key; a value that is not a record fails (wrapped, inside a future)
   * with a {@link CorruptRecordException} that carries the corrupt version.
   */
  private LockSnapshot decode(KeyValue kv) {
    byte[] raw = kv.getValue().getBytes();
    try {
      return snapshot(EtcdRecordCodec.decode(description, raw), raw, kv.getModRevision());
    } catch (CorruptRecordException e) {
      long token = EtcdRecordCodec.readableToken(raw);
      LockSnapshot stored =
          new LockSnapshot(
              LeaderElectionRecord.builder().fencingToken(Math.max(token, 0)).build(),
              raw,
              Long.toString(kv.getModRevision()),
              new Stamp(key, kv.getModRevision(), token));
      throw new CompletionException(
          new CorruptRecordException(e.getMessage(), e.getCause(), stored));
    }
  }

  private LockSnapshot snapshot(LeaderElectionRecord record, byte[] raw, long modRevision) {
    return new LockSnapshot(
        record,
        raw,
        Long.toString(modRevision),
        new Stamp(key, modRevision, record.fencingToken()));
  }

  private static ByteSequence encodeToken(long token) {
    return ByteSequence.from(Long.toString(token), StandardCharsets.UTF_8);
  }

  /** Builds an {@link EtcdLock}. */
  public static final class Builder extends LockBuilder<Builder> {
    private final Client client;
    private String prefix = DEFAULT_PREFIX;

    private Builder(Client client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * The key prefix (default {@value EtcdLock#DEFAULT_PREFIX}); the key is the prefix and name.
     */
    public Builder prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * Builds the lock.
     *
     * @throws IllegalArgumentException when the name or identity is missing or invalid, or the name
     *     contains '/' (it is one key segment)
     */
    public EtcdLock build() {
      String name = checkedName();
      if (name.contains("/")) {
        throw new IllegalArgumentException(
            "name must not contain '/' (it is one etcd key segment); got " + quoted(name));
      }
      return new EtcdLock(client, checkedConfig(), prefix + name);
    }
  }
}
