package io.leasehold.cli.chaos;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Forwards TCP connections to a loopback port of this JVM to a Unix socket. The runner lives in the
 * host's network namespace and the servers of a partition run in namespaces of their own; a Unix
 * socket is a file, seen from every namespace, so the runner reaches a PostgreSQL server there
 * through its socket, with a plain JDBC URL to {@link #port()}. Daemon threads, two per connection.
 */
final class UnixRelay implements Closeable {
  private final ServerSocket server;
  private final Path socket;
  private final Set<Closeable> open = new HashSet<>();

  private UnixRelay(ServerSocket server, Path socket) {
    this.server = server;
    this.socket = socket;
  }

  /** Starts relaying 127.0.0.1:{@link #port()} to {@code socket}. */
  static UnixRelay start(Path socket) throws IOException {
    UnixRelay r = new UnixRelay(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), socket);
    daemon("relay-" + r.port(), r::accept);
    return r;
  }

  /** The loopback port. */
  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket tcp = server.accept();
        SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
          unix.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
          tcp.close();
          unix.close();
          continue;
        }
        if (!register(tcp, unix)) {
          return;
        }
        daemon("relay-in", () -> pump(tcp, unix, false));
        daemon("relay-out", () -> pump(tcp, unix, true));
      } catch (IOException e) {
        // closed, or one connection failed: the client sees it
      }
    }
  }

  /**
   * Copies one direction. The channel is used directly, not through {@code Channels} streams, which
   * hold the channel's blocking lock while reading and would block the other direction.
   */
  private void pump(Socket tcp, SocketChannel unix, boolean toTcp) {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try {
      if (toTcp) {
        OutputStream out = tcp.getOutputStream();
        while (unix.read(buffer) >= 0) {
          out.write(buffer.array(), 0, buffer.position());
          buffer.clear();
        }
      } else {
        InputStream in = tcp.getInputStream();
        for (int n; (n = in.read(buffer.array())) >= 0; ) {
          buffer.limit(n);
          while (buffer.hasRemaining()) {
            unix.write(buffer);
          }
          buffer.clear();
        }
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(tcp);
      closeQuietly(unix);
      synchronized (this) {
        open.remove(tcp);
        open.remove(unix);
      }
    }
  }

  private synchronized boolean register(Closeable... cs) {
    if (server.isClosed()) {
      for (Closeable c : cs) {
        closeQuietly(c);
      }
      return false;
    }
    open.addAll(List.of(cs));
    return true;
  }

  @Override
  public void close() {
    List<Closeable> all;
    synchronized (this) {
      closeQuietly(server);
      all = new ArrayList<>(open);
      open.clear();
    }
    all.forEach(UnixRelay::closeQuietly);
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
