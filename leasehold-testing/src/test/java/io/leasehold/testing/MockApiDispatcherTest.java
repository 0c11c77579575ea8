package io.leasehold.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Watches closed while the server streams them events: with fabric8's own CRUD dispatcher the
 * mock's event loop stalls for up to 30 s now and then, so requests time out; with {@link
 * MockApiDispatcher} every round is quick.
 */
class MockApiDispatcherTest {

  @Test
  void closingWatchesMidStreamNeverStallsOtherRequests() throws Exception {
    KubernetesMockServer server = MockApiDispatcher.startServer();
    try (KubernetesClient writer = server.createClient();
        KubernetesClient watcher = server.createClient()) {
      var maps = writer.configMaps().inNamespace("ns");
      maps.resource(map(0)).create();
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread writes =
          new Thread(
              () -> {
                for (int i = 1; writing.get(); i++) {
                  maps.resource(map(i)).update();
                }
              });
      writes.start();
      try {
        long slowest = 0;
        for (int round = 0; round < 25; round++) {
          long start = System.nanoTime();
          CountDownLatch event = new CountDownLatch(1);
          Watch w = watcher.configMaps().inNamespace("ns").withName("m").watch(counting(event));
          assertThat(event.await(10, TimeUnit.SECONDS)).as("an event in round %d", round).isTrue();
          w.close(); // while the writes keep events on their way
          assertThat(maps.withName("m").get()).isNotNull();
          slowest = Math.max(slowest, System.nanoTime() - start);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(slowest))
            .as("slowest round (open a watch, see an event, close it, read), ms")
            .isLessThan(5_000);
      } finally {
        writing.set(false);
        writes.join(10_000);
      }
    } finally {
      server.destroy();
    }
  }

  private static ConfigMap map(int i) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("m")
        .withNamespace("ns")
        .endMetadata()
        .addToData("i", Integer.toString(i))
        .build();
  }

  private static Watcher<ConfigMap> counting(CountDownLatch event) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        event.countDown();
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }
}
