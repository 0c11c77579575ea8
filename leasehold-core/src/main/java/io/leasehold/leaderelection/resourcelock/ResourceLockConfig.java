package io.leasehold.leaderelection.resourcelock;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

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

  /**
   * A unique identity for this process: its host name, an underscore and a random UUID, as
   * Kubernetes controllers build theirs ({@code hostname_uuid}). It stays unique where host names
   * and process ids repeat (containers run as PID 1, replicas may share a host name), and a
   * restarted process gets a new one, so two live processes never share it.
   */
  public static String uniqueIdentity() {
    return hostName() + "_" + UUID.randomUUID();
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
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
