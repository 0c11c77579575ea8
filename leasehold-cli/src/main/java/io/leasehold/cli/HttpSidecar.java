package io.leasehold.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The sidecar's HTTP endpoints, on the JDK's built-in server: {@code /healthz} (the elector's
 * health check: 200, or 500 with the reason), {@code /leader} ({@code {"name":"<holder>"}}, as the
 * Kubernetes leader-elector sidecar serves it) and {@code /metrics} (Prometheus text).
 */
final class HttpSidecar implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private HttpSidecar(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Serves on {@code address}: {@code PORT} (loopback), {@code HOST:PORT}; port 0 picks a free one.
   */
  static HttpSidecar start(
      String address,
      Supplier<LeaderElector> elector,
      Duration tolerance,
      PrometheusMeterRegistry registry)
      throws IOException {
    InetSocketAddress bind = parse(address);
    HttpServer server = HttpServer.create(bind, 16);
    ExecutorService executor =
        Executors.newFixedThreadPool(2, DaemonThreads.factory("leasehold-http"));
    server.setExecutor(executor);
    server.createContext(
        "/healthz",
        ex -> {
          LeaderElector e = elector.get();
          Optional<String> problem = e == null ? Optional.empty() : e.check(tolerance);
          if (problem.isEmpty()) {
            reply(ex, 200, "text/plain; charset=utf-8", "ok\n");
          } else {
            reply(ex, 500, "text/plain; charset=utf-8", problem.get() + "\n");
          }
        });
    server.createContext(
        "/leader",
        ex -> {
          LeaderElector e = elector.get();
          String holder = e == null ? "" : e.getLeader();
          reply(ex, 200, "application/json", Json.object(Map.of("name", holder)) + "\n");
        });
    server.createContext(
        "/metrics",
        ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/", ex -> reply(ex, 404, "text/plain; charset=utf-8", "not found\n"));
    server.start();
    return new HttpSidecar(server, executor);
  }

  /** The address actually bound. */
  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  static InetSocketAddress parse(String address) {
    String host = "127.0.0.1";
    String port = address;
    int colon = address.lastIndexOf(':');
    if (colon >= 0) {
      host = address.substring(0, colon);
      port = address.substring(colon + 1);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid --http address '" + address + "': use PORT or HOST:PORT");
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("invalid --http port " + p);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host.isEmpty() ? "0.0.0.0" : host), p);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid --http host '" + host + "'");
    }
  }

  private static void reply(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
