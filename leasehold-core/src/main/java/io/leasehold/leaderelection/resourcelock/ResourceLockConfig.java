package io.leasehold.leaderelection.resourcelock;

import java.util.Objects;
import java.util.Optional;

/**
 * What every lock needs to know about its candidate: the identity it writes as holder, and an
 * optional {@link EventRecorder} (client-go's {@code resourcelock.ResourceLockConfig}).
 */
public final class ResourceLockConfig {
  private final String identity;
  private final EventRecorder eventRecorder;

  private ResourceLockConfig(String identity, EventRecorder eventRecorder) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.eventRecorder = eventRecorder;
  }

  /** A config with this identity and no event recorder. */
  public static ResourceLockConfig of(String identity) {
    return new ResourceLockConfig(identity, null);
  }

  /** A config with this identity and event recorder (null for none). */
  public static ResourceLockConfig of(String identity, EventRecorder eventRecorder) {
    return new ResourceLockConfig(identity, eventRecorder);
  }

  /** The unique identity of this candidate across all participants of the election. */
  public String identity() {
    return identity;
  }

  /** The event recorder, if any. */
  public Optional<EventRecorder> eventRecorder() {
    return Optional.ofNullable(eventRecorder);
  }

  /**
   * Records {@code "<identity> <event>"} as a Normal {@code LeaderElection} event on {@code
   * subject} if a recorder is set, swallowing anything the recorder throws. Locks call this from
   * {@link Lock#recordEvent}.
   */
  public void recordEvent(Object subject, String event) {
    if (eventRecorder == null) {
      return;
    }
    try {
      eventRecorder.event(subject, "Normal", "LeaderElection", identity + " " + event);
    } catch (RuntimeException ignored) {
      // recording events never affects the election
    }
  }

  @Override
  public String toString() {
    return "ResourceLockConfig{identity='" + identity + "'}";
  }
}
