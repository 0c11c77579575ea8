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
      Duration healthTolerance) {

    /**
     * How long a yielding leader waits before it competes again: every follower can act by then.
     */
    Duration yieldBackoff() {
      return leaseDuration.plus(renewDeadline);
    }
  }

  /** Told of each term; Spring Integration's events are delivered by one. */
  interface Observer {
    void granted(LeaseholdElection election, Term term);

    void revoked(LeaseholdElection election, Term term);

    void observedOtherLeader(LeaseholdElection election, String leader);
  }

  /** One term of leadership, and the {@link LeaderOnly} calls running in it. */
  static final class Term {
    final LeadershipContext context;
    private int running;
    private boolean closed;

    Term(LeadershipContext context) {
      this.context = context;
    }

    /** Admits a leader-only call, unless the term has ended. */
    synchronized boolean enter() {
      if (closed || context.isCancelled()) {
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
  private LeaderElector elector;
  private LeaderElector unstarted;
  private LeaderElector last; // the running elector, or the one that just stopped or yielded
  private boolean running;
  private boolean competing;
  private int generation;
  private CompletableFuture<Void> quiet = CompletableFuture.completedFuture(null);

  private volatile Term term;
  private volatile CompletableFuture<Void> leading = CompletableFuture.completedFuture(null);

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
      this.unstarted = newElector(); // validates the timings now, not when the context starts
    } catch (IllegalArgumentException e) {
      throw LeaseholdConfigurationException.timings(settings, e);
    }
  }

  // ================================================================== queries

  /** The election's name. */
  public String name() {
    return settings.name();
  }

  /** This instance's identity. */
  public String identity() {
    return settings.identity();
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
    LeaderElector e = current();
    return e != null && e.isLeader();
  }

  /** The identity of the last observed leader; empty when none was observed or it released. */
  public String leader() {
    LeaderElector e = current();
    return e == null ? "" : e.getLeader();
  }

  /** The fencing token of the current term; empty when not leading. */
  public OptionalLong fencingToken() {
    LeaderElector e = current();
    return e == null ? OptionalLong.empty() : e.fencingToken();
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
   * Gives up leadership, if held: the term ends as on shutdown (leader-only work stops, the lock is
   * released when {@code leasehold.release-on-cancel} is true), and this instance competes again
   * after a lease duration plus a renew deadline, which gives every other candidate the time to
   * take over. Returns at once; safe to call from an event listener.
   */
  public void yieldLeadership() {
    yieldTerm(term);
  }

  // ================================================================== lifecycle

  @Override
  public void start() {
    int gen;
    CompletableFuture<Void> previous;
    synchronized (monitor) {
      if (running) {
        return;
      }
      running = true;
      competing = true;
      gen = ++generation;
      previous = quiet;
    }
    previous.thenRun(() -> restart(gen)); // at once, unless an elector is still stopping
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

  private LeaderElector current() {
    synchronized (monitor) {
      return elector != null ? elector : last;
    }
  }

  private CompletableFuture<Void> stopAsync() {
    synchronized (monitor) {
      running = false;
      generation++;
      return retireLocked();
    }
  }

  /**
   * Under the monitor: stops the running elector, if any, and returns a future completed when it
   * has stopped and its last term's callback has returned (when no elector runs, the previous one's
   * future). No new elector starts before then.
   */
  private CompletableFuture<Void> retireLocked() {
    LeaderElector e = elector;
    if (e == null) {
      return quiet;
    }
    elector = null;
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    quiet = stopped;
    // the elector's stop never calls back into this monitor synchronously
    e.stop().thenCompose(v -> leading).whenComplete((v, x) -> stopped.complete(null));
    return stopped;
  }

  private void startElectorLocked() {
    LeaderElector e = unstarted != null ? unstarted : newElector();
    unstarted = null;
    elector = e;
    last = e;
    e.start().whenComplete((v, x) -> electorExited(e));
  }

  private void electorExited(LeaderElector e) {
    synchronized (monitor) {
      if (elector == e && running) {
        competing = false;
        log.warn(
            "{}: lost leadership of {} and stopped competing (leasehold.keep-competing=false)",
            identity(),
            name());
      }
    }
  }

  void yieldTerm(Term t) {
    int gen;
    CompletableFuture<Void> stopped;
    synchronized (monitor) {
      if (!running || t == null || term != t || elector == null) {
        return;
      }
      log.info("{}: yielding leadership of {}", identity(), name());
      gen = ++generation;
      stopped = retireLocked();
    }
    stopped.thenRunAsync(
        () -> restart(gen),
        CompletableFuture.delayedExecutor(
            settings.yieldBackoff().toMillis(), TimeUnit.MILLISECONDS));
  }

  private void restart(int gen) {
    synchronized (monitor) {
      if (running && generation == gen && elector == null) {
        startElectorLocked();
      }
    }
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

  /** One term, on the elector's leader thread: returning lets the elector release the lock. */
  private void lead(LeadershipContext context) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    leading = done;
    Term t = new Term(context);
    term = t;
    try {
      publish(new LeadershipGrantedEvent(this, context));
      for (Observer o : observers) {
        notify(() -> o.granted(this, t));
      }
      awaitEnd(context);
    } finally {
      Thread.interrupted(); // the elector interrupts this thread when the term ends
      if (term == t) {
        term = null;
      }
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
      done.complete(null);
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
