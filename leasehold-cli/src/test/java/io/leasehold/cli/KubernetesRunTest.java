package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.leasehold.testing.Await;
import io.leasehold.testing.MockApiDispatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code leasehold run/status --lock kubernetes:<namespace>} against fabric8's mock API server. */
class KubernetesRunTest {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir Path dir;
  private KubernetesMockServer server;
  private KubernetesClient client;
  private Path kubeconfig;
  private final List<CliProcess> started = new ArrayList<>();

  @BeforeEach
  void startMock() throws Exception {
    server = MockApiDispatcher.startServer();
    client = server.createClient();
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: mock",
            "  cluster:",
            "    server: http://127.0.0.1:" + server.getPort(),
            "contexts:",
            "- name: mock",
            "  context:",
            "    cluster: mock",
            "    user: tester",
            "    namespace: default",
            "current-context: mock",
            "users:",
            "- name: tester",
            "  user:",
            "    token: not-checked-by-the-mock",
            ""));
  }

  @AfterEach
  void stop(org.junit.jupiter.api.TestInfo test) {
    started.forEach(CliProcess::close);
    CliProcess.keepLogs(started, test);
    client.close();
    MockApiDispatcher.stopServer(server);
  }

  private CliProcess run(String id) throws Exception {
    CliProcess p =
        CliProcess.start(
            Map.of(),
            "run",
            "--lock",
            "kubernetes:default",
            "--kubeconfig",
            kubeconfig.toString(),
            "--name",
            "job",
            "--id",
            id,
            // Kubernetes records carry times in whole seconds, so the leader deadline loses one
            // second to that: 6 s / 4 s leave 2.6 s of authority per renewal, room for a loaded
            // machine
            "--lease-duration",
            "6s",
            "--renew-deadline",
            "4s",
            "--retry-period",
            "0.4s",
            "--",
            "sh",
            "-c",
            "echo \"$LEASEHOLD_IDENTITY $LEASEHOLD_FENCING_TOKEN\" >> "
                + dir
                + "/terms;"
                + " trap 'exit 0' TERM; while true; do sleep 0.05; done");
    started.add(p);
    return p;
  }

  private List<String> terms() throws Exception {
    Path p = dir.resolve("terms");
    return Files.exists(p) ? Files.readAllLines(p) : List.of();
  }

  @Test
  void aLeaseIsHeldReportedAndHandedOver() throws Exception {
    CliProcess alpha = run("alpha");
    Await.until(T, () -> TermLines.anyBy(uncheckedTerms(), "alpha"), "alpha leads");
    run("bravo");

    GenericKubernetesResource lease =
        client
            .genericKubernetesResources("coordination.k8s.io/v1", "Lease")
            .inNamespace("default")
            .withName("job")
            .get();
    assertThat(lease).isNotNull();
    assertThat(lease.getAdditionalProperties().get("spec").toString())
        .contains("holderIdentity=alpha");

    CliProcess status =
        CliProcess.start(
            "status",
            "--lock",
            "kubernetes:default/job",
            "--kubeconfig",
            kubeconfig.toString(),
            "--name",
            "job",
            "--json");
    assertThat(status.exitCode(T)).as(status.stderr()).isZero();
    assertThat(status.stdout())
        .as(alpha.stderr())
        .contains("\"backend\":\"default/job\"")
        .contains("\"holderIdentity\":\"alpha\"")
        .contains("\"fencingToken\":" + lastToken());

    alpha.process.toHandle().destroy(); // SIGTERM: stop the child, release the Lease
    assertThat(alpha.exitCode(T)).isEqualTo(143);
    Await.until(T, () -> TermLines.anyBy(uncheckedTerms(), "bravo"), "bravo leads");
    TermLines.assertPassedInOrder(terms(), "alpha", "bravo");
  }

  @Test
  void aSpecWhoseNameDiffersFromNameIsAUsageError() throws Exception {
    CliProcess p =
        CliProcess.start(
            "status",
            "--lock",
            "kubernetes:default/other",
            "--kubeconfig",
            kubeconfig.toString(),
            "--name",
            "job");
    assertThat(p.exitCode(T)).isEqualTo(2);
    assertThat(p.stderr()).contains("names lock 'other' but --name is 'job'");
  }

  /** The token of the last term a child recorded. */
  private String lastToken() throws Exception {
    List<String> t = terms();
    return t.get(t.size() - 1).split(" ")[1];
  }

  private List<String> uncheckedTerms() {
    try {
      return terms();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
