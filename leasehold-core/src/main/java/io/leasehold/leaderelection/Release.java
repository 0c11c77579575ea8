package io.leasehold.leaderelection;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockSnapshot;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client-go's release, with Leasehold's ordering: once the leader's work has returned, write an
 * empty holder (a one-second lease, transitions and token kept) so that a follower takes over at
 * once instead of after a full lease. The first write goes against the snapshot the leader last
 * observed, so a handover costs this one write; after a failure it reads and tries again every
 * retry period, all before a deadline, but only while the stored record is still that term's (the
 * same holder and fencing token: never a newer term, even one of a process with the same identity).
 * Work that has not returned by the deadline is never released under: the lease then expires
 * instead.
 */
final class Release {
  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

  private final Lock lock;
  private final ElectionClock clock;
  private final BoundedCalls calls;
  private final FailureLog failures;
  private final long retryNanos;
  private final LockView view;

  Release(LeaderElectionConfig config, BoundedCalls calls, FailureLog failures, LockView view) {
    this.lock = config.lock();
    this.clock = config.clock();
    this.calls = calls;
    this.failures = failures;
    this.retryNanos = config.retryPeriod().toNanos();
    this.view = view;
  }

  /**
   * Releases the lease once {@code work} is done, by {@code deadline} (monotonic).
   *
   * @return completed when released, when there was nothing to release, or at the deadline
   */
  CompletableFuture<Void> after(CompletableFuture<Void> work, long deadline) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    LockSnapshot ours = view.observation().snapshot();
    if (ours == null || !ours.record().holderIdentity().equals(lock.identity())) {
      log.debug("{}: lock {} is not ours; nothing to release", lock.identity(), lock.describe());
      done.complete(null);
      return done;
    }
    ElectionClock.Timer giveUp =
        clock.schedule(
            () -> {
              if (!work.isDone()) {
                log.warn(
                    "{}: the leader's work (onStartedLeading) still runs at renewDeadline; not"
                        + " releasing {}, the lease will expire instead",
                    lock.identity(),
                    lock.describe());
              }
              done.complete(null);
            },
            Math.max(0, deadline - clock.nanoTime()));
    work.whenComplete(
        (v, e) -> {
          if (!done.isDone()) {
            attempt(ours, ours.record().fencingToken(), deadline, done);
          }
        });
    return done.whenComplete((v, e) -> giveUp.cancel());
  }

  private void attempt(LockSnapshot base, long token, long deadline, CompletableFuture<Void> done) {
    String identity = lock.identity();
    if (base == null
        || !base.record().holderIdentity().equals(identity)
        || base.record().fencingToken() != token) {
      log.debug(
          "{}: lock {} is not our term's any more; nothing to release", identity, lock.describe());
      done.complete(null);
      return;
    }
    LeaderElectionRecord empty = TryAcquireOrRenew.released(base.record(), clock.now());
    calls
        .run((timeout, ex) -> lock.updateAsync(base, empty, timeout, ex), deadline)
        .whenComplete(
            (snapshot, e) -> {
              if (e == null) {
                view.written(snapshot);
                log.info("{}: released lease {}", identity, lock.describe());
                done.complete(null);
              } else {
                failures.failed("failed to release lock " + lock.describe(), e);
                retry(token, deadline, done);
              }
            });
  }

  /** After a failed release: read again a retry period later, while the deadline allows. */
  private void retry(long token, long deadline, CompletableFuture<Void> done) {
    if (done.isDone() || clock.nanoTime() + retryNanos - deadline >= 0) {
      log.warn("{}: could not release lease {} in time", lock.identity(), lock.describe());
      done.complete(null);
      return;
    }
    clock.schedule(
        () ->
            calls
                .run((timeout, ex) -> lock.getAsync(timeout, ex), deadline)
                .whenComplete(
                    (read, e) -> {
                      if (e != null) {
                        failures.failed("error retrieving lock " + lock.describe(), e);
                        retry(token, deadline, done);
                      } else {
                        attempt(read.orElse(null), token, deadline, done);
                      }
                    }),
        retryNanos);
  }
}
