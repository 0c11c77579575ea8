package io.leasehold.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server for tests, from Debian's {@code postgresql} package: {@code initdb} into
 * a temporary folder and {@code pg_ctl start} on a free loopback port, as the {@code postgres} user
 * when running as root (initdb refuses root). Trust authentication on 127.0.0.1, fsync off. {@link
 * #close()} stops the server and deletes the folder; a shutdown hook does the same if a test run is
 * cut short.
 *
 * <p>{@link #startInNetworkNamespace} starts one inside a network namespace instead, for partition
 * tests: it then serves every address of that namespace, and the test JVM reaches it through its
 * Unix socket ({@link #socketFile()}).
 */
public final class PostgresServer implements AutoCloseable {
  private static final String USER = "postgres";

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asPostgres;
  private final String namespace; // a network namespace, or null
  private final Thread cleanup;
  private boolean running;

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgres, String namespace) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asPostgres = asPostgres;
    this.namespace = namespace;
    this.cleanup = new Thread(this::destroy, "postgres-test-cleanup");
  }

  /** Initialises and starts a new server. */
  public static PostgresServer start() throws IOException, InterruptedException {
    return start(null);
  }

  /**
   * Initialises and starts a new server in network namespace {@code namespace} (it must exist; this
   * needs root), listening on every address there and trusting every client on the namespace's own
   * subnets. Its tools run through {@code ip netns exec}. {@link #jdbcUrl()} and {@link
   * #dataSource()} then work only inside the namespace; from elsewhere on the host, connect to
   * {@link #socketFile()}.
   */
  public static PostgresServer startInNetworkNamespace(String namespace)
      throws IOException, InterruptedException {
    return start(namespace);
  }

  private static PostgresServer start(String namespace) throws IOException, InterruptedException {
    Path bin = findBinaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("leasehold-pg-");
    if (root) {
      UserPrincipal postgres =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
      Files.setOwner(dir, postgres);
    }
    PostgresServer server = new PostgresServer(bin, dir, freePort(), root, namespace);
    Runtime.getRuntime().addShutdownHook(server.cleanup);
    server.run(
        "initdb",
        "-D",
        server.data.toString(),
        "-U",
        USER,
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-sync",
        "--no-instructions");
    if (namespace != null) {
      Files.writeString(
          server.data.resolve("pg_hba.conf"),
          "host all all samenet trust\n",
          java.nio.file.StandardOpenOption.APPEND);
    }
    server.startServer();
    return server;
  }

  /** The JDBC URL of the {@code postgres} database. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** The port the server listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** The server's Unix socket, which reaches it from any network namespace of the host. */
  public Path socketFile() {
    return dir.resolve(".s.PGSQL." + port);
  }

  /** A new data source for the {@code postgres} database as the {@code postgres} user. */
  public DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"127.0.0.1"});
    ds.setPortNumbers(new int[] {port});
    ds.setDatabaseName("postgres");
    ds.setUser(USER);
    ds.setConnectTimeout(2);
    ds.setSocketTimeout(10);
    return ds;
  }

  /** Stops the server (fast shutdown: open connections are terminated). */
  public synchronized void stop() throws IOException, InterruptedException {
    if (running) {
      run("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
      running = false;
    }
  }

  /** Starts a stopped server again on the same port. */
  public synchronized void restart() throws IOException, InterruptedException {
    stop();
    startServer();
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException ignored) {
      // already shutting down
    }
  }

  private synchronized void startServer() throws IOException, InterruptedException {
    String listen = namespace == null ? "127.0.0.1" : "'*'";
    String options =
        "-p "
            + port
            + " -k "
            + dir
            + " -c listen_addresses="
            + listen
            + " -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off";
    run(
        "pg_ctl",
        "-D",
        data.toString(),
        "-o",
        options,
        "-l",
        dir.resolve("server.log").toString(),
        "-w",
        "-t",
        "30",
        "start");
    running = true;
  }

  private synchronized void destroy() {
    try {
      if (running) {
        run("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
        running = false;
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      // best effort
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  private void run(String tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (namespace != null) {
      command.addAll(List.of("ip", "netns", "exec", namespace));
    }
    if (asPostgres) {
      command.addAll(List.of("runuser", "-u", USER, "--"));
    }
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(tool + ".out").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(tool + " did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      String out = Files.readString(dir.resolve(tool + ".out"));
      Path log = dir.resolve("server.log");
      if (Files.exists(log)) {
        out += "\n--- server.log ---\n" + Files.readString(log);
      }
      throw new IOException(tool + " failed with exit code " + p.exitValue() + ":\n" + out);
    }
  }

  private static Path findBinaries() {
    Path root = Path.of("/usr/lib/postgresql");
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(PostgresServer::majorVersion))
          .orElseThrow(PostgresServer::missing);
    } catch (IOException e) {
      throw missing();
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static IllegalStateException missing() {
    return new IllegalStateException(
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin;"
            + " run bin/install-test-deps (the README's test command does)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @Override
  public String toString() {
    return "PostgresServer{" + jdbcUrl() + "}";
  }
}
