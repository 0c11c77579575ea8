package io.leasehold.cli;

import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Which lock: the spec, the lock's name, this candidate's identity, and backend options. */
final class LockOptions {
  @Option(
      names = "--lock",
      required = true,
      paramLabel = "SPEC",
      description = {
        "Where the lock lives (see docs/CLI.md):",
        "  sqlite:<file>",
        "  jdbc:postgresql://<host>:<port>/<db>",
        "  kubernetes:<namespace>[/<name>]",
        "  etcd:<url>[,<url>...]"
      })
  String spec;

  @Option(
      names = "--name",
      required = true,
      description =
          "The lock's name, shared by all candidates of one election: 1 to 253 characters,"
              + " no control characters.")
  String name;

  @Option(
      names = "--id",
      paramLabel = "IDENTITY",
      description =
          "This candidate's identity, unique among the candidates (default: the host name and a"
              + " random UUID, hostname_uuid).")
  String identity;

  @Option(names = "--user", description = "PostgreSQL user (default: $PGUSER); etcd user.")
  String user;

  @Option(
      names = "--password-file",
      description = "File holding the password (default: $PGPASSWORD / $ETCD_PASSWORD).")
  Path passwordFile;

  @Option(names = "--table", description = "SQL table of the leases (default: leasehold_leases).")
  String table;

  @Option(
      names = "--etcd-ca",
      paramLabel = "PEM",
      description = "etcd: CA certificate that signed the servers' certificates (for https).")
  Path etcdCa;

  @Option(
      names = "--etcd-cert",
      paramLabel = "PEM",
      description = "etcd: client certificate (with --etcd-key).")
  Path etcdCert;

  @Option(
      names = "--etcd-key",
      paramLabel = "PEM",
      description = "etcd: the client certificate's PKCS#8 key.")
  Path etcdKey;

  @Option(names = "--etcd-prefix", description = "etcd: key prefix (default: /leasehold/leases/).")
  String etcdPrefix;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "Kubernetes: kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster).")
  Path kubeconfig;

  /** The longest name or identity: a Kubernetes object name (a DNS subdomain) has at most 253. */
  static final int MAX_NAME = 253;

  /** The renew deadline in force, for backends that derive a request timeout from it. */
  Duration renewDeadline = Duration.ofSeconds(10);

  /** How long one call to the backend may take: connection and login timeouts follow it. */
  Duration callTimeout = Duration.ofSeconds(5);

  @Option(
      names = "--lock-type",
      defaultValue = "leases",
      description =
          "Kubernetes lock type: leases, configmaps, endpoints, configmapsleases,"
              + " endpointsleases (default: ${DEFAULT-VALUE}).")
  String lockType;

  /** Refuses a --name or --id that is blank, has control characters or is too long. */
  void checkNames(CommandLine cmd) {
    checkName(cmd, "--name", name);
    if (identity != null) {
      checkName(cmd, "--id", identity);
    }
  }

  /**
   * A name must show as one line in logs and fit every backend: not blank, no control characters (a
   * newline would split every log line that names it), at most {@value #MAX_NAME} characters.
   */
  static void checkName(CommandLine cmd, String flag, String value) {
    String shown = Json.string(value);
    if (value.isBlank()) {
      throw new CommandLine.ParameterException(cmd, flag + " must not be blank; got " + shown);
    }
    boolean control =
        value
            .codePoints()
            .anyMatch(
                c ->
                    Character.isISOControl(c)
                        || Character.getType(c) == Character.LINE_SEPARATOR
                        || Character.getType(c) == Character.PARAGRAPH_SEPARATOR);
    if (control) {
      throw new CommandLine.ParameterException(
          cmd,
          flag + " must not contain control characters such as a newline or a tab; got " + shown);
    }
    if (value.length() > MAX_NAME) {
      throw new CommandLine.ParameterException(
          cmd,
          flag
              + " must have at most "
              + MAX_NAME
              + " characters; got "
              + value.length()
              + ": "
              + shown.substring(0, 40)
              + "...");
    }
  }

  /**
   * The identity to use: --id, or the host name and a random UUID (chosen once per process), as
   * Kubernetes controllers do: host names and process ids repeat in containers.
   */
  String identity() {
    if (identity == null) {
      identity = ResourceLockConfig.uniqueIdentity();
    }
    return identity;
  }
}
