package io.leasehold.cli;

import io.leasehold.leaderelection.resourcelock.LockBuilder;
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
          "The lock's name, shared by all candidates of one election: one line of at most 253"
              + " characters.")
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

  /**
   * Refuses a --name or --id that breaks the rule of every lock builder ({@link
   * LockBuilder#requireValid}: one visible line of at most 253 characters), naming the flag.
   */
  void checkNames(CommandLine cmd) {
    try {
      LockBuilder.requireValid("--name", name);
      if (identity != null) {
        LockBuilder.requireValid("--id", identity);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
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
