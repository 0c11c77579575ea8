package io.leasehold.leaderelection.resourcelock;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The one reconnect rule of every backend's watch, in virtual time: health, the backoff and its
 * jitter, what the watcher is told, and close.
 */
class ReconnectingWatchTest {
  private static final LockSnapshot SNAPSHOT =
      new LockSnapshot(LeaderElectionRecord.EMPTY, new byte[] {1}, "1");

  private final FakeClock clock = new FakeClock();
  private final List<String> told = new ArrayList<>(); // what the watcher got: "?" for null
  private final Backend backend = new Backend();
  private double random; // the jitter's draw

  /** A scripted backend: each open fails or returns a stream, as the test says. */
  private static final class Backend implements ReconnectingWatch.Connector {
    final List<ReconnectingWatch.Session> sessions = new ArrayList<>();
    final AtomicInteger closedStreams = new AtomicInteger();
    boolean refuse; // opening fails
    boolean confirm = true; // an opened stream is confirmed at once

    @Override
    public AutoCloseable open(ReconnectingWatch.Session session) throws Exception {
      sessions.add(session);
      if (refuse) {
        throw new Exception("connection refused");
      }
      if (confirm) {
        session.opened();
      }
      return closedStreams::incrementAndGet;
    }

    ReconnectingWatch.Session last() {
      return sessions.get(sessions.size() - 1);
    }
  }

  private ReconnectingWatch open() {
    return open(s -> told.add(s == null ? "?" : s.version()), backend);
  }

  private ReconnectingWatch open(LockWatcher watcher, ReconnectingWatch.Connector connector) {
    ReconnectingWatch.Clock virtual =
        new ReconnectingWatch.Clock() {
          @Override
          public long nanoTime() {
            return clock.nanoTime();
          }

          @Override
          public Runnable schedule(Runnable task, long delayNanos) {
            return clock.schedule(task, delayNanos)::cancel;
          }

          @Override
          public double random() {
            return random;
          }
        };
    return ReconnectingWatch.open("test", watcher, connector, virtual);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  @Test
  void theBackoffDoublesFrom250msUpTo10sAndItsJitterTakesAtMostHalf() {
    long[] fullMillis = {250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000};
    for (int n = 1; n <= fullMillis.length; n++) {
      long full = ms(fullMillis[n - 1]).toNanos();
      assertThat(ReconnectingWatch.backoffNanos(n, 0))
          .as("failure %d, least", n)
          .isEqualTo(full / 2);
      assertThat(ReconnectingWatch.backoffNanos(n, 0.999_999))
          .as("failure %d, most", n)
          .isBetween(full - 100_000, full);
    }
    assertThat(ReconnectingWatch.backoffNanos(1000, 0.999_999))
        .isLessThanOrEqualTo(ms(10_000).toNanos());
  }

  @Test
  void aConfirmedStreamIsHealthyAndTheWatcherReadsOnce() {
    ReconnectingWatch w = open();
    assertThat(w.isHealthy()).isTrue();
    assertThat(told).containsExactly("?");
    backend.last().changed(SNAPSHOT);
    backend.last().changed(null);
    assertThat(told).containsExactly("?", "1", "?");
  }

  @Test
  void anUnconfirmedStreamIsNotHealthyYet() {
    backend.confirm = false;
    ReconnectingWatch w = open();
    assertThat(w.isHealthy()).isFalse();
    backend.last().changed(SNAPSHOT); // a change before the confirmation still counts
    backend.last().opened();
    assertThat(w.isHealthy()).isTrue();
    assertThat(told).containsExactly("1", "?");
  }

  @Test
  void aStreamThatCannotOpenIsRetriedAfterTheBackoffUntilItOpens() {
    backend.refuse = true;
    random = 0; // each wait is half the full delay: 125, 250, 500 ms...
    ReconnectingWatch w = open();
    assertThat(w.isHealthy()).isFalse();
    long[] waits = {125, 250, 500, 1000, 2000, 4000, 5000, 5000};
    for (long wait : waits) {
      int before = backend.sessions.size();
      clock.advance(ms(wait - 1));
      assertThat(backend.sessions).as("no attempt before %d ms", wait).hasSize(before);
      clock.advance(ms(1));
      assertThat(backend.sessions).as("an attempt at %d ms", wait).hasSize(before + 1);
    }
    assertThat(told).as("health did not change: nothing to tell").isEmpty();
    backend.refuse = false;
    clock.advance(ms(5000));
    assertThat(w.isHealthy()).isTrue();
    assertThat(told).containsExactly("?");
  }

  @Test
  void aHealthyStreamThatBreaksTurnsUnhealthyTellsTheWatcherAndComesBackQuickly() {
    random = 0.5;
    ReconnectingWatch w = open();
    clock.advance(ms(60_000)); // up long enough to count as stable
    ReconnectingWatch.Session first = backend.last();
    first.broke(new Exception("connection reset"));
    assertThat(w.isHealthy()).isFalse();
    assertThat(backend.closedStreams).as("the broken stream is closed").hasValue(1);
    assertThat(told).containsExactly("?", "?");
    clock.advance(ms(188)); // 125 + 0.5 x 125 ms: the first failure in a row
    assertThat(backend.sessions).hasSize(2);
    assertThat(w.isHealthy()).isTrue();
    assertThat(told).containsExactly("?", "?", "?");

    // reports from the stream that broke are ignored
    first.changed(SNAPSHOT);
    first.broke(null);
    first.opened();
    assertThat(told).hasSize(3);
    assertThat(w.isHealthy()).isTrue();
  }

  @Test
  void aStreamThatBreaksRightAfterOpeningBacksOffLikeOneThatCannotOpen() {
    random = 0;
    open();
    long[] waits = {125, 250, 500, 1000};
    for (long wait : waits) {
      backend.last().broke(null); // the server ends every stream at once
      int before = backend.sessions.size();
      clock.advance(ms(wait - 1));
      assertThat(backend.sessions).as("no attempt before %d ms", wait).hasSize(before);
      clock.advance(ms(1));
      assertThat(backend.sessions).hasSize(before + 1);
    }
    // once a stream stays up for 10 s, the count starts again
    clock.advance(ms(10_000));
    backend.last().broke(null);
    int before = backend.sessions.size();
    clock.advance(ms(125));
    assertThat(backend.sessions).hasSize(before + 1);
  }

  @Test
  void closeIsIdempotentStopsTheStreamAndThePendingAttemptAndSilencesTheWatcher() {
    ReconnectingWatch w = open();
    ReconnectingWatch.Session s = backend.last();
    w.close();
    w.close();
    assertThat(w.isHealthy()).isFalse();
    assertThat(backend.closedStreams).hasValue(1);
    s.changed(SNAPSHOT);
    s.broke(new Exception("late"));
    assertThat(told).containsExactly("?");
    assertThat(clock.pendingTasks())
        .as("a broken stream of a closed watch is not retried")
        .isZero();

    backend.refuse = true;
    ReconnectingWatch retrying = open();
    assertThat(clock.pendingTasks()).isEqualTo(1);
    retrying.close();
    clock.advance(ms(60_000));
    assertThat(backend.sessions).as("the pending attempt was cancelled").hasSize(2);
  }

  @Test
  void aStreamOpenedWhileTheWatchClosesIsClosedAtOnce() {
    ReconnectingWatch[] watch = new ReconnectingWatch[1];
    backend.refuse = true;
    watch[0] =
        open(
            s -> told.add("?"),
            session -> {
              if (watch[0] == null) {
                throw new Exception("refused"); // the first attempt, on the caller's thread
              }
              watch[0].close(); // another thread closes the watch while this one opens
              return backend.closedStreams::incrementAndGet;
            });
    clock.advance(ms(250));
    assertThat(backend.closedStreams).hasValue(1);
    assertThat(watch[0].isHealthy()).isFalse();
    assertThat(told).isEmpty();
  }

  @Test
  void whatTheWatcherThrowsIsCaught() {
    ReconnectingWatch w =
        open(
            s -> {
              throw new IllegalStateException("watcher bug");
            },
            backend);
    assertThat(w.isHealthy()).isTrue();
    backend.last().changed(SNAPSHOT);
    backend.last().broke(new RuntimeException("boom"));
    assertThat(w.isHealthy()).isFalse();
    clock.advance(ms(250));
    assertThat(w.isHealthy()).as("and the watch goes on").isTrue();
    w.close();
  }
}
