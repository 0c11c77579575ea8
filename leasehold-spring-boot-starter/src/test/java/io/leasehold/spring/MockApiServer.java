package io.leasehold.spring;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.leasehold.testing.MockApiDispatcher;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * fabric8's mock API server in CRUD mode on loopback (on leasehold-testing's {@link
 * MockApiDispatcher}, which keeps a watch closed mid-event from stalling it), and the configuration
 * that gives a test application a {@link KubernetesClient} bean of it (from {@code
 * test.kubernetes.url}), as Spring Cloud Kubernetes gives one to real applications.
 */
final class MockApiServer implements AutoCloseable {
  static final String NAMESPACE = "test";

  private final KubernetesMockServer server;

  MockApiServer() {
    server = MockApiDispatcher.startServer();
  }

  String url() {
    return server.url("/");
  }

  /** A client of this server; the caller closes it. */
  KubernetesClient newClient() {
    return client(url());
  }

  static KubernetesClient client(String url) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withNamespace(NAMESPACE)
            .withHttp2Disable(true)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Stops the server ({@link MockApiDispatcher#stopServer}). */
  @Override
  public void close() {
    MockApiDispatcher.stopServer(server);
  }

  /** The application's KubernetesClient bean, on the mock server at {@code test.kubernetes.url}. */
  @Configuration(proxyBeanMethods = false)
  static class ClientConfiguration {
    @Bean(destroyMethod = "close")
    KubernetesClient kubernetesClient(@Value("${test.kubernetes.url}") String url) {
      return client(url);
    }
  }
}
