package io.leasehold.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.leasehold.kubernetes.KubernetesLocks;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import io.leasehold.testing.MockApiDispatcher;
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

  static Backend start() {
    KubernetesMockServer server = MockApiDispatcher.startServer();
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
        MockApiDispatcher.stopServer(server);
      }
    };
  }
}
