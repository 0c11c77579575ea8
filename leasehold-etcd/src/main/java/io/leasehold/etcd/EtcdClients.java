package io.leasehold.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Builds a jetcd {@link Client} for {@link EtcdLock}: endpoints, TLS from PEM files (CA, client
 * certificate and key) and user name/password authentication.
 *
 * <pre>{@code
 * Client client = EtcdClients.builder()
 *     .endpoints("https://10.0.0.1:2379", "https://10.0.0.2:2379")
 *     .trustedCa(Path.of("/etc/etcd/ca.pem"))
 *     .clientCertificate(Path.of("/etc/etcd/client.pem"), Path.of("/etc/etcd/client-key.pem"))
 *     .build();
 * }</pre>
 */
public final class EtcdClients {
  private EtcdClients() {}

  /** Starts a client description. */
  public static Builder builder() {
    return new Builder();
  }

  /** Describes a client; {@link #build()} validates the files and creates it. */
  public static final class Builder {
    private final List<String> endpoints = new ArrayList<>();
    private Path ca;
    private Path cert;
    private Path key;
    private String user;
    private String password;
    private Duration connectTimeout = Duration.ofSeconds(2);

    private Builder() {}

    /** The cluster's client URLs, e.g. {@code http://127.0.0.1:2379}. At least one. */
    public Builder endpoints(String... urls) {
      for (String url : urls) {
        for (String part : url.split(",")) {
          if (!part.isBlank()) {
            endpoints.add(part.trim());
          }
        }
      }
      return this;
    }

    /** The CA certificate (PEM) that signed the servers' certificates; turns TLS on. */
    public Builder trustedCa(Path caPem) {
      this.ca = Objects.requireNonNull(caPem, "caPem");
      return this;
    }

    /** A client certificate and its PKCS#8 private key (PEM), for etcd's client-cert auth. */
    public Builder clientCertificate(Path certPem, Path keyPem) {
      this.cert = Objects.requireNonNull(certPem, "certPem");
      this.key = Objects.requireNonNull(keyPem, "keyPem");
      return this;
    }

    /** User name and password for etcd's built-in authentication. */
    public Builder credentials(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** How long to wait for a connection (default 2 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Creates the client.
     *
     * @throws IllegalArgumentException when no endpoint is given, an endpoint is not an http(s)
     *     URL, TLS files are missing or unreadable, or https endpoints lack a CA
     */
    public Client build() {
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("at least one etcd endpoint is required");
      }
      boolean https = false;
      for (String e : endpoints) {
        if (e.startsWith("https://")) {
          https = true;
        } else if (!e.startsWith("http://")) {
          throw new IllegalArgumentException(
              "etcd endpoint '" + e + "' must start with http:// or https://");
        }
      }
      if (https && ca == null) {
        throw new IllegalArgumentException("https etcd endpoints need a trusted CA certificate");
      }
      ClientBuilder b =
          Client.builder()
              .endpoints(endpoints.toArray(String[]::new))
              .loadBalancerPolicy("round_robin")
              .connectTimeout(connectTimeout);
      if (ca != null) {
        readable(ca, "CA certificate");
        if (cert != null) {
          readable(cert, "client certificate");
          readable(key, "client key");
        }
        try {
          b.sslContext(
              ssl -> {
                ssl.trustManager(ca.toFile());
                if (cert != null) {
                  ssl.keyManager(cert.toFile(), key.toFile());
                }
              });
        } catch (SSLException | RuntimeException e) {
          throw new IllegalArgumentException("cannot set up TLS for etcd: " + e.getMessage(), e);
        }
      }
      if (user != null) {
        b.user(ByteSequence.from(user, StandardCharsets.UTF_8))
            .password(ByteSequence.from(password, StandardCharsets.UTF_8));
      }
      return b.build();
    }

    private static void readable(Path p, String what) {
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException(what + " " + p + " does not exist or is not readable");
      }
    }
  }
}
