package io.leasehold.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A standalone ZooKeeper server ({@code curator-test}'s {@code TestingServer}, in-process in its
 * own JVM so that its CPU can be measured apart) for the Curator reference runs. Prints {@code
 * ready port=<port>}, then runs until standard input closes. Its four-letter-word commands are all
 * enabled, so the coordinator can read request counts ({@link #received}).
 *
 * <pre>ZooKeeperServerProcess &lt;tickTime ms&gt;</pre>
 */
final class ZooKeeperServerProcess {
  private ZooKeeperServerProcess() {}

  /**
   * A ZooKeeper server on a free loopback port whose sessions may last from 2 to 20 ticks of {@code
   * tickMillis}, with every four-letter word enabled; started.
   */
  static TestingServer server(int tickMillis) throws Exception {
    System.setProperty("zookeeper.4lw.commands.whitelist", "*");
    System.setProperty("zookeeper.admin.enableServer", "false");
    InstanceSpec spec =
        new InstanceSpec(null, -1, -1, -1, true, -1, tickMillis, 1000, Map.of(), "127.0.0.1");
    return new TestingServer(spec, true);
  }

  public static void main(String[] args) throws Exception {
    try (TestingServer server = server(Integer.parseInt(args[0]))) {
      ChildProtocol.say("ready port=" + server.getPort());
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.trim().equals("exit")) {
        // nothing else to do
      }
    }
    Runtime.getRuntime().halt(0);
  }

  /** The answer of the server on {@code port} to the four-letter word {@code command}. */
  static String fourLetterWord(int port, String command) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = s.getOutputStream();
      out.write(command.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The packets the server on {@code port} has received from clients ({@code srvr}). */
  static long received(int port) throws IOException {
    for (String line : fourLetterWord(port, "srvr").split("\n")) {
      if (line.startsWith("Received:")) {
        return Long.parseLong(line.substring("Received:".length()).trim());
      }
    }
    throw new IOException("no 'Received:' in the answer to srvr");
  }
}
