package io.leasehold.cli;

import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns a lock spec ({@code sqlite:<file>}, {@code jdbc:postgresql://...}, {@code
 * kubernetes:<namespace>}, {@code etcd:<endpoints>}) into locks. A spec that cannot work raises
 * {@link IllegalArgumentException} with one clear line; credentials never appear in it. A spec also
 * explains its backend's failures: where the servers are and whether they answer, and how to remove
 * a record nobody can read.
 */
abstract class LockSpec implements AutoCloseable {
  /** How long a reachability check of one address may take. */
  private static final Duration REACH_TIMEOUT = Duration.ofSeconds(1);

  private final String display;
  private final List<String> addresses;
  private final String name;

  LockSpec(String display, List<String> addresses, String name) {
    this.display = display;
    this.addresses = List.copyOf(addresses);
    this.name = name;
  }

  /** A lock for {@code identity} on the named lock. */
  abstract Lock lock(String identity);

  /** The arguments of {@code leasehold repair} for this lock, without credentials. */
  String repairArguments() {
    return "--lock " + display + " --name " + name;
  }

  /**
   * Whether the backend keeps the highest fencing token apart from the record, so that a repair
   * need not be told the token (SQL and etcd do; Kubernetes does not).
   */
  boolean keepsTokenMark() {
    return true;
  }

  /** The spec without credentials, for logs. */
  final String display() {
    return display;
  }

  /** The {@code host:port} of each server behind this spec; empty for a local file. */
  final List<String> addresses() {
    return addresses;
  }

  /** Whether {@code e} is a configuration error that retrying cannot fix. */
  boolean isMisconfiguration(LockException e) {
    return false;
  }

  /** For reading only: whether {@code e} says that no record can exist yet (no table). */
  boolean isAbsence(LockException e) {
    return false;
  }

  /** For reading only: whether the record is known to be absent without asking the backend. */
  boolean absent() {
    return false;
  }

  /** Releases the spec's clients, pools and files; idempotent. */
  @Override
  public void close() {}

  /**
   * Builds one lock now, so that a bad lock name, prefix, type or table is a usage error before
   * anything runs; closes this spec when it fails.
   */
  LockSpec checked() {
    try {
      lock("probe");
      return this;
    } catch (IllegalArgumentException e) {
      close();
      throw e;
    }
  }

  /**
   * Parses {@code o.spec}. With {@code readOnly} (for {@code status}) nothing is created or
   * written, and an SQLite file that does not exist is {@link #absent()}.
   */
  static LockSpec parse(LockOptions o, boolean readOnly) {
    String spec = o.spec.trim();
    String lower = spec.toLowerCase(Locale.ROOT);
    if (lower.startsWith("sqlite:")) {
      return SqlSpec.sqlite(spec.substring("sqlite:".length()), o, readOnly);
    }
    if (lower.startsWith("jdbc:postgresql:")) {
      return SqlSpec.postgres(spec, o, readOnly);
    }
    if (lower.startsWith("kubernetes:")) {
      return KubernetesSpec.parse(spec.substring("kubernetes:".length()), o, o.renewDeadline);
    }
    if (lower.startsWith("etcd:")) {
      return EtcdSpec.parse(spec.substring("etcd:".length()), o, password(o, "ETCD_PASSWORD"));
    }
    throw new IllegalArgumentException(
        "unknown lock spec '"
            + withoutQuery(spec)
            + "': use sqlite:<file>, jdbc:postgresql://<host>:<port>/<db>,"
            + " kubernetes:<namespace> or etcd:<endpoints>");
  }

  /**
   * {@code e}'s message with what helps next: for a record nobody can read, that candidates keep
   * waiting and how to repair it; for other failures of a networked backend, whether its servers
   * accept connections.
   */
  String explain(LockException e) {
    String message = Leasehold.message(e);
    if (e instanceof CorruptRecordException) {
      return message
          + ". No candidate takes over a record it cannot read, so all keep waiting: repair it"
          + " with `leasehold repair "
          + repairArguments()
          + "`, which replaces it by a released record without lowering its fencing token";
    }
    if (isMisconfiguration(e) || addresses().isEmpty()) {
      return message;
    }
    return message
        + " ["
        + addresses().stream().map(LockSpec::reach).collect(Collectors.joining("; "))
        + "]";
  }

  /** Whether {@code hostPort} accepts a TCP connection, in words. */
  static String reach(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) REACH_TIMEOUT.toMillis());
      return hostPort + " accepts connections";
    } catch (UnknownHostException e) {
      return "unknown host " + host;
    } catch (SocketTimeoutException e) {
      return hostPort + " does not answer within " + Durations.format(REACH_TIMEOUT);
    } catch (ConnectException e) {
      String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
      return hostPort + (m.contains("refused") ? ": connection refused" : ": " + e.getMessage());
    } catch (IOException | IllegalArgumentException e) {
      return hostPort + ": " + e.getMessage();
    }
  }

  /** {@code host:port} of a URL, with {@code defaultPort} when it has none. */
  static String hostPort(String url, int defaultPort) {
    URI uri = URI.create(url);
    return uri.getHost() + ":" + (uri.getPort() < 0 ? defaultPort : uri.getPort());
  }

  /** {@code message}, followed by where it happened unless it says so already. */
  static String withAddress(String message, String address) {
    return message.contains(address) ? message : message + " (at " + address + ")";
  }

  /** The distinct messages of {@code t} and its causes, joined: the outermost is often vague. */
  static String messages(Throwable t) {
    List<String> parts = new ArrayList<>();
    for (Throwable c = t; c != null && parts.size() < 4; c = c.getCause()) {
      String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().strip();
      if (parts.stream().noneMatch(p -> p.contains(m))) {
        parts.add(m);
      }
    }
    return String.join(": ", parts);
  }

  /** The password from --password-file, else from the environment variable; never logged. */
  static String password(LockOptions o, String variable) {
    if (o.passwordFile != null) {
      try {
        return Files.readString(o.passwordFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read the password file " + o.passwordFile + ": " + e.getMessage());
      }
    }
    return System.getenv(variable);
  }

  static String withoutQuery(String spec) {
    int q = spec.indexOf('?');
    return q < 0 ? spec : spec.substring(0, q) + "?...";
  }
}
