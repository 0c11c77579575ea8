package io.leasehold.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.testing.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ElasticPoolTest {
  private static final Duration T = Duration.ofSeconds(30);
  private final ElasticPool pool = new ElasticPool("test-pool", 4, Duration.ofMillis(200));
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void shutdown() {
    release.countDown();
    pool.shutdownNow();
  }

  private void runAndWait() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    pool.execute(done::countDown);
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void tasksOneAfterAnotherShareOneThread() throws Exception {
    for (int i = 0; i < 50; i++) {
      runAndWait();
      Await.until(T, () -> pool.idleThreads() == 1, "the thread waits for the next task");
    }
    assertThat(pool.getLargestPoolSize()).isEqualTo(1);
  }

  @Test
  void busyThreadsAreAddedUpToTheMaximum_thenTasksQueue_andIdleOnesRetire() throws Exception {
    CountDownLatch started = new CountDownLatch(4);
    for (int i = 0; i < 4; i++) {
      pool.execute(
          () -> {
            started.countDown();
            awaitQuietly(release);
          });
    }
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    CountDownLatch queued = new CountDownLatch(1);
    pool.execute(queued::countDown);
    assertThat(queued.await(300, TimeUnit.MILLISECONDS)).as("waits for a free thread").isFalse();
    assertThat(pool.getPoolSize()).isEqualTo(4);
    release.countDown();
    assertThat(queued.await(30, TimeUnit.SECONDS)).isTrue();
    Await.until(T, () -> pool.getPoolSize() == 0, "idle threads retire");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
