package io.leasehold.leaderelection;

import java.util.function.Consumer;

/**
 * What the elector calls as leadership comes and goes (client-go's {@code LeaderCallbacks}). All
 * callbacks run asynchronously, never on the elector's own schedule, and an exception thrown by one
 * is logged and otherwise ignored: it never stops the elector.
 *
 * <ul>
 *   <li>{@code onStartedLeading} (required) runs on its own thread when this candidate becomes
 *       leader, with a {@link LeadershipContext} that is cancelled when leadership ends. When it is
 *       cancelled, the thread running the callback is also interrupted.
 *   <li>{@code onStoppedLeading} (required) runs when leadership ends. As in client-go it also runs
 *       when the elector stops without ever having led, unless {@link
 *       LeaderElectionConfig.Builder#stoppedLeading} is {@link StoppedLeading#ONLY_IF_LED}.
 *   <li>{@code onNewLeader} (optional) runs when the observed holder changes, including the first
 *       holder observed and this candidate itself; an empty identity means the lock was released.
 * </ul>
 *
 * <p>{@code onNewLeader}, the start of {@code onStartedLeading} and {@code onStoppedLeading} are
 * delivered in the order the events happened.
 */
public final class LeaderCallbacks {
  private final Consumer<LeadershipContext> onStartedLeading;
  private final Runnable onStoppedLeading;
  private final Consumer<String> onNewLeader;

  private LeaderCallbacks(Builder b) {
    this.onStartedLeading = b.onStartedLeading;
    this.onStoppedLeading = b.onStoppedLeading;
    this.onNewLeader = b.onNewLeader;
  }

  /** Returns a builder with no callbacks set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The started-leading callback, or null if not set (the config then refuses to build). */
  public Consumer<LeadershipContext> onStartedLeading() {
    return onStartedLeading;
  }

  /** The stopped-leading callback, or null if not set (the config then refuses to build). */
  public Runnable onStoppedLeading() {
    return onStoppedLeading;
  }

  /** The new-leader callback, or null if not set. */
  public Consumer<String> onNewLeader() {
    return onNewLeader;
  }

  /** Builds {@link LeaderCallbacks}. */
  public static final class Builder {
    private Consumer<LeadershipContext> onStartedLeading;
    private Runnable onStoppedLeading;
    private Consumer<String> onNewLeader;

    private Builder() {}

    /** Sets the callback run, on its own thread, when this candidate starts leading. */
    public Builder onStartedLeading(Consumer<LeadershipContext> callback) {
      this.onStartedLeading = callback;
      return this;
    }

    /** Sets the callback run when this candidate stops leading (see the class doc). */
    public Builder onStoppedLeading(Runnable callback) {
      this.onStoppedLeading = callback;
      return this;
    }

    /** Sets the callback run with the identity of each newly observed leader. */
    public Builder onNewLeader(Consumer<String> callback) {
      this.onNewLeader = callback;
      return this;
    }

    /** Returns the callbacks; validation happens when the config is built. */
    public LeaderCallbacks build() {
      return new LeaderCallbacks(this);
    }
  }
}
