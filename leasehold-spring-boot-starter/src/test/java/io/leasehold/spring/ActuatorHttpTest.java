package io.leasehold.spring;

import static io.leasehold.spring.ElectionLog.Kind.GRANTED;
import static io.leasehold.spring.ElectionLog.Kind.LEADER_CHANGED;
import static io.leasehold.spring.ElectionLog.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leasehold.spring.ElectionLog.Entry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The health, info and metrics endpoints over real HTTP (web and management servers on random
 * ports): leader and follower report themselves, and the leader turns DOWN when its renewals stop
 * (another process holds the SQLite file's write lock), then UP again when they resume.
 */
class ActuatorHttpTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void leaderAndFollowerReportThemselvesAndAStuckLeaderTurnsDown() throws Exception {
    Path db = dir.resolve("web.db");
    try (Instances instances =
        new Instances(
                Map.of(
                    "leasehold.sqlite.path", db.toString(),
                    "leasehold.name", "web",
                    "leasehold.health.tolerance", "1s",
                    "management.endpoints.web.exposure.include", "health,info,metrics",
                    "management.endpoint.health.show-details", "always"))
            .web()) {
      ElectionLog log = instances.log;
      ConfigurableApplicationContext a = instances.start("a");
      Entry granted = log.await(0, is("a", GRANTED), WAIT, "a leading");
      ConfigurableApplicationContext b = instances.start("b");
      log.await(
          0,
          e -> is("b", LEADER_CHANGED).test(e) && e.detail().equals("a"),
          WAIT,
          "b seeing a lead");

      JsonNode aHealth = get(a, "/actuator/health", 200).path("components").path("leasehold");
      assertThat(aHealth.path("status").asText()).isEqualTo("UP");
      assertThat(aHealth.path("details").path("isLeader").asBoolean()).isTrue();
      assertThat(aHealth.path("details").path("leader").asText()).isEqualTo("a");
      assertThat(aHealth.path("details").path("fencingToken").asLong()).isEqualTo(granted.token());
      assertThat(aHealth.path("details").path("lock").asText())
          .isEqualTo("sqlite:leasehold_leases/web");

      JsonNode bHealth = get(b, "/actuator/health", 200).path("components").path("leasehold");
      assertThat(bHealth.path("status").asText()).isEqualTo("UP");
      assertThat(bHealth.path("details").path("isLeader").asBoolean()).isFalse();
      assertThat(bHealth.path("details").path("leader").asText()).isEqualTo("a");
      assertThat(bHealth.path("details").has("fencingToken")).isFalse();

      JsonNode aInfo = get(a, "/actuator/info", 200).path("leasehold");
      assertThat(aInfo.path("election").asText()).isEqualTo("web");
      assertThat(aInfo.path("identity").asText()).isEqualTo("a");
      assertThat(aInfo.path("isLeader").asBoolean()).isTrue();
      assertThat(aInfo.path("fencingToken").asLong()).isEqualTo(granted.token());
      JsonNode bInfo = get(b, "/actuator/info", 200).path("leasehold");
      assertThat(bInfo.path("isLeader").asBoolean()).isFalse();
      assertThat(bInfo.path("leader").asText()).isEqualTo("a");

      assertThat(masterStatus(a)).isEqualTo(1.0);
      assertThat(masterStatus(b)).isEqualTo(0.0);

      // another process takes the database's write lock: no instance can renew or take over
      try (Connection blocker = DriverManager.getConnection("jdbc:sqlite:" + db);
          Statement s = blocker.createStatement()) {
        s.execute("BEGIN EXCLUSIVE");
        // DOWN once lease (3 s) + tolerance (1 s) have passed since the last renewal
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(
                () -> {
                  JsonNode down =
                      get(a, "/actuator/health", 503).path("components").path("leasehold");
                  assertThat(down.path("status").asText()).isEqualTo("DOWN");
                  assertThat(down.path("details").path("reason").asText())
                      .contains("failed election to renew leadership");
                });
        assertThat(Instances.election(a).isLeader()).isFalse();
        assertThat(
                get(b, "/actuator/health", 200)
                    .path("components")
                    .path("leasehold")
                    .path("status")
                    .asText())
            .isEqualTo("UP");
        s.execute("ROLLBACK");
      }
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () ->
                  assertThat(
                          get(a, "/actuator/health", 200)
                              .path("components")
                              .path("leasehold")
                              .path("status")
                              .asText())
                      .isEqualTo("UP"));
      log.await(granted.seq(), is(GRANTED), WAIT, "a leader after the lock is free again");
    }
  }

  private double masterStatus(ConfigurableApplicationContext c) throws Exception {
    JsonNode metric = get(c, "/actuator/metrics/leader_election_master_status?tag=name:web", 200);
    return metric.path("measurements").get(0).path("value").asDouble();
  }

  private JsonNode get(ConfigurableApplicationContext c, String path, int status) throws Exception {
    String port = c.getEnvironment().getProperty("local.management.port");
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(
                    Duration.ofSeconds(
                        30)) // the first request of a new context on a loaded machine is slow
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }
}
