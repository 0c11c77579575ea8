package io.leasehold.kubernetes;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import io.leasehold.leaderelection.resourcelock.EventRecorder;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the elector's events as core/v1 Events on the lock object, as client-go's event recorder
 * does for its locks: type {@code Normal}, reason {@code LeaderElection}, messages such as {@code
 * "pod-1 became leader"} and {@code "pod-1 stopped leading"}. {@code kubectl describe lease NAME}
 * and {@code kubectl get events} then show the history of the election.
 *
 * <pre>{@code
 * Lock lock = LeaseLock.builder(client)
 *     .name("payments-controller")
 *     .config(ResourceLockConfig.of(podName, new KubernetesEventRecorder(client, "payments")))
 *     .build();
 * }</pre>
 *
 * <p>Events are sent in the background (by default on one shared daemon thread, up to 256 waiting)
 * so that the elector never waits for them; any failure, RBAC refusals included, is logged and
 * swallowed. Needs RBAC verb create on events in the lock's namespace. The subject passed by the
 * locks is an {@link ObjectReference} without a uid (the locks keep no copy of their object); the
 * recorder reads the object's uid before sending (the lock's own RBAC verb get), because {@code
 * kubectl describe} finds an object's events by uid. Any fabric8 {@link HasMetadata} works too, and
 * other subjects are ignored.
 */
public final class KubernetesEventRecorder implements EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(KubernetesEventRecorder.class);
  private static final Executor SHARED = sharedExecutor();
  private static final AtomicLong LAST_NANOS = new AtomicLong();

  private final KubernetesClient client;
  private final String component;
  private final Executor executor;
  private final AtomicBoolean warned = new AtomicBoolean();

  /** A recorder reporting as component {@code leasehold}. */
  public KubernetesEventRecorder(KubernetesClient client) {
    this(client, "leasehold");
  }

  /** A recorder reporting as {@code component} (the Event's source, such as your app's name). */
  public KubernetesEventRecorder(KubernetesClient client, String component) {
    this(client, component, SHARED);
  }

  /** A recorder sending on {@code executor} ({@code Runnable::run} sends on the caller). */
  public KubernetesEventRecorder(KubernetesClient client, String component, Executor executor) {
    this.client = Objects.requireNonNull(client, "client");
    this.component = Objects.requireNonNull(component, "component");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  @Override
  public void event(Object subject, String type, String reason, String message) {
    try {
      ObjectReference ref = reference(subject);
      if (ref == null || ref.getNamespace() == null || ref.getName() == null) {
        log.debug("not recording '{}': {} is not a namespaced Kubernetes object", message, subject);
        return;
      }
      Instant at = Instant.now();
      executor.execute(() -> send(ref, type, reason, message, at));
    } catch (RejectedExecutionException e) {
      log.debug("event '{}' dropped: too many events waiting", message);
    } catch (RuntimeException e) {
      log.warn("could not record event '{}': {}", message, e.toString());
    }
  }

  @Override
  public String toString() {
    return "KubernetesEventRecorder{component=" + component + "}";
  }

  private Event build(ObjectReference ref, String type, String reason, String message, Instant at) {
    String time = WireTimes.seconds(at);
    return new EventBuilder()
        .withNewMetadata()
        .withName(ref.getName() + "." + Long.toHexString(uniqueNanos(at)))
        .withNamespace(ref.getNamespace())
        .endMetadata()
        .withInvolvedObject(ref)
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource()
        .withComponent(component)
        .endSource()
        .withReportingComponent(component)
        .build();
  }

  private void send(
      ObjectReference subject, String type, String reason, String message, Instant at) {
    Event event = build(withUid(subject), type, reason, message, at);
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      String why =
          e.getCode() == ApiErrors.FORBIDDEN
              ? ApiErrors.forbidden(
                  "create",
                  ResourceType.EVENTS,
                  event.getMetadata().getNamespace(),
                  event.getInvolvedObject().getNamespace()
                      + "/"
                      + event.getInvolvedObject().getName())
              : ApiErrors.detail(e);
      logFailure(event, why);
    } catch (RuntimeException e) {
      logFailure(event, e.toString());
    }
  }

  /**
   * The reference with the object's uid. The locks keep no copy of their object, so their
   * references have none; {@code kubectl describe} finds an object's events by uid, so it is looked
   * up here, off the elector's threads. Without it (the object is gone, or cannot be read) the
   * event is still sent.
   */
  private ObjectReference withUid(ObjectReference ref) {
    ResourceType lockType = ResourceType.lockTypeOf(ref.getApiVersion(), ref.getKind());
    if (ref.getUid() != null || lockType == null) {
      return ref;
    }
    try {
      GenericKubernetesResource object =
          client
              .genericKubernetesResources(lockType.context)
              .inNamespace(ref.getNamespace())
              .withName(ref.getName())
              .get();
      if (object == null || object.getMetadata() == null) {
        return ref;
      }
      return new ObjectReferenceBuilder(ref)
          .withUid(object.getMetadata().getUid())
          .withResourceVersion(object.getMetadata().getResourceVersion())
          .build();
    } catch (KubernetesClientException e) {
      log.debug("no uid for the event on {}: {}", ref.getName(), ApiErrors.detail(e));
      return ref;
    }
  }

  private void logFailure(Event event, String why) {
    if (warned.compareAndSet(false, true)) {
      log.warn(
          "could not record event '{}' (further failures at debug): {}", event.getMessage(), why);
    } else {
      log.debug("could not record event '{}': {}", event.getMessage(), why);
    }
  }

  private static ObjectReference reference(Object subject) {
    if (subject instanceof ObjectReference r) {
      return r;
    }
    if (subject instanceof HasMetadata o) {
      if (o.getMetadata() == null) {
        return null;
      }
      return new ObjectReferenceBuilder()
          .withApiVersion(o.getApiVersion())
          .withKind(o.getKind())
          .withNamespace(o.getMetadata().getNamespace())
          .withName(o.getMetadata().getName())
          .withUid(o.getMetadata().getUid())
          .withResourceVersion(o.getMetadata().getResourceVersion())
          .build();
    }
    return null;
  }

  /**
   * Nanoseconds since the epoch, distinct for every event of this JVM (client-go's name suffix).
   */
  private static long uniqueNanos(Instant now) {
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return LAST_NANOS.updateAndGet(last -> Math.max(last + 1, nanos));
  }

  private static Executor sharedExecutor() {
    ThreadPoolExecutor e =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            DaemonThreads.factory("leasehold-kubernetes-events"),
            new ThreadPoolExecutor.AbortPolicy());
    e.allowCoreThreadTimeOut(true);
    return e;
  }
}
