package io.leasehold.cli.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The partition runs' network: Linux network namespaces joined by veth pairs, all addresses inside
 * them, nothing added to the host's own namespace, so no packet leaves the machine. Each candidate
 * {@code i} has a namespace of its own with two links:
 *
 * <pre>
 *   lock namespace              candidate i                    store namespace
 *   (lock backend)                                             (guarded store)
 *   c{i} 10.201.{i}.1 ──────── lock 10.201.{i}.2
 *         (the lock link: cut by the faults)
 *                               store 10.202.{i}.2 ──────── c{i} 10.202.{i}.1
 *                                        (the store link: never cut)
 * </pre>
 *
 * The faults cut the lock link only, by taking its end in the lock namespace down: the candidate's
 * packets to the backend vanish silently (its end stays up, its route stays), the backend's replies
 * find no route, and established connections resume after the heal as TCP retransmits. The store
 * link is never cut: a leader cut off from its lock can still write its work.
 *
 * <p>Namespaces are named {@code lhchaos-<pid>-<start>-<role>} after the JVM that made them, and
 * removed with everything still running in them: by {@link #close}, by a shutdown hook on Ctrl-C,
 * by a small watchdog shell within a second of the JVM's death if it is killed, and, should all
 * that fail, by the next run's {@link #create}, which removes those of runs whose JVM is gone.
 */
final class Network implements AutoCloseable {
  static final String PREFIX = "lhchaos-";
  private static final int LOCK_LINKS = 201; // 10.201.<i>.0/30
  private static final int STORE_LINKS = 202; // 10.202.<i>.0/30

  private final String run;
  private final int candidates;
  private final List<String> namespaces = new ArrayList<>();
  private final Thread cleanup = new Thread(this::destroy, "chaos-network-cleanup");
  private Process watchdog;

  private Network(String run, int candidates) {
    this.run = run;
    this.candidates = candidates;
  }

  /**
   * Why namespaces cannot be made here, or empty when they can: probes by creating and deleting
   * one.
   */
  static Optional<String> unavailable() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return Optional.of("network namespaces need Linux; this is " + System.getProperty("os.name"));
    }
    String uid = uid();
    if (!"0".equals(uid)) {
      return Optional.of(
          "network namespaces need root (ip netns add); this process runs as uid " + uid);
    }
    String probe = runPrefix() + "probe";
    try {
      ip("netns", "add", probe);
      ip("netns", "del", probe);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          "cannot create a network namespace (ip netns add): "
              + e.getMessage()
              + "; bin/install-test-deps installs iproute2");
    }
  }

  /**
   * Removes stale namespaces of earlier runs, then creates this run's: the lock namespace, the
   * store namespace and {@code candidates} candidate namespaces, their links up.
   */
  static Network create(int candidates) throws IOException {
    removeStale();
    Network n = new Network(runPrefix(), candidates);
    Runtime.getRuntime().addShutdownHook(n.cleanup);
    try {
      n.watchdog = watchdog(n.run);
      n.build();
    } catch (IOException | RuntimeException e) {
      n.close();
      throw e;
    }
    return n;
  }

  private void build() throws IOException {
    List<String> root = new ArrayList<>();
    for (String ns : List.of(lockNamespace(), storeNamespace())) {
      root.add("netns add " + ns);
      namespaces.add(ns);
    }
    for (int i = 0; i < candidates; i++) {
      root.add("netns add " + candidateNamespace(i));
      namespaces.add(candidateNamespace(i));
      root.add(veth("lock", candidateNamespace(i), "c" + i, lockNamespace()));
      root.add(veth("store", candidateNamespace(i), "c" + i, storeNamespace()));
    }
    batch(null, root);
    List<String> lock = new ArrayList<>(List.of("link set lo up"));
    List<String> store = new ArrayList<>(List.of("link set lo up"));
    for (int i = 0; i < candidates; i++) {
      lock.add("addr add " + address(LOCK_LINKS, i, 1) + "/30 dev c" + i);
      lock.add("link set c" + i + " up");
      store.add("addr add " + address(STORE_LINKS, i, 1) + "/30 dev c" + i);
      store.add("link set c" + i + " up");
      batch(
          candidateNamespace(i),
          List.of(
              "link set lo up",
              "addr add " + address(LOCK_LINKS, i, 2) + "/30 dev lock",
              "link set lock up",
              "addr add " + address(STORE_LINKS, i, 2) + "/30 dev store",
              "link set store up"));
    }
    batch(lockNamespace(), lock);
    batch(storeNamespace(), store);
  }

  /**
   * A shell that outlives this JVM if it is killed and then removes the run's namespaces and what
   * runs in them; it ignores the terminal's signals (Ctrl-C reaches the JVM's hook) and is killed
   * by {@link #close}.
   */
  private static Process watchdog(String run) throws IOException {
    String script =
        String.join(
            "\n",
            "trap '' INT TERM HUP",
            "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do sleep 1; done",
            "for ns in $(ip netns list | awk '{print $1}' | grep '^" + run + "'); do",
            "  ip netns pids \"$ns\" | xargs -r kill -9",
            "  ip netns del \"$ns\"",
            "done");
    return new ProcessBuilder("sh", "-c", script)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
  }

  private static String veth(String name, String ns, String peer, String peerNs) {
    return "link add "
        + name
        + " netns "
        + ns
        + " type veth peer name "
        + peer
        + " netns "
        + peerNs;
  }

  /** The namespace of the lock's backend. */
  String lockNamespace() {
    return run + "lock";
  }

  /** The namespace of the guarded store. */
  String storeNamespace() {
    return run + "store";
  }

  /** Candidate {@code i}'s namespace. */
  String candidateNamespace(int i) {
    return run + "c" + i;
  }

  /** The lock backend's address as candidate {@code i} reaches it (over its lock link). */
  String lockAddress(int i) {
    return address(LOCK_LINKS, i, 1);
  }

  /** The store's address as candidate {@code i} reaches it (over its store link). */
  String storeAddress(int i) {
    return address(STORE_LINKS, i, 1);
  }

  /** Host {@code host} (1: the server's end, 2: the candidate's) of candidate {@code i}'s /30. */
  private static String address(int links, int i, int host) {
    return "10." + links + "." + i + "." + host;
  }

  /** The command prefix that runs a command in {@code namespace}. */
  static List<String> exec(String namespace) {
    return List.of("ip", "netns", "exec", namespace);
  }

  /** Cuts the lock links of these candidates, both ways, in one step. */
  void cut(Collection<Integer> which) throws IOException {
    setLockLinks(which, "down");
  }

  /** Restores the lock links of these candidates, in one step. */
  void heal(Collection<Integer> which) throws IOException {
    setLockLinks(which, "up");
  }

  private void setLockLinks(Collection<Integer> which, String state) throws IOException {
    batch(
        lockNamespace(),
        which.stream().map(i -> "link set c" + i + " " + state).collect(Collectors.toList()));
  }

  /**
   * Packets received and sent on the lock link of the namespace process {@code pid} runs in (from
   * {@code /proc/<pid>/net/dev}, so no process is started), or null when it is gone.
   */
  static long[] lockLinkPackets(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "dev"))) {
        String l = line.trim();
        if (l.startsWith("lock:")) {
          String[] f = l.substring(5).trim().split("\\s+");
          return new long[] {Long.parseLong(f[1]), Long.parseLong(f[9])};
        }
      }
      return null;
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException ignored) {
      // the JVM is exiting: the hook runs
    }
  }

  private synchronized void destroy() {
    for (String ns : namespaces) {
      remove(ns);
    }
    namespaces.clear();
    if (watchdog != null) {
      watchdog.destroyForcibly();
    }
  }

  /** Kills whatever still runs in {@code ns} and deletes it (its veth ends and their peers go). */
  private static void remove(String ns) {
    try {
      List<ProcessHandle> inside = new ArrayList<>();
      for (String pid : ip("netns", "pids", ns).split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(inside::add);
        }
      }
      inside.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle p : inside) {
        p.onExit().get(10, TimeUnit.SECONDS);
      }
      ip("netns", "del", ns);
    } catch (Exception e) {
      System.err.println("chaos: could not remove network namespace " + ns + ": " + e);
    }
  }

  /** Deletes namespaces of earlier runs whose JVM is gone (killed, say), and what runs in them. */
  static void removeStale() throws IOException {
    String mine = runPrefix();
    for (String line : ip("netns", "list").split("\n")) {
      String ns = line.trim().split("\\s+")[0];
      if (!ns.startsWith(PREFIX) || ns.startsWith(mine)) {
        continue;
      }
      String[] f = ns.substring(PREFIX.length()).split("-");
      boolean alive =
          f.length >= 3
              && ProcessHandle.of(Long.parseLong(f[0]))
                  .map(p -> f[1].equals(startOf(p)))
                  .orElse(false);
      if (!alive) {
        System.err.println("chaos: removing stale network namespace " + ns);
        remove(ns);
      }
    }
  }

  /**
   * {@code lhchaos-<pid>-<start>-}: the JVM's pid and start time, so a reused pid is told apart.
   */
  private static String runPrefix() {
    ProcessHandle me = ProcessHandle.current();
    return PREFIX + me.pid() + "-" + startOf(me) + "-";
  }

  private static String startOf(ProcessHandle p) {
    return p.info().startInstant().map(i -> Long.toString(i.getEpochSecond(), 36)).orElse("0");
  }

  private static String uid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.substring(4).trim().split("\\s+")[0];
        }
      }
    } catch (IOException e) {
      // not Linux: reported by the caller
    }
    return "unknown";
  }

  /** Runs {@code ip -batch -} (in {@code namespace} when not null) with these lines. */
  private static void batch(String namespace, List<String> lines) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    if (namespace != null) {
      cmd.addAll(List.of("-n", namespace));
    }
    cmd.addAll(List.of("-batch", "-"));
    run(cmd, String.join("\n", lines) + "\n");
  }

  private static String ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    return run(cmd, "");
  }

  private static String run(List<String> cmd, String input) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
    }
    return out;
  }
}
