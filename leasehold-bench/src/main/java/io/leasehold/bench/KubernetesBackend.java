package io.leasehold.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.leasehold.kubernetes.KubernetesLocks;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Leases on fabric8's mock API server in CRUD mode on loopback (no real kube-apiserver runs on
 * these machines): a stand-in for the API server's request handling, not for its storage.
 */
final class KubernetesBackend {
  /** The mock logs every request at INFO through java.util.logging: keep it quiet. */
  private static final Logger MOCK_LOG = quiet(Logger.getLogger("io.fabric8.mockwebserver"));

  private KubernetesBackend() {}

  private static Logger quiet(Logger logger) {
    logger.setLevel(Level.WARNING);
    return logger;
  }

  /** A mock API server in CRUD mode, plain HTTP on a free loopback port, started. */
  static KubernetesMockServer mockServer() {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return server;
  }

  /** Stops the mock; one that does not stop in time (a watch closing mid-event) is reported. */
  static void stop(KubernetesMockServer server) {
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      System.err.println("mock API server did not stop in time (ignored): " + e);
    }
  }

  static Backend start() {
    KubernetesMockServer server = mockServer();
    KubernetesClient client = server.createClient();
    return new Backend("kubernetes") {
      @Override
      Lock lock(String lockName, String identity) {
        return KubernetesLocks.create(
            KubernetesLocks.LEASES, "default", lockName, client, ResourceLockConfig.of(identity));
      }

      @Override
      String watch() {
        return "Lease watch (mock API server)";
      }

      @Override
      public void close() {
        client.close();
        stop(server);
      }
    };
  }
}
