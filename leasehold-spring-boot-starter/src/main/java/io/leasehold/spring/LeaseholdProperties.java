package io.leasehold.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code leasehold.*} properties: which lock the election runs on, its name, this instance's
 * identity, and client-go's timings. Every property has a default, so adding the starter is enough
 * to elect a leader among the instances sharing one host (an SQLite file).
 */
@ConfigurationProperties("leasehold")
public class LeaseholdProperties {

  /** Whether this application takes part in a leader election at all. */
  private boolean enabled = true;

  /**
   * The election's name: the lock's row, Lease, ConfigMap or key. Instances with the same name and
   * lock compete with each other. Defaults to spring.application.name, else "leasehold".
   */
  private String name;

  /**
   * This instance's identity, written into the lock while it leads; unique among the candidates.
   * Defaults to the host name followed by a random UUID.
   */
  private String identity;

  /**
   * The role named in Spring Integration's leader events, whose lifecycles a
   * SmartLifecycleRoleController starts and stops.
   */
  private String role = "leader";

  /**
   * How long followers wait, after they last saw the lock change, before they may take over
   * (client-go's LeaseDuration). Must be greater than renew-deadline.
   */
  private Duration leaseDuration = Duration.ofSeconds(15);

  /**
   * How long the leader keeps retrying a failed renewal before it stops leading (client-go's
   * RenewDeadline). Must be greater than 1.2 times retry-period.
   */
  private Duration renewDeadline = Duration.ofSeconds(10);

  /** The pause between attempts to acquire or renew (client-go's RetryPeriod). */
  private Duration retryPeriod = Duration.ofSeconds(2);

  /**
   * Whether a leader that shuts down releases the lock, so another instance takes over at once
   * instead of after a lease duration.
   */
  private boolean releaseOnCancel = true;

  /**
   * Whether an instance that lost leadership competes again. When false it stops competing and its
   * health turns DOWN, so the platform restarts it (client-go's behaviour).
   */
  private boolean keepCompeting = true;

  /** Which lock to use. */
  private final Lock lock = new Lock();

  /** The SQLite lock (the default). */
  private final Sqlite sqlite = new Sqlite();

  /** The lock on the application's own DataSource. */
  private final Jdbc jdbc = new Jdbc();

  /** The Kubernetes lock. */
  private final Kubernetes kubernetes = new Kubernetes();

  /** The etcd lock. */
  private final Etcd etcd = new Etcd();

  /** The health indicator. */
  private final Health health = new Health();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getIdentity() {
    return identity;
  }

  public void setIdentity(String identity) {
    this.identity = identity;
  }

  public String getRole() {
    return role;
  }

  public void setRole(String role) {
    this.role = role;
  }

  public Duration getLeaseDuration() {
    return leaseDuration;
  }

  public void setLeaseDuration(Duration leaseDuration) {
    this.leaseDuration = leaseDuration;
  }

  public Duration getRenewDeadline() {
    return renewDeadline;
  }

  public void setRenewDeadline(Duration renewDeadline) {
    this.renewDeadline = renewDeadline;
  }

  public Duration getRetryPeriod() {
    return retryPeriod;
  }

  public void setRetryPeriod(Duration retryPeriod) {
    this.retryPeriod = retryPeriod;
  }

  public boolean isReleaseOnCancel() {
    return releaseOnCancel;
  }

  public void setReleaseOnCancel(boolean releaseOnCancel) {
    this.releaseOnCancel = releaseOnCancel;
  }

  public boolean isKeepCompeting() {
    return keepCompeting;
  }

  public void setKeepCompeting(boolean keepCompeting) {
    this.keepCompeting = keepCompeting;
  }

  public Lock getLock() {
    return lock;
  }

  public Sqlite getSqlite() {
    return sqlite;
  }

  public Jdbc getJdbc() {
    return jdbc;
  }

  public Kubernetes getKubernetes() {
    return kubernetes;
  }

  public Etcd getEtcd() {
    return etcd;
  }

  public Health getHealth() {
    return health;
  }

  /** The lock types. */
  public enum LockType {
    /**
     * The application's KubernetesClient bean, else its jetcd Client bean (or
     * leasehold.etcd.endpoints), else its DataSource bean, else an SQLite file.
     */
    AUTO,
    /** An SQLite file, for instances on one host. */
    SQLITE,
    /** A table in the application's DataSource (PostgreSQL, or any SQL database shared by all). */
    JDBC,
    /** A Kubernetes Lease (or ConfigMap, Endpoints) through fabric8. */
    KUBERNETES,
    /** A key in etcd v3 through jetcd. */
    ETCD
  }

  /** The Kubernetes lock object types, as client-go names them. */
  public enum KubernetesLockType {
    /** A coordination.k8s.io Lease (client-go's default). */
    LEASES,
    /** A ConfigMap annotation (legacy). */
    CONFIGMAPS,
    /** An Endpoints annotation (legacy). */
    ENDPOINTS,
    /** A ConfigMap and a Lease, for migrating from ConfigMaps. */
    CONFIGMAPSLEASES,
    /** An Endpoints and a Lease, for migrating from Endpoints. */
    ENDPOINTSLEASES
  }

  /** Which lock to use. */
  public static class Lock {
    /** The lock type; auto picks it from the beans the application has. */
    private LockType type = LockType.AUTO;

    public LockType getType() {
      return type;
    }

    public void setType(LockType type) {
      this.type = type;
    }
  }

  /** The SQLite lock. */
  public static class Sqlite {
    /**
     * The SQLite database file, created on first use; its folder must exist and be writable.
     * Defaults to leasehold.db in java.io.tmpdir.
     */
    private Path path;

    public Path getPath() {
      return path;
    }

    public void setPath(Path path) {
      this.path = path;
    }
  }

  /** The lock in the application's DataSource. */
  public static class Jdbc {
    /** The table holding the leases, "table" or "schema.table". */
    private String table = "leasehold_leases";

    /** Whether to create the table on first use when it is missing. */
    private boolean createTable = true;

    public String getTable() {
      return table;
    }

    public void setTable(String table) {
      this.table = table;
    }

    public boolean isCreateTable() {
      return createTable;
    }

    public void setCreateTable(boolean createTable) {
      this.createTable = createTable;
    }
  }

  /** The Kubernetes lock. */
  public static class Kubernetes {
    /** The kind of lock object. */
    private KubernetesLockType type = KubernetesLockType.LEASES;

    /** The lock object's namespace. Defaults to the client's namespace, else "default". */
    private String namespace;

    public KubernetesLockType getType() {
      return type;
    }

    public void setType(KubernetesLockType type) {
      this.type = type;
    }

    public String getNamespace() {
      return namespace;
    }

    public void setNamespace(String namespace) {
      this.namespace = namespace;
    }
  }

  /** The etcd lock. */
  public static class Etcd {
    /**
     * The cluster's client URLs (http:// or https://), used to create a client when the application
     * defines no jetcd Client bean.
     */
    private List<String> endpoints = new ArrayList<>();

    /** The key prefix; the election's key is this prefix followed by its name. */
    private String prefix = "/leasehold/leases/";

    public List<String> getEndpoints() {
      return endpoints;
    }

    public void setEndpoints(List<String> endpoints) {
      this.endpoints = endpoints;
    }

    public String getPrefix() {
      return prefix;
    }

    public void setPrefix(String prefix) {
      this.prefix = prefix;
    }
  }

  /** The health indicator. */
  public static class Health {
    /**
     * How long past the lease's expiry a leader that has not renewed is still reported healthy
     * (client-go's HealthzAdaptor timeout).
     */
    private Duration tolerance = Duration.ofSeconds(20);

    public Duration getTolerance() {
      return tolerance;
    }

    public void setTolerance(Duration tolerance) {
      this.tolerance = tolerance;
    }
  }
}
