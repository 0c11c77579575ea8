package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * Everything one {@link LeaderElector} needs (client-go's {@code LeaderElectionConfig}), validated
 * when built. Build with {@link #builder()}; immutable.
 *
 * <h2>Timings</h2>
 *
 * <ul>
 *   <li>{@code leaseDuration} (default 15 s): how long followers wait, after they last observed a
 *       change of the record, before they may take over. Written into the record in whole seconds,
 *       rounded up.
 *   <li>{@code renewDeadline} (default 10 s): how long the leader keeps retrying a failed renewal
 *       before it gives up leadership.
 *   <li>{@code retryPeriod} (default 2 s): the pause between attempts; acquisition attempts are
 *       jittered by up to {@link LeaderElector#JITTER_FACTOR} times it.
 * </ul>
 *
 * <p>The rules and messages are client-go's, with Java's null where Go says nil: leaseDuration must
 * be greater than renewDeadline, renewDeadline must be greater than retryPeriod*JitterFactor, and
 * each must be greater than zero. The ratio leaseDuration / renewDeadline is the clock-rate ratio
 * tolerated between candidates (ρ): 15 s / 10 s tolerates one clock running 1.5 times as fast as
 * another.
 *
 * <h2>The leader deadline</h2>
 *
 * <p>Unless switched off with {@link Builder#enforceLeaderDeadline(boolean)}, the leader's
 * authority ends at the send time of its last successful write plus leaseDuration / ρ (that is,
 * renewDeadline), minus {@link Builder#leaderDeadlineMargin(Duration) a margin} and minus the
 * lock's {@link Lock#changeDetectionGranularity() change-detection granularity}, measured on its
 * monotonic clock. At that instant the leadership context is cancelled and {@link
 * LeaderElector#isLeader()} turns false, whatever the renew loop is doing; followers cannot take
 * over before then as long as clock rates stay within ρ.
 */
public final class LeaderElectionConfig {
  private final Lock lock;
  private final Duration leaseDuration;
  private final Duration renewDeadline;
  private final Duration retryPeriod;
  private final LeaderCallbacks callbacks;
  private final HealthzAdaptor watchDog;
  private final boolean releaseOnCancel;
  private final String name;
  private final WhenLost whenLost;
  private final StoppedLeading stoppedLeading;
  private final boolean enforceLeaderDeadline;
  private final Duration leaderDeadlineMargin;
  private final Duration lockCallTimeout;
  private final ElectionClock clock;
  private final Executor executor;
  private final Executor callbackExecutor;
  private final MetricsProvider metricsProvider;
  private final Random random;

  private LeaderElectionConfig(Builder b) {
    this.lock = b.lock;
    this.leaseDuration = b.leaseDuration;
    this.renewDeadline = b.renewDeadline;
    this.retryPeriod = b.retryPeriod;
    this.callbacks = b.callbacks;
    this.watchDog = b.watchDog;
    this.releaseOnCancel = b.releaseOnCancel;
    this.name = b.name != null ? b.name : b.lock.describe();
    this.whenLost = b.whenLost;
    this.stoppedLeading = b.stoppedLeading;
    this.enforceLeaderDeadline = b.enforceLeaderDeadline;
    this.leaderDeadlineMargin =
        b.leaderDeadlineMargin != null ? b.leaderDeadlineMargin : defaultMargin(b.renewDeadline);
    this.lockCallTimeout =
        b.lockCallTimeout != null ? b.lockCallTimeout : defaultLockCallTimeout(b.renewDeadline);
    this.clock = b.clock;
    this.executor = b.executor;
    this.callbackExecutor = b.callbackExecutor;
    this.metricsProvider = b.metricsProvider;
    this.random = b.random;
  }

  /** Returns a builder with client-go's default timings (15 s / 10 s / 2 s). */
  public static Builder builder() {
    return new Builder();
  }

  /** The lock the election runs on. */
  public Lock lock() {
    return lock;
  }

  /** How long followers wait after the last observed change before taking over. */
  public Duration leaseDuration() {
    return leaseDuration;
  }

  /** How long the leader retries a failed renewal before giving up. */
  public Duration renewDeadline() {
    return renewDeadline;
  }

  /** The pause between attempts. */
  public Duration retryPeriod() {
    return retryPeriod;
  }

  /** The callbacks. */
  public LeaderCallbacks callbacks() {
    return callbacks;
  }

  /** The health adaptor tied to the elector, or null. */
  public HealthzAdaptor watchDog() {
    return watchDog;
  }

  /** Whether the leader writes an empty holder when it is stopped, so others take over at once. */
  public boolean releaseOnCancel() {
    return releaseOnCancel;
  }

  /** The election's name, for logs and metrics; defaults to the lock's description. */
  public String name() {
    return name;
  }

  /** What the elector does once leadership is lost. */
  public WhenLost whenLost() {
    return whenLost;
  }

  /** When onStoppedLeading runs. */
  public StoppedLeading stoppedLeading() {
    return stoppedLeading;
  }

  /** Whether the leader's authority ends by its own deadline (see the class doc). */
  public boolean enforceLeaderDeadline() {
    return enforceLeaderDeadline;
  }

  /** How much earlier than leaseDuration / ρ the leader's authority ends. */
  public Duration leaderDeadlineMargin() {
    return leaderDeadlineMargin;
  }

  /**
   * The longest a single lock call may take before the elector gives up on it and, time permitting,
   * tries again: max(1 s, renewDeadline / 2) unless set, as client-go bounds each API request, so
   * that one request hung on a dead server cannot use up the whole renew deadline.
   */
  public Duration lockCallTimeout() {
    return lockCallTimeout;
  }

  // shared instances for the defaults: thousands of electors need not carry their own copies
  private static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  private static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
  private static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);
  private static final Duration DEFAULT_MARGIN = DEFAULT_RENEW_DEADLINE.dividedBy(10);
  private static final Duration DEFAULT_LOCK_CALL_TIMEOUT = DEFAULT_RENEW_DEADLINE.dividedBy(2);
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private static Duration defaultMargin(Duration renewDeadline) {
    return renewDeadline.equals(DEFAULT_RENEW_DEADLINE)
        ? DEFAULT_MARGIN
        : renewDeadline.dividedBy(10);
  }

  /**
   * The default {@link #lockCallTimeout()} for {@code renewDeadline}: renewDeadline / 2, at least
   * one second (client-go's request timeout for leader election). Backends whose clients take a
   * request timeout of their own can use the same value.
   */
  public static Duration defaultLockCallTimeout(Duration renewDeadline) {
    if (renewDeadline.equals(DEFAULT_RENEW_DEADLINE)) {
      return DEFAULT_LOCK_CALL_TIMEOUT;
    }
    Duration half = renewDeadline.dividedBy(2);
    return half.compareTo(ONE_SECOND) > 0 ? half : ONE_SECOND;
  }

  /** The lease duration written into records: whole seconds, rounded up. */
  int leaseSeconds() {
    return (int) ((leaseDuration.toNanos() + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
  }

  /**
   * How long the leader may act after the start of the attempt of its last successful write (the
   * leader deadline; class doc): followers wait {@link #leaseSeconds()} on their clocks, the leader
   * that divided by ρ on its own, less the margin and the lock's granularity.
   *
   * @throws IllegalArgumentException when that leaves no time to renew even once
   */
  long authorityNanos(Duration granularity) {
    long authority =
        (long) (leaseSeconds() * NANOS_PER_SECOND / clockRateTolerance())
            - leaderDeadlineMargin.toNanos()
            - granularity.toNanos();
    if (enforceLeaderDeadline && authority <= retryPeriod.toNanos()) {
      throw new IllegalArgumentException(
          "the leader deadline (renewDeadline - leaderDeadlineMargin - lock granularity = "
              + Duration.ofNanos(authority)
              + ") must be longer than retryPeriod ("
              + retryPeriod
              + "); lengthen renewDeadline or shorten retryPeriod");
    }
    return authority;
  }

  /** The tolerated clock-rate ratio ρ = leaseDuration / renewDeadline. */
  public double clockRateTolerance() {
    return (double) leaseDuration.toNanos() / renewDeadline.toNanos();
  }

  /** The clock. */
  public ElectionClock clock() {
    return clock;
  }

  /** Where lock calls run. */
  public Executor executor() {
    return executor;
  }

  /** Where callbacks run. */
  public Executor callbackExecutor() {
    return callbackExecutor;
  }

  /** The metrics provider. */
  public MetricsProvider metricsProvider() {
    return metricsProvider;
  }

  /** The source of jitter, or null for ThreadLocalRandom. */
  Random random() {
    return random;
  }

  /** Builds a {@link LeaderElectionConfig}. Not thread-safe. */
  public static final class Builder {
    private Lock lock;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;
    private Duration renewDeadline = DEFAULT_RENEW_DEADLINE;
    private Duration retryPeriod = DEFAULT_RETRY_PERIOD;
    private LeaderCallbacks callbacks;
    private HealthzAdaptor watchDog;
    private boolean releaseOnCancel;
    private String name;
    private WhenLost whenLost = WhenLost.EXIT;
    private StoppedLeading stoppedLeading = StoppedLeading.ALWAYS;
    private boolean enforceLeaderDeadline = true;
    private Duration leaderDeadlineMargin;
    private Duration lockCallTimeout;
    private ElectionClock clock = ElectionClock.system();
    private Executor executor = DefaultExecutors.LOCK_CALLS;
    private Executor callbackExecutor = DefaultExecutors.CALLBACKS;
    private MetricsProvider metricsProvider = MetricsProvider.NOOP;
    private Random random;

    private Builder() {}

    /** Sets the lock (required). */
    public Builder lock(Lock lock) {
      this.lock = lock;
      return this;
    }

    /** Sets the lease duration (default 15 s). */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
      return this;
    }

    /** Sets the renew deadline (default 10 s). */
    public Builder renewDeadline(Duration renewDeadline) {
      this.renewDeadline = renewDeadline;
      return this;
    }

    /** Sets the retry period (default 2 s). */
    public Builder retryPeriod(Duration retryPeriod) {
      this.retryPeriod = retryPeriod;
      return this;
    }

    /** Sets the callbacks (required: onStartedLeading and onStoppedLeading). */
    public Builder callbacks(LeaderCallbacks callbacks) {
      this.callbacks = callbacks;
      return this;
    }

    /** Ties a health adaptor to the elector built from this config. */
    public Builder watchDog(HealthzAdaptor watchDog) {
      this.watchDog = watchDog;
      return this;
    }

    /**
     * Whether a leader that is stopped writes an empty holder (lease duration 1 s), so that a
     * follower takes over at once instead of after a full lease. The elector first cancels the
     * leadership context and waits (up to renewDeadline) for onStartedLeading to return, so the
     * release never overlaps the work it guarded.
     */
    public Builder releaseOnCancel(boolean releaseOnCancel) {
      this.releaseOnCancel = releaseOnCancel;
      return this;
    }

    /** Sets the election's name for logs and metrics (default: the lock's description). */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** What to do once leadership is lost (default {@link WhenLost#EXIT}, as client-go). */
    public Builder whenLost(WhenLost whenLost) {
      this.whenLost = Objects.requireNonNull(whenLost, "whenLost");
      return this;
    }

    /** When onStoppedLeading runs (default {@link StoppedLeading#ALWAYS}, as client-go). */
    public Builder stoppedLeading(StoppedLeading stoppedLeading) {
      this.stoppedLeading = Objects.requireNonNull(stoppedLeading, "stoppedLeading");
      return this;
    }

    /**
     * Whether the leader's authority ends by its own deadline (default true; see the class doc).
     * Switching it off gives client-go's behaviour, where a leader stuck in a slow call keeps
     * acting.
     */
    public Builder enforceLeaderDeadline(boolean enforceLeaderDeadline) {
      this.enforceLeaderDeadline = enforceLeaderDeadline;
      return this;
    }

    /**
     * How much earlier than leaseDuration / ρ the leader's authority ends (default renewDeadline /
     * 10): the time leader code needs to notice cancellation and stop.
     */
    public Builder leaderDeadlineMargin(Duration margin) {
      this.leaderDeadlineMargin = margin;
      return this;
    }

    /**
     * The longest a single lock call may take (default max(1 s, renewDeadline / 2)); a call still
     * runs no longer than the time left before the renew deadline.
     */
    public Builder lockCallTimeout(Duration timeout) {
      this.lockCallTimeout = timeout;
      return this;
    }

    /**
     * Sets the clock (default {@link ElectionClock#system()}; {@code FakeClock} (leasehold-testing)
     * in tests).
     */
    public Builder clock(ElectionClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets where lock calls run (default: a shared pool of daemon threads that exist only while
     * calls run). Tests in virtual time pass {@code Runnable::run}.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets where callbacks run (default: a shared pool of daemon threads; onStartedLeading keeps
     * its thread while it runs).
     */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
      return this;
    }

    /** Sets the metrics provider (default: no metrics). */
    public Builder metricsProvider(MetricsProvider metricsProvider) {
      this.metricsProvider = Objects.requireNonNull(metricsProvider, "metricsProvider");
      return this;
    }

    /**
     * Sets the source of jitter, for deterministic tests and simulations (default: {@link
     * java.util.concurrent.ThreadLocalRandom}).
     */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Validates and builds the config.
     *
     * @throws IllegalArgumentException with client-go's message when a rule is broken
     */
    public LeaderElectionConfig build() {
      require(leaseDuration != null, "leaseDuration must not be null");
      require(renewDeadline != null, "renewDeadline must not be null");
      require(retryPeriod != null, "retryPeriod must not be null");
      require(
          leaseDuration.compareTo(renewDeadline) > 0,
          "leaseDuration must be greater than renewDeadline");
      require(
          renewDeadline.toNanos() > (long) (LeaderElector.JITTER_FACTOR * retryPeriod.toNanos()),
          "renewDeadline must be greater than retryPeriod*JitterFactor");
      require(leaseDuration.toNanos() >= 1, "leaseDuration must be greater than zero");
      require(renewDeadline.toNanos() >= 1, "renewDeadline must be greater than zero");
      require(retryPeriod.toNanos() >= 1, "retryPeriod must be greater than zero");
      require(
          callbacks != null && callbacks.onStartedLeading() != null,
          "OnStartedLeading callback must not be null");
      require(callbacks.onStoppedLeading() != null, "OnStoppedLeading callback must not be null");
      require(lock != null, "Lock must not be null."); // client-go's period
      String identity = lock.identity();
      require(identity != null && !identity.isEmpty(), "Lock identity is empty");
      if (leaderDeadlineMargin != null) {
        require(!leaderDeadlineMargin.isNegative(), "leaderDeadlineMargin must not be negative");
        require(
            leaderDeadlineMargin.compareTo(renewDeadline) < 0,
            "leaderDeadlineMargin must be less than renewDeadline");
      }
      require(
          lockCallTimeout == null || lockCallTimeout.toNanos() >= 1,
          "lockCallTimeout must be greater than zero");
      return new LeaderElectionConfig(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
