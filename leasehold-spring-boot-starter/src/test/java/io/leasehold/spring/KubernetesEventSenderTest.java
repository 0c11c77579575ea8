package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Pending Kubernetes events go out before the context closes the client. */
class KubernetesEventSenderTest {

  @Test
  void destroyWaitsForPendingSendsThenRefusesNewOnes() throws Exception {
    KubernetesEventSender sender = new KubernetesEventSender();
    CountDownLatch sending = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    AtomicBoolean queuedSent = new AtomicBoolean();
    sender.execute(
        () -> {
          sending.countDown();
          try {
            answer.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    sender.execute(() -> queuedSent.set(true));
    assertThat(sending.await(20, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> destroyed =
        CompletableFuture.runAsync(
            () -> {
              try {
                sender.destroy();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(destroyed).isNotDone();
    answer.countDown();
    destroyed.get(20, TimeUnit.SECONDS);
    assertThat(queuedSent).isTrue();

    AtomicBoolean late = new AtomicBoolean();
    sender.execute(() -> late.set(true)); // dropped, not thrown
    assertThat(late).isFalse();
  }
}
