package io.leasehold.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.leasehold.leaderelection.resourcelock.DaemonThreads;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * fabric8's CRUD dispatcher for the mock API server, with one flaw of the mock removed: when a
 * client closes a watch while the server is sending it an event, the mock's watch listener waits,
 * on the connection's event loop, for that send, which needs the same event loop; every request on
 * the loop then stalls for 30 s (fabric8 7.8.0 and 7.9.0; seen as "Thread blocked" in {@code
 * WatchEventsListener.onClosed}). Here the close and failure handlers of a watch run on a thread of
 * their own, so the send completes and the event loop keeps serving. Use it in place of {@link
 * KubernetesCrudDispatcher}, or start a server with {@link #startServer()}.
 */
public class MockApiDispatcher extends KubernetesCrudDispatcher {
  private final ExecutorService closer =
      Executors.newSingleThreadExecutor(DaemonThreads.factory("mock-api-watch-close"));

  /** A dispatcher with an empty store. */
  public MockApiDispatcher() {}

  /** A mock API server in CRUD mode on this dispatcher, plain HTTP on a free loopback port. */
  public static KubernetesMockServer startServer() {
    return startServer(new MockApiDispatcher(), 0);
  }

  /** A mock API server on {@code dispatcher}, plain HTTP on loopback {@code port} (0: any). */
  static KubernetesMockServer startServer(Dispatcher dispatcher, int port) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), port);
    return server;
  }

  /**
   * Stops a mock API server. One that does not stop within its own limit (fabric8's dispatcher,
   * stalled by a watch closed mid-event) is reported on standard error and otherwise ignored: a
   * flaw of the mock, not of the code under test.
   */
  public static void stopServer(KubernetesMockServer server) {
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      System.err.println("mock API server did not stop in time (ignored): " + e);
    }
  }

  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    WebSocketListener listener = response.getWebSocketListener();
    return listener == null ? response : response.withWebSocketUpgrade(new OffLoop(listener));
  }

  @Override
  public void shutdown() {
    super.shutdown();
    closer.shutdown();
  }

  /**
   * Forwards every event (but the deprecated ByteString message), running the two that may block
   * off the event loop.
   */
  private final class OffLoop extends WebSocketListener {
    private final WebSocketListener listener;

    OffLoop(WebSocketListener listener) {
      this.listener = listener;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      listener.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      listener.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      listener.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      listener.onMessage(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      listener.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      closer.execute(() -> listener.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      closer.execute(() -> listener.onFailure(webSocket, t, response));
    }
  }
}
