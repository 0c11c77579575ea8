package io.leasehold.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A fabric8 mock API server in CRUD mode, recording every request, with injectable failures: a rule
 * answers matching requests with a status code instead of the CRUD store.
 */
public final class MockCluster implements AutoCloseable {

  /** One recorded request: its method, its path with the query, and its body (empty if none). */
  public record Request(String method, String path, String body) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private record Rule(Predicate<Request> matches, int code, String message, Duration delay) {}

  /** Every request the server received, oldest first. */
  public final List<Request> requests = new CopyOnWriteArrayList<>();

  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<KubernetesClient> clients = new ArrayList<>();

  /** The mock server. */
  public final KubernetesMockServer server;

  /** A client of the server (closed with the cluster). */
  public final KubernetesClient client;

  public MockCluster() {
    this(0);
  }

  /** A cluster listening on {@code port} (0: any free port). */
  public MockCluster(int port) {
    KubernetesCrudDispatcher crud = new MockApiDispatcher();
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            Request r = new Request(request.getMethod(), request.getPath(), body(request));
            requests.add(r);
            for (Rule rule : rules) {
              if (rule.matches.test(r)) {
                MockResponse response = status(rule.code(), rule.message());
                return rule.delay() == null ? response : response.setBodyDelay(rule.delay());
              }
            }
            return crud.dispatch(request);
          }

          @Override
          public void shutdown() {
            crud.shutdown();
          }
        };
    server = MockApiDispatcher.startServer(dispatcher, port);
    client = newClient();
  }

  /** The port the server listens on. */
  public int port() {
    return server.getPort();
  }

  /** Another client of this server (closed with the cluster). */
  public synchronized KubernetesClient newClient() {
    KubernetesClient c = server.createClient();
    clients.add(c);
    return c;
  }

  /** Answers requests matching {@code method} and containing {@code pathPart} with {@code code}. */
  public void fail(String method, String pathPart, int code, String message) {
    rules.add(
        new Rule(
            r -> r.method().equalsIgnoreCase(method) && r.path().contains(pathPart),
            code,
            message,
            null));
  }

  /** Answers matching requests with {@code code} only after {@code delay}. */
  public void slow(String method, String pathPart, int code, Duration delay) {
    rules.add(
        new Rule(
            r -> r.method().equalsIgnoreCase(method) && r.path().contains(pathPart),
            code,
            "slow",
            delay));
  }

  /** Removes every failure rule. */
  public void heal() {
    rules.clear();
  }

  /** The recorded requests with this method whose path contains {@code pathPart}. */
  public List<Request> requests(String method, String pathPart) {
    List<Request> out = new ArrayList<>();
    for (Request r : requests) {
      if (r.method().equalsIgnoreCase(method) && r.path().contains(pathPart)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Closes the clients and stops the server ({@link MockApiDispatcher#stopServer}). */
  @Override
  public synchronized void close() {
    for (KubernetesClient c : clients) {
      c.close();
    }
    MockApiDispatcher.stopServer(server);
  }

  private static String body(RecordedRequest request) {
    try {
      return request.getBody() == null
          ? ""
          : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static MockResponse status(int code, String message) {
    String json =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            + "\"message\":"
            + quote(message)
            + ",\"code\":"
            + code
            + "}";
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(json);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
