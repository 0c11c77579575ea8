package io.leasehold.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Bad configuration fails start-up with a message naming the property and its value. Each test
 * starts a context of the auto-configuration alone, which binds and checks the properties as an
 * application's does (those that start whole applications are in the other tests).
 */
class BadConfigurationTest {
  @TempDir Path dir;

  /** A @LeaderOnly method with a primitive result. */
  static class IntWork {
    @LeaderOnly
    public int count() {
      return 1;
    }
  }

  @Test
  void unknownLockType() {
    String message = startupFailure(Map.of("leasehold.lock.type", "zookeeper"));
    assertThat(message).contains("leasehold.lock.type").contains("zookeeper");
  }

  @Test
  void leaseDurationNotGreaterThanRenewDeadline() {
    Throwable failure =
        failure(null, Map.of("leasehold.lease-duration", "2s", "leasehold.renew-deadline", "2s"));
    assertThat(messages(failure))
        .contains(
            "leasehold.lease-duration must be greater than leasehold.renew-deadline"
                + " (leasehold.lease-duration=2s, leasehold.renew-deadline=2s,"
                + " leasehold.retry-period=2s)");
    FailureAnalysis analysis = new LeaseholdFailureAnalyzer().analyze(failure);
    assertThat(analysis.getDescription()).contains("leasehold.lease-duration must be greater");
    assertThat(analysis.getAction()).contains("leasehold.lease-duration");
  }

  @Test
  void renewDeadlineNotGreaterThanJitteredRetryPeriod() {
    assertThat(startupFailure(Map.of("leasehold.retry-period", "9s")))
        .contains("leasehold.renew-deadline must be greater than leasehold.retry-period");
  }

  @Test
  void badDuration() {
    assertThat(startupFailure(Map.of("leasehold.retry-period", "often")))
        .contains("leasehold.retry-period")
        .contains("often");
  }

  @Test
  void sqliteFolderThatDoesNotExist() {
    Path path = dir.resolve("missing/leases.db");
    assertThat(startupFailure(Map.of("leasehold.sqlite.path", path.toString())))
        .contains("leasehold.sqlite.path=" + path)
        .contains("does not exist");
  }

  @Test
  void sqliteFolderThatIsAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    Path path = file.resolve("leases.db");
    assertThat(startupFailure(Map.of("leasehold.sqlite.path", path.toString())))
        .contains("leasehold.sqlite.path=" + path);
  }

  @Test
  void sqliteFolderThatIsNotWritable() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(Files.isWritable(folder), "root may write anywhere");
      assertThat(startupFailure(Map.of("leasehold.sqlite.path", folder.resolve("l.db").toString())))
          .contains("leasehold.sqlite.path=")
          .contains("is not writable");
    } finally {
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void jdbcWithoutADataSource() {
    assertThat(startupFailure(Map.of("leasehold.lock.type", "jdbc")))
        .contains("leasehold.lock.type=jdbc: needs one DataSource bean");
  }

  @Test
  void etcdWithoutAClientOrEndpoints() {
    assertThat(startupFailure(Map.of("leasehold.lock.type", "etcd")))
        .contains("leasehold.etcd.endpoints=[]");
  }

  @Test
  void etcdEndpointThatIsNotAUrl() {
    assertThat(startupFailure(Map.of("leasehold.etcd.endpoints", "127.0.0.1:2379")))
        .contains("leasehold.etcd.endpoints=[127.0.0.1:2379]")
        .contains("must start with http://");
  }

  @Test
  void unknownKubernetesLockType() {
    assertThat(
            startupFailure(
                Map.of(
                    "leasehold.lock.type", "kubernetes", "leasehold.kubernetes.type", "secrets")))
        .contains("leasehold.kubernetes.type")
        .contains("secrets");
  }

  @Test
  void nameTooLongForATableRow() {
    String name = "n".repeat(300);
    assertThat(startupFailure(Map.of("leasehold.name", name))).contains("leasehold.name=" + name);
  }

  @Test
  void leaderOnlyMethodWithAPrimitiveResult() {
    assertThat(messages(failure(IntWork.class, Map.of())))
        .contains("@LeaderOnly method")
        .contains("count()")
        .contains("return void or an object type");
  }

  private String startupFailure(Map<String, String> properties) {
    return messages(failure(null, properties));
  }

  /** Why a context with {@code properties} (and {@code bean}, if not null) failed to start. */
  private Throwable failure(Class<?> bean, Map<String, String> properties) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("leasehold.sqlite.path", dir.resolve("ok.db").toString());
    props.putAll(properties);
    ApplicationContextRunner runner =
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LeaseholdAutoConfiguration.class))
            .withPropertyValues(
                props.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new));
    if (bean != null) {
      runner = runner.withBean(bean);
    }
    Throwable[] failure = {null};
    runner.run(context -> failure[0] = context.getStartupFailure());
    assertThat(failure[0]).as("start-up with %s", properties).isNotNull();
    System.out.println(properties + " ->\n" + messages(failure[0]) + "\n");
    return failure[0];
  }

  /** Every message of the cause chain, one per line. */
  private static String messages(Throwable t) {
    List<String> lines = new ArrayList<>();
    for (Throwable c = t; c != null; c = c.getCause()) {
      lines.add(c.getClass().getSimpleName() + ": " + c.getMessage());
    }
    return String.join("\n", lines);
  }
}
