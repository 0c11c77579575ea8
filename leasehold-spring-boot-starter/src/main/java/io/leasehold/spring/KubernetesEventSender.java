package io.leasehold.spring;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;

/**
 * Sends the election's Kubernetes Events ("became leader", "stopped leading") on one thread that
 * exists only while events are pending, and sends the pending ones before the context closes the
 * client: as a bean depending on the client, it is destroyed first. Without it the last event of a
 * shutdown ("stopped leading") would meet a closed client.
 */
final class KubernetesEventSender implements Executor, DisposableBean {
  private static final long DRAIN_MILLIS = 2_000;

  private final ThreadPoolExecutor pool =
      new ThreadPoolExecutor(
          0,
          1,
          1,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "leasehold-kubernetes-events");
            t.setDaemon(true);
            return t;
          });

  @Override
  public void execute(Runnable send) {
    try {
      pool.execute(send);
    } catch (RejectedExecutionException e) {
      // the context is closing: the event is dropped, as a recorder drops failed sends
    }
  }

  @Override
  public void destroy() throws InterruptedException {
    pool.shutdown();
    if (!pool.awaitTermination(DRAIN_MILLIS, TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
    }
  }
}
