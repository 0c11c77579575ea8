package io.leasehold.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA with a server certificate for 127.0.0.1/localhost and a client certificate, made
 * with {@code openssl} into a folder. Keys are PKCS#8 PEM, as Netty and etcd read them.
 */
public final class TestCertificates {
  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Generates everything into {@code dir}. */
  public static TestCertificates generate(Path dir) throws IOException, InterruptedException {
    TestCertificates t = new TestCertificates(dir);
    t.openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=leasehold-test-ca");
    t.issue(
        "server",
        "/CN=127.0.0.1",
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n" + "extendedKeyUsage=serverAuth,clientAuth\n");
    t.issue("client", "/CN=leasehold-client", "extendedKeyUsage=clientAuth\n");
    return t;
  }

  private void issue(String name, String subject, String extensions)
      throws IOException, InterruptedException {
    Files.writeString(dir.resolve(name + ".ext"), extensions);
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + "-key.pem",
        "-out",
        name + ".csr",
        "-subj",
        subject);
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
    }
  }

  /** The CA certificate. */
  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  /** The server's certificate (127.0.0.1, localhost). */
  public Path serverCert() {
    return dir.resolve("server.pem");
  }

  /** The server's key. */
  public Path serverKey() {
    return dir.resolve("server-key.pem");
  }

  /** A client certificate signed by the CA. */
  public Path clientCert() {
    return dir.resolve("client.pem");
  }

  /** The client certificate's key. */
  public Path clientKey() {
    return dir.resolve("client-key.pem");
  }
}
