package io.leasehold.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real etcd servers (Debian's {@code etcd-server} package) on free loopback ports with a temp data
 * folder, for tests: one member or a cluster of several, plain or with TLS. Members can be killed
 * and started again. Everything is stopped and deleted on {@link #close()} (and at JVM exit).
 *
 * <pre>{@code
 * try (EtcdCluster etcd = EtcdCluster.start(1)) {
 *   Client client = Client.builder().endpoints(etcd.clientUrls()).build();
 * }
 * }</pre>
 *
 * <p>{@link #startInNetworkNamespace} starts a member inside a network namespace instead, for
 * partition tests: it serves clients on every address of that namespace.
 */
public final class EtcdCluster implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(30);

  private final Path dir;
  private final TestCertificates tls;
  private final String namespace; // a network namespace, or null
  private final List<Member> members = new ArrayList<>();
  private final Thread cleanup = new Thread(this::destroy, "etcd-test-cleanup");

  private EtcdCluster(Path dir, TestCertificates tls, String namespace) {
    this.dir = dir;
    this.tls = tls;
    this.namespace = namespace;
  }

  /** Starts a cluster of {@code size} members without TLS and waits until all serve clients. */
  public static EtcdCluster start(int size) throws IOException {
    return start(size, null, null);
  }

  /**
   * Starts one member without TLS in network namespace {@code namespace} (it must exist; this needs
   * root), through {@code ip netns exec}, serving clients on port {@link Member#clientPort()} of
   * every address there. {@link #clientUrls()} then work only inside the namespace.
   */
  public static EtcdCluster startInNetworkNamespace(String namespace) throws IOException {
    return start(1, null, namespace);
  }

  /**
   * Starts a cluster whose client URLs use TLS with client-certificate authentication, signed by
   * {@code tls}'s CA.
   */
  public static EtcdCluster startWithTls(int size, TestCertificates tls) throws IOException {
    return start(size, tls, null);
  }

  private static EtcdCluster start(int size, TestCertificates tls, String namespace)
      throws IOException {
    String etcd = findEtcd();
    Path dir = Files.createTempDirectory("leasehold-etcd-");
    EtcdCluster c = new EtcdCluster(dir, tls, namespace);
    Runtime.getRuntime().addShutdownHook(c.cleanup);
    for (int i = 0; i < size; i++) {
      c.members.add(new Member(c, "m" + i, freePort(), freePort(), etcd));
    }
    String initial =
        c.members.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
    for (Member m : c.members) {
      m.initialCluster = initial;
      m.launch("new");
    }
    for (Member m : c.members) {
      m.awaitReady();
    }
    return c;
  }

  /** The members' client URLs, comma-free, in member order. */
  public String[] clientUrls() {
    return members.stream().map(Member::clientUrl).toArray(String[]::new);
  }

  /** The members. */
  public List<Member> members() {
    return List.copyOf(members);
  }

  /** The folder holding data and logs. */
  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException ignored) {
      // the JVM is exiting
    }
  }

  private synchronized void destroy() {
    for (Member m : members) {
      m.kill();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }

  private static String findEtcd() {
    for (String candidate : new String[] {"/usr/bin/etcd", "/usr/local/bin/etcd"}) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "etcd is not installed: run bin/install-test-deps (apt-get install etcd-server)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** One etcd process. */
  public static final class Member {
    private final EtcdCluster cluster;
    private final String name;
    private final int clientPort;
    private final int peerPort;
    private final String etcd;
    private String initialCluster;
    private Process process;
    private CountDownLatch ready;

    private Member(EtcdCluster cluster, String name, int clientPort, int peerPort, String etcd) {
      this.cluster = cluster;
      this.name = name;
      this.clientPort = clientPort;
      this.peerPort = peerPort;
      this.etcd = etcd;
    }

    /** The member's name ({@code m0}, {@code m1}...). */
    public String name() {
      return name;
    }

    /** Its client URL. */
    public String clientUrl() {
      return (cluster.tls != null ? "https" : "http") + "://127.0.0.1:" + clientPort;
    }

    /** The port it serves clients on. */
    public int clientPort() {
      return clientPort;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }

    /** Whether its process runs. */
    public synchronized boolean isRunning() {
      return process != null && process.isAlive();
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public synchronized void kill() {
      if (process != null) {
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        process = null;
      }
    }

    /** Starts a killed member again on its data folder and waits until it serves clients. */
    public void restart() throws IOException {
      kill();
      launch("existing");
      awaitReady();
    }

    private synchronized void launch(String state) throws IOException {
      List<String> cmd = new ArrayList<>();
      String listen = clientUrl();
      if (cluster.namespace != null) {
        cmd.addAll(List.of("ip", "netns", "exec", cluster.namespace));
        listen = listen.replace("127.0.0.1", "0.0.0.0");
      }
      cmd.addAll(
          List.of(
              etcd,
              "--name",
              name,
              "--data-dir",
              cluster.dir.resolve(name).toString(),
              "--listen-client-urls",
              listen,
              "--advertise-client-urls",
              clientUrl(),
              "--listen-peer-urls",
              peerUrl(),
              "--initial-advertise-peer-urls",
              peerUrl(),
              "--initial-cluster",
              initialCluster,
              "--initial-cluster-state",
              state,
              "--initial-cluster-token",
              cluster.dir.getFileName().toString(),
              "--heartbeat-interval",
              "50",
              "--election-timeout",
              "500",
              "--logger",
              "zap",
              "--log-outputs",
              "stderr"));
      if (cluster.tls != null) {
        cmd.addAll(
            List.of(
                "--cert-file",
                cluster.tls.serverCert().toString(),
                "--key-file",
                cluster.tls.serverKey().toString(),
                "--trusted-ca-file",
                cluster.tls.caCert().toString(),
                "--client-cert-auth"));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      process = pb.start();
      ready = new CountDownLatch(1);
      Path log = cluster.dir.resolve(name + ".log");
      Process p = process;
      CountDownLatch r = ready;
      Thread pump =
          new Thread(
              () -> {
                try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    Writer out =
                        Files.newBufferedWriter(
                            log,
                            StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND)) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.write('\n');
                    out.flush();
                    if (line.contains("serving client traffic")
                        || line.contains("ready to serve client requests")) {
                      r.countDown();
                    }
                  }
                } catch (IOException ignored) {
                  // the process is gone
                }
              },
              "etcd-" + name + "-log");
      pump.setDaemon(true);
      pump.start();
    }

    private void awaitReady() throws IOException {
      CountDownLatch r;
      Process p;
      synchronized (this) {
        r = ready;
        p = process;
      }
      try {
        if (!r.await(READY.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException(
              "etcd member "
                  + name
                  + " did not become ready within "
                  + READY
                  + "; alive="
                  + p.isAlive()
                  + ", log: "
                  + cluster.dir.resolve(name + ".log"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    @Override
    public String toString() {
      return name + "@" + clientUrl();
    }
  }
}
