package io.leasehold.cli;

import io.etcd.jetcd.Client;
import io.leasehold.etcd.EtcdClients;
import io.leasehold.etcd.EtcdLock;
import io.leasehold.leaderelection.resourcelock.Lock;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code etcd:<endpoint>[,<endpoint>...]}: an {@link EtcdLock} on one shared client. TLS from
 * {@code --etcd-ca/--etcd-cert/--etcd-key}, a user from {@code --user} or {@code $ETCD_USER} and
 * its password from {@code --password-file} or {@code $ETCD_PASSWORD}.
 */
final class EtcdSpec extends LockSpec {
  private final Client client;
  private final LockOptions options;

  private EtcdSpec(Client client, LockOptions options, String display, List<String> addresses) {
    super(display, addresses, options.name);
    this.client = client;
    this.options = options;
  }

  static LockSpec parse(String endpoints, LockOptions o, String password) {
    if (endpoints.isBlank()) {
      throw new IllegalArgumentException("etcd: needs endpoints, e.g. etcd:http://127.0.0.1:2379");
    }
    EtcdClients.Builder b = EtcdClients.builder().endpoints(endpoints);
    if (o.etcdCa != null) {
      b.trustedCa(o.etcdCa);
    }
    if (o.etcdCert != null || o.etcdKey != null) {
      if (o.etcdCert == null || o.etcdKey == null) {
        throw new IllegalArgumentException("--etcd-cert and --etcd-key go together");
      }
      b.clientCertificate(o.etcdCert, o.etcdKey);
    }
    String user = o.user != null ? o.user : System.getenv("ETCD_USER");
    if (user != null && !user.isEmpty()) {
      if (password == null) {
        throw new IllegalArgumentException(
            "etcd user " + user + " needs a password: --password-file or $ETCD_PASSWORD");
      }
      b.credentials(user, password);
    }
    Client client = b.build();
    List<String> addresses =
        Arrays.stream(endpoints.split(","))
            .filter(e -> !e.isBlank())
            .map(e -> hostPort(e.trim(), 2379))
            .collect(Collectors.toList());
    return new EtcdSpec(client, o, "etcd:" + endpoints, addresses).checked();
  }

  @Override
  Lock lock(String identity) {
    EtcdLock.Builder b = EtcdLock.builder(client).name(options.name).identity(identity);
    if (options.etcdPrefix != null) {
      b.prefix(options.etcdPrefix);
    }
    return b.build();
  }

  @Override
  public void close() {
    client.close();
  }
}
