package io.leasehold.spring;

import io.leasehold.leaderelection.HealthzAdaptor;
import io.leasehold.leaderelection.LeaderCallbacks;
import io.leasehold.leaderelection.LeaderElectionConfig;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.LeadershipContext;
import io.leasehold.leaderelection.MetricsProvider;
import io.leasehold.leaderelection.WhenLost;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * This application's candidacy in one leader election, run by Leasehold's {@link LeaderElector}.
 *
 * <p>It is a {@link SmartLifecycle} in the last phase: it starts competing after every other
 * lifecycle bean has started (the web server, schedulers, message listeners), and it is the first
 * to stop. When it stops as leader it first ends the term's work ({@link LeaderOnly} methods
 * return, then {@link LeadershipRevokedEvent} and Spring Integration's {@code OnRevokedEvent} are
 * delivered, which stops the role's lifecycles), and only then releases the lock, so that another
 * instance takes over in a round trip instead of a lease duration.
 *
 * <p>Inject it to ask {@link #isLeader()}, {@link #leader()} or {@link #fencingToken()}, or to
 * {@link #yieldLeadership()}. Thread-safe.
 */
public final class LeaseholdElection implements SmartLifecycle, DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(LeaseholdElection.class);

  /** What the election runs with, resolved from the properties. */
  record Settings(
      String name,
      String identity,
      String role,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod,
      boolean releaseOnCancel,
      boolean keepCompeting,
      Duration healthTolerance) {}

  /** Told of each term; Spring Integration's events are delivered by one. */
  interface Observer {
    void granted(LeaseholdElection election, Term term);

    void revoked(LeaseholdElection election, Term term);

    void observedOtherLeader(LeaseholdElection election, String leader);
  }

  /**
   * One term of leadership, and the {@link LeaderOnly} calls running in it: admitted from when the
   * grant has been delivered until the term ends or is closed.
   */
  static final class Term {
    final LeadershipContext context;
    private int running;
    private boolean open;
    private boolean closed;

    Term(LeadershipContext context) {
      this.context = context;
    }

    /** Admits leader-only calls from now on, while the term lasts. */
    synchronized void open() {
      open = true;
    }

    /** Admits a leader-only call, if the term is open and has not ended. */
    synchronized boolean enter() {
      if (!open || closed || context.isCancelled()) {
        return false;
      }
      running++;
      return true;
    }

    synchronized void exit() {
      if (--running == 0) {
        notifyAll();
      }
    }

    /** Admits no more calls and waits up to {@code max} for running ones; true if none runs. */
    synchronized boolean close(Duration max) {
      closed = true;
      long deadline = System.nanoTime() + max.toNanos();
      boolean interrupted = false;
      while (running > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return running == 0;
    }

    synchronized boolean isActive() {
      return !closed && !context.isCancelled();
    }
  }

  private final Settings settings;
  private final Lock lock;
  private final MetricsProvider metrics;
  private final ApplicationEventPublisher publisher;
  private final List<Observer> observers;
  private final HealthzAdaptor healthz;
  private final Object monitor = new Object();

  // guarded by monitor
  // LeaderElector's start() and stop() return at once, without waiting for any other thread
  private LeaderElector elector; // the running elector, or the last one (for the queries)
  private boolean used; // elector was started: an elector runs once, the next start needs a new one
  private boolean electing; // elector was started and not stopped since
  private boolean running;
  private boolean competing;
  private CompletableFuture<Void> stopped = CompletableFuture.completedFuture(null);
  private CompletableFuture<Void> announced = CompletableFuture.completedFuture(null);

  private volatile Term term;

  LeaseholdElection(
      Settings settings,
      Lock lock,
      MetricsProvider metrics,
      ApplicationEventPublisher publisher,
      List<Observer> observers) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.lock = Objects.requireNonNull(lock, "lock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.observers = List.copyOf(observers);
    this.healthz = new HealthzAdaptor(settings.healthTolerance());
    try {
      this.elector = newElector(); // validates the timings now, not when the context starts
    } catch (IllegalArgumentException e) {
      throw LeaseholdConfigurationException.timings(settings, e);
    }
  }

  // ================================================================== queries

  /** The election's name. */
  public String name() {
    return settings.name();
  }

  /**
   * This instance's identity: its lock's ({@code leasehold.identity} unless the lock is the
   * application's).
   */
  public String identity() {
    return lock.identity();
  }

  /** The role named in Spring Integration's leader events. */
  public String role() {
    return settings.role();
  }

  /** A description of the lock, such as {@code sqlite:leasehold_leases/orders}. */
  public String lockDescription() {
    return lock.describe();
  }

  /** Whether this instance leads now: it holds a term whose deadline has not passed. */
  public boolean isLeader() {
    return elector().isLeader();
  }

  /** The identity of the last observed leader; empty when none was observed or it released. */
  public String leader() {
    return elector().getLeader();
  }

  /** The fencing token of the current term; empty when not leading. */
  public OptionalLong fencingToken() {
    return elector().fencingToken();
  }

  /**
   * Whether this instance competes: true while started, unless it lost leadership with {@code
   * leasehold.keep-competing=false} (the health indicator is then DOWN).
   */
  public boolean isCompeting() {
    synchronized (monitor) {
      return running && competing;
    }
  }

  /**
   * client-go's health check: a failure reason when this instance holds the lock but has not
   * renewed it for longer than the lease duration plus {@code leasehold.health.tolerance}.
   */
  public Optional<String> check() {
    return healthz.check();
  }

  /**
   * Gives up leadership, if held ({@link LeaderElector#yieldLeadership()}): the term ends as on
   * shutdown (leader-only work stops and the revocation is delivered, then the lock is released,
   * whatever {@code leasehold.release-on-cancel} says), and this instance competes again after a
   * jittered retry period, by when a watching follower has taken over. Returns at once; safe to
   * call from an event listener.
   */
  public void yieldLeadership() {
    yieldTerm(term);
  }

  // ================================================================== lifecycle

  @Override
  public void start() {
    CompletableFuture<Void> previous;
    synchronized (monitor) {
      if (running) {
        return;
      }
      running = true;
      competing = true;
      previous = stopped;
    }
    previous.thenRun(this::startElector); // at once, unless the last elector is still stopping
  }

  @Override
  public void stop(Runnable callback) {
    stopAsync().whenComplete((v, e) -> callback.run());
  }

  @Override
  public void stop() {
    stopAsync().join();
  }

  @Override
  public boolean isRunning() {
    synchronized (monitor) {
      return running;
    }
  }

  /** The last phase: start after, and stop before, every other lifecycle bean. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }

  /** Stops the elector if the context's lifecycle did not (a failed start-up, say). */
  @Override
  public void destroy() throws Exception {
    try {
      stopAsync().get(settings.renewDeadline().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("{}: election {} did not stop in time", identity(), name());
    }
  }

  @Override
  public String toString() {
    return "LeaseholdElection{"
        + name()
        + ", identity="
        + identity()
        + ", "
        + lock.describe()
        + "}";
  }

  // ================================================================== internals

  private LeaderElector elector() {
    synchronized (monitor) {
      return elector;
    }
  }

  private void startElector() {
    synchronized (monitor) {
      if (!running || electing) {
        return; // stopped meanwhile, or started by an earlier start()
      }
      if (used) {
        elector = newElector();
      }
      LeaderElector e = elector;
      used = true;
      electing = true;
      e.start().whenComplete((v, x) -> electorExited(e));
    }
  }

  /**
   * Stops the elector, if it runs, and returns a future completed once it has stopped (the lock
   * released) and its last term's revocation has been delivered; no new elector starts before then.
   */
  private CompletableFuture<Void> stopAsync() {
    synchronized (monitor) {
      running = false;
      if (electing) {
        electing = false;
        stopped = elector.stop().thenCompose(v -> lastAnnounced());
      }
      return stopped;
    }
  }

  private CompletableFuture<Void> lastAnnounced() {
    synchronized (monitor) {
      return announced;
    }
  }

  private void electorExited(LeaderElector e) {
    synchronized (monitor) {
      if (elector == e && electing) {
        competing = false;
        log.warn(
            "{}: lost leadership of {} and stopped competing (leasehold.keep-competing=false)",
            identity(),
            name());
      }
    }
  }

  /** Yields term {@code t} if it is still the current one. */
  void yieldTerm(Term t) {
    LeaderElector e;
    synchronized (monitor) {
      if (!electing || t == null || !t.isActive()) {
        return;
      }
      e = elector;
    }
    log.info("{}: yielding leadership of {}", identity(), name());
    e.yieldLeadership();
  }

  private LeaderElector newElector() {
    LeaderCallbacks callbacks =
        LeaderCallbacks.builder()
            .onStartedLeading(this::lead)
            .onStoppedLeading(() -> {})
            .onNewLeader(this::observedLeader)
            .build();
    return new LeaderElector(
        LeaderElectionConfig.builder()
            .lock(lock)
            .name(settings.name())
            .leaseDuration(settings.leaseDuration())
            .renewDeadline(settings.renewDeadline())
            .retryPeriod(settings.retryPeriod())
            .releaseOnCancel(settings.releaseOnCancel())
            .whenLost(settings.keepCompeting() ? WhenLost.COMPETE_AGAIN : WhenLost.EXIT)
            .watchDog(healthz)
            .metricsProvider(metrics)
            .callbacks(callbacks)
            .build());
  }

  /**
   * One term, on the elector's leader thread; returning lets the elector release the lock. A term
   * can start before the last one's revocation has been delivered (a yield, keep-competing): it is
   * announced after that, and not at all if it ended meanwhile.
   */
  private void lead(LeadershipContext context) {
    CompletableFuture<Void> previous;
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (monitor) {
      previous = announced;
      announced = done;
    }
    try {
      CompletableFuture.anyOf(previous, context.whenCancelled()).join(); // the last revocation
      if (!context.isCancelled()) {
        announce(context);
      }
    } finally {
      Thread.interrupted(); // the elector interrupts this thread when the term ends
      previous.whenComplete((v, e) -> done.complete(null)); // in order
    }
  }

  /**
   * Delivers the grant, then admits leader-only calls until the term ends; then admits no more,
   * waits for the running ones and delivers the revocation.
   */
  private void announce(LeadershipContext context) {
    Term t = new Term(context);
    term = t;
    try {
      publish(new LeadershipGrantedEvent(this, context));
      for (Observer o : observers) {
        notify(() -> o.granted(this, t));
      }
      t.open();
      awaitEnd(context);
    } finally {
      term = null;
      if (!t.close(settings.renewDeadline())) {
        log.warn(
            "{}: a @LeaderOnly method of {} still runs after the renew deadline",
            identity(),
            name());
      }
      for (Observer o : observers) {
        notify(() -> o.revoked(this, t));
      }
      publish(
          new LeadershipRevokedEvent(
              this,
              name(),
              identity(),
              context.fencingToken(),
              String.valueOf(context.cancellationReason())));
    }
  }

  private static void awaitEnd(LeadershipContext context) {
    while (!context.isCancelled()) {
      try {
        context.awaitCancellation();
      } catch (InterruptedException e) {
        // the elector interrupts this thread as the term ends; isCancelled() tells
      }
    }
  }

  private void observedLeader(String leader) {
    publish(new LeaderChangedEvent(this, name(), identity(), leader));
    if (!leader.isEmpty() && !leader.equals(identity())) {
      for (Observer o : observers) {
        notify(() -> o.observedOtherLeader(this, leader));
      }
    }
  }

  /** The current term, admitting one leader-only call; null when not leading. */
  Term admit() {
    Term t = term;
    return t != null && t.enter() ? t : null;
  }

  private void publish(LeaseholdEvent event) {
    notify(() -> publisher.publishEvent(event));
  }

  private void notify(Runnable delivery) {
    try {
      delivery.run();
    } catch (RuntimeException e) {
      log.error("{}: a listener of election {} failed", identity(), name(), e);
    }
  }
}
