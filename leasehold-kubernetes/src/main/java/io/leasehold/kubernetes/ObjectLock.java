package io.leasehold.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import io.leasehold.leaderelection.resourcelock.LockWatcher;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Lease, ConfigMap and Endpoints locks share: one namespaced object read and written
 * through fabric8's generic resource API, the fencing-token annotation, error translation, events
 * and the watch. Subclasses map the record to and from the object.
 *
 * <p>The lock keeps no copy of the object. Every snapshot it returns carries the object as the API
 * server returned it ({@link LockSnapshot#source}, a {@link GenericKubernetesResource}) and its
 * {@code resourceVersion} ({@link LockSnapshot#version}); {@link #update} sends back a copy of the
 * snapshot's object with the new record, so the API server refuses it with HTTP 409 when anybody
 * wrote since, and every field the lock does not own is kept.
 *
 * <p>Every call runs on a view of the client whose request timeout is the call's timeout and which
 * does not retry on its own: the elector retries on its schedule.
 */
abstract class ObjectLock implements Lock {
  private final Logger log = LoggerFactory.getLogger(getClass());
  private static final Duration GRANULARITY = Duration.ofSeconds(1);

  final KubernetesClient client;
  final ResourceType type;
  final String namespace;
  final String name;
  final ResourceLockConfig config;
  final Map<String, String> labels;
  private final String description;

  ObjectLock(ResourceType type, LockSettings settings) {
    this.type = type;
    this.client = settings.client();
    this.namespace = settings.namespace();
    this.name = settings.name();
    this.config = settings.config();
    this.labels = settings.labels();
    this.description = namespace + "/" + name;
  }

  // ---------------------------------------------------------------- the mapping, per resource

  /**
   * Reads the record from the object, without the fencing token.
   *
   * @throws IllegalArgumentException saying what is malformed
   */
  abstract LeaderElectionRecord readRecord(GenericKubernetesResource object);

  /** The bytes the elector compares to detect a change, for the object and its decoded record. */
  abstract byte[] raw(GenericKubernetesResource object, LeaderElectionRecord record);

  /**
   * Writes the record into {@code target}, a fresh copy of the object whose annotations are {@code
   * annotations} (mutable; stored into the object by the caller).
   */
  abstract void writeRecord(
      LeaderElectionRecord record,
      GenericKubernetesResource target,
      Map<String, String> annotations);

  // ---------------------------------------------------------------- Lock

  @Override
  public Optional<LockSnapshot> get(Duration timeout) throws LockException {
    GenericKubernetesResource object;
    try {
      object = resource(timeout).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == ApiErrors.NOT_FOUND) {
        return Optional.empty();
      }
      throw ApiErrors.translate(e, "get", type, namespace, description);
    }
    if (object == null) {
      return Optional.empty();
    }
    return Optional.of(decode(object));
  }

  @Override
  public LockSnapshot create(LeaderElectionRecord record, Duration timeout) throws LockException {
    Objects.requireNonNull(record, "record");
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(type.apiVersion());
    object.setKind(type.kind);
    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    meta.setNamespace(namespace);
    if (!labels.isEmpty()) {
      meta.setLabels(new LinkedHashMap<>(labels));
    }
    object.setMetadata(meta);
    Map<String, String> annotations = new LinkedHashMap<>();
    encode(record, object, annotations);
    if (!annotations.isEmpty()) {
      meta.setAnnotations(annotations);
    }
    GenericKubernetesResource created;
    try {
      created = collection(timeout).resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == ApiErrors.NOT_FOUND) {
        throw new LockException(
            "cannot create "
                + type.kind
                + " "
                + description
                + ": namespace \""
                + namespace
                + "\" not found (HTTP 404)",
            e);
      }
      throw ApiErrors.translate(e, "create", type, namespace, description);
    }
    return decode(created);
  }

  /**
   * Sends back a copy of {@code current}'s object, with its {@code resourceVersion}, holding {@code
   * record}: the API server refuses it with HTTP 409 when the object changed since, and with 404
   * when it was deleted; both are a {@link LockConflictException}.
   */
  @Override
  public LockSnapshot update(LockSnapshot current, LeaderElectionRecord record, Duration timeout)
      throws LockException {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(record, "record");
    GenericKubernetesResource base = baseOf(current);
    GenericKubernetesResource object = copyOf(base);
    Map<String, String> annotations = new LinkedHashMap<>(annotations(base));
    encode(record, object, annotations);
    if (annotations.equals(annotations(base))
        && object.getAdditionalProperties().equals(base.getAdditionalProperties())) {
      // The API server treats an update that changes nothing as a no-op and keeps the
      // resourceVersion, so a candidate that read before this write could still update after it.
      // Changing this counter makes every write a new version.
      annotations.put(KubernetesLocks.REWRITE_ANNOTATION, Long.toString(rewrites(annotations) + 1));
    }
    object.getMetadata().setAnnotations(annotations);
    GenericKubernetesResource updated;
    try {
      updated = collection(timeout).resource(object).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == ApiErrors.NOT_FOUND) {
        throw new LockConflictException(
            type.kind + " " + description + " was deleted since it was read (HTTP 404)", e);
      }
      throw ApiErrors.translate(e, "update", type, namespace, description);
    }
    return decode(updated);
  }

  @Override
  public void recordEvent(String event) {
    log.debug("{} {} ({} {})", config.identity(), event, type.kind, description);
    config.recordEvent(reference(), event);
  }

  @Override
  public String identity() {
    return config.identity();
  }

  /** {@code namespace/name}, as client-go describes its locks. */
  @Override
  public String describe() {
    return description;
  }

  /**
   * One second: the compared bytes hold times in whole seconds, as client-go's, so two writes
   * within one second may look identical to a reader.
   */
  @Override
  public Duration changeDetectionGranularity() {
    return GRANULARITY;
  }

  /**
   * Watches this one object (a watch with a field selector on its name) and pushes every version
   * the API server reports. The watch re-establishes itself after errors, with backoff; while it is
   * down, {@link LockWatch#isHealthy()} is false and the elector polls.
   */
  @Override
  public Optional<LockWatch> watch(LockWatcher watcher) {
    return Optional.of(ObjectWatch.start(this, Objects.requireNonNull(watcher, "watcher")));
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + description + ", identity=" + config.identity() + "}";
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Decodes an object the API server returned into a snapshot whose version is the object's {@code
   * resourceVersion} and whose source is the object.
   *
   * @throws CorruptRecordException when the object holds no valid record; it carries {@link
   *     CorruptRecordException#stored() the corrupt version} with the fencing token when the token
   *     annotation is readable (0 when it is not)
   * @throws LockException when the object has no resourceVersion: it could not be updated safely
   */
  LockSnapshot decode(GenericKubernetesResource object) throws LockException {
    String version =
        object.getMetadata() == null ? null : object.getMetadata().getResourceVersion();
    if (version == null || version.isEmpty()) {
      throw new LockException(
          type.kind
              + " "
              + description
              + " came back from the API server without a resourceVersion; cannot update it"
              + " safely");
    }
    long token = 0;
    boolean tokenReadable = true;
    String problems = null;
    RuntimeException cause = null;
    try {
      token = fencingToken(annotations(object));
    } catch (IllegalArgumentException e) {
      tokenReadable = false;
      problems = e.getMessage();
      cause = e;
    }
    LeaderElectionRecord record = null;
    try {
      record = readRecord(object);
    } catch (IllegalArgumentException | ClassCastException e) {
      problems = problems == null ? e.getMessage() : problems + "; " + e.getMessage();
      cause = cause == null ? e : cause;
    }
    if (problems != null) {
      String repair =
          tokenReadable
              ? "repair it with `leasehold repair`, which keeps its fencing token " + token
              : "its fencing token is unreadable too: repair it with `leasehold repair`, giving"
                  + " a fencing token above every token this lock has issued";
      LeaderElectionRecord tokenOnly = LeaderElectionRecord.builder().fencingToken(token).build();
      throw new CorruptRecordException(
          type.kind
              + " "
              + description
              + " (resourceVersion "
              + version
              + ") does not hold a valid leader election record ("
              + problems
              + "); not taking it over: "
              + repair,
          cause,
          new LockSnapshot(tokenOnly, raw(object, tokenOnly), version, object));
    }
    return new LockSnapshot(
        record.toBuilder().fencingToken(token).build(), raw(object, record), version, object);
  }

  /** Starts a fabric8 watch on this object that reports every failure instead of reconnecting. */
  Watch startWatch(Watcher<GenericKubernetesResource> watcher) {
    RequestConfig rc =
        new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
            .withWatchReconnectLimit(0)
            .withRequestRetryBackoffLimit(0)
            .build();
    KubernetesClient view = client.newClient(rc).adapt(KubernetesClient.class);
    return view.genericKubernetesResources(type.context)
        .inNamespace(namespace)
        .withName(name)
        .watch(watcher);
  }

  private void encode(
      LeaderElectionRecord record,
      GenericKubernetesResource target,
      Map<String, String> annotations) {
    writeRecord(record, target, annotations);
    if (record.fencingToken() > 0) {
      annotations.put(
          KubernetesLocks.FENCING_TOKEN_ANNOTATION, Long.toString(record.fencingToken()));
    } else {
      annotations.remove(KubernetesLocks.FENCING_TOKEN_ANNOTATION);
    }
  }

  private static long rewrites(Map<String, String> annotations) {
    try {
      String value = annotations.getOrDefault(KubernetesLocks.REWRITE_ANNOTATION, "0");
      return Math.max(0, Long.parseLong(value));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long fencingToken(Map<String, String> annotations) {
    String value = annotations.get(KubernetesLocks.FENCING_TOKEN_ANNOTATION);
    if (value == null) {
      return 0; // written by a client that does not know fencing tokens
    }
    long token;
    try {
      token = Long.parseLong(value);
    } catch (NumberFormatException e) {
      token = -1;
    }
    if (token < 0) {
      throw new IllegalArgumentException(
          "annotation "
              + KubernetesLocks.FENCING_TOKEN_ANNOTATION
              + " must be a non-negative integer, found \""
              + value
              + "\"");
    }
    return token;
  }

  static Map<String, String> annotations(GenericKubernetesResource object) {
    ObjectMeta meta = object.getMetadata();
    return meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }

  /** A copy to send back: same metadata (resourceVersion included) and content, new maps. */
  private GenericKubernetesResource copyOf(GenericKubernetesResource base) {
    GenericKubernetesResource copy = new GenericKubernetesResource();
    copy.setApiVersion(base.getApiVersion() != null ? base.getApiVersion() : type.apiVersion());
    copy.setKind(base.getKind() != null ? base.getKind() : type.kind);
    ObjectMeta meta =
        base.getMetadata() == null
            ? new ObjectMetaBuilder().withName(name).withNamespace(namespace).build()
            : new ObjectMetaBuilder(base.getMetadata()).build();
    Map<String, String> mergedLabels =
        new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
    mergedLabels.putAll(labels);
    meta.setLabels(mergedLabels);
    copy.setMetadata(meta);
    for (Map.Entry<String, Object> e : base.getAdditionalProperties().entrySet()) {
      copy.setAdditionalProperty(e.getKey(), e.getValue());
    }
    return copy;
  }

  /**
   * The object as the subject of an Event: kind, namespace and name. The lock keeps no copy of the
   * object, so the reference has no uid; {@link KubernetesEventRecorder} looks it up when it sends.
   */
  ObjectReference reference() {
    return new ObjectReferenceBuilder()
        .withApiVersion(type.apiVersion())
        .withKind(type.kind)
        .withNamespace(namespace)
        .withName(name)
        .build();
  }

  /** The object of a snapshot this lock returned. */
  private GenericKubernetesResource baseOf(LockSnapshot current) {
    GenericKubernetesResource base = current.source(GenericKubernetesResource.class);
    ObjectMeta meta = base.getMetadata();
    if (meta == null
        || (base.getKind() != null && !type.kind.equals(base.getKind()))
        || !name.equals(meta.getName())
        || (meta.getNamespace() != null && !namespace.equals(meta.getNamespace()))
        || !current.version().equals(meta.getResourceVersion())) {
      throw new IllegalArgumentException(
          "snapshot "
              + current
              + " is not of "
              + type.kind
              + " "
              + description
              + " (it holds "
              + base.getKind()
              + " "
              + (meta == null ? "?" : meta.getNamespace() + "/" + meta.getName())
              + ")");
    }
    return base;
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      collection(Duration timeout) {
    return calls(timeout).genericKubernetesResources(type.context).inNamespace(namespace);
  }

  private Resource<GenericKubernetesResource> resource(Duration timeout) {
    return collection(timeout).withName(name);
  }

  /** A view of the client whose requests time out after {@code timeout} and are not retried. */
  private KubernetesClient calls(Duration timeout) {
    long ms = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    RequestConfig rc =
        new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
            .withRequestTimeout((int) ms)
            .withRequestRetryBackoffLimit(0)
            .build();
    return client.newClient(rc).adapt(KubernetesClient.class);
  }
}
