package io.leasehold.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.testing.EtcdCluster;
import io.leasehold.testing.TermLog;
import io.leasehold.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd with TLS (certificates generated here) and with user/password authentication. */
class EtcdSecurityTest {
  private static final Duration T = Duration.ofSeconds(5);
  @TempDir Path dir;

  private static LeaderElectionRecord record(String holder) {
    return LeaderElectionRecord.builder()
        .holderIdentity(holder)
        .leaseDurationSeconds(15)
        .acquireTime(Instant.now())
        .renewTime(Instant.now())
        .fencingToken(1)
        .build();
  }

  @Test
  void overTlsWithAClientCertificateAnElectionRuns() throws Exception {
    TestCertificates certs = TestCertificates.generate(dir);
    try (EtcdCluster etcd = EtcdCluster.startWithTls(1, certs);
        Client client =
            EtcdClients.builder()
                .endpoints(etcd.clientUrls())
                .trustedCa(certs.caCert())
                .clientCertificate(certs.clientCert(), certs.clientKey())
                .build()) {
      assertThat(etcd.clientUrls()[0]).startsWith("https://");
      TermLog log = new TermLog();
      EtcdLock lock = EtcdLock.builder(client).name("tls").identity("a").build();
      LeaderElector a =
          new LeaderElector(
              log.config(
                      lock, Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200))
                  .releaseOnCancel(true)
                  .build());
      try {
        a.start();
        TermLog.Term term = log.awaitLeader(Duration.ofSeconds(20));
        assertThat(term.identity).isEqualTo("a");
      } finally {
        a.close();
      }
      assertThat(lock.get(T).orElseThrow().record().holderIdentity()).isEmpty();
    }
  }

  @Test
  void overTlsWithoutAClientCertificateTheServerRefuses() throws Exception {
    TestCertificates certs = TestCertificates.generate(dir);
    try (EtcdCluster etcd = EtcdCluster.startWithTls(1, certs);
        Client client =
            EtcdClients.builder().endpoints(etcd.clientUrls()).trustedCa(certs.caCert()).build()) {
      EtcdLock lock = EtcdLock.builder(client).name("tls").identity("a").build();
      assertThatThrownBy(() -> lock.get(Duration.ofSeconds(2))).isInstanceOf(LockException.class);
    }
  }

  @Test
  void withAuthenticationTheUsersRightsDecideAndRefusalsAreClear() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.start(1)) {
      try (Client admin = EtcdClients.builder().endpoints(etcd.clientUrls()).build()) {
        Auth auth = admin.getAuthClient();
        await(auth.roleAdd(bytes("root")));
        await(auth.userAdd(bytes("root"), bytes("root-pw")));
        await(auth.userGrantRole(bytes("root"), bytes("root")));
        await(auth.roleAdd(bytes("elector")));
        await(
            auth.roleGrantPermission(
                bytes("elector"),
                bytes(EtcdLock.DEFAULT_PREFIX),
                bytes(
                    EtcdLock.DEFAULT_PREFIX.substring(0, EtcdLock.DEFAULT_PREFIX.length() - 1)
                        + "0"),
                Permission.Type.READWRITE));
        await(auth.userAdd(bytes("app"), bytes("app-pw")));
        await(auth.userGrantRole(bytes("app"), bytes("elector")));
        await(auth.userAdd(bytes("nobody"), bytes("nobody-pw")));
        await(auth.authEnable());
      }
      try (Client app = client(etcd, "app", "app-pw")) {
        EtcdLock lock = EtcdLock.builder(app).name("authed").identity("a").build();
        lock.create(record("a"), T);
        assertThat(lock.get(T).orElseThrow().record().holderIdentity()).isEqualTo("a");
      }
      try (Client nobody = client(etcd, "nobody", "nobody-pw")) {
        EtcdLock lock = EtcdLock.builder(nobody).name("authed").identity("b").build();
        assertThatThrownBy(() -> lock.get(T))
            .isInstanceOf(LockException.class)
            .hasMessageContaining("permission denied");
      }
      try (Client wrong = client(etcd, "app", "wrong-pw")) {
        EtcdLock lock = EtcdLock.builder(wrong).name("authed").identity("c").build();
        assertThatThrownBy(() -> lock.get(T))
            .isInstanceOf(LockException.class)
            .hasMessageContaining("authentication failed");
      }
    }
  }

  private static Client client(EtcdCluster etcd, String user, String password) {
    return EtcdClients.builder().endpoints(etcd.clientUrls()).credentials(user, password).build();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }
}
