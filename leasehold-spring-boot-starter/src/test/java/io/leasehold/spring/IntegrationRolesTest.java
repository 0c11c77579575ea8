package io.leasehold.spring;

import static io.leasehold.spring.ElectionLog.Kind.GRANTED;
import static io.leasehold.spring.ElectionLog.Kind.REVOKED;
import static io.leasehold.spring.ElectionLog.Kind.ROLE_WORK;
import static io.leasehold.spring.ElectionLog.Kind.SI_FAILED_TO_ACQUIRE;
import static io.leasehold.spring.ElectionLog.Kind.SI_GRANTED;
import static io.leasehold.spring.ElectionLog.Kind.SI_GRANTED_DELIVERED;
import static io.leasehold.spring.ElectionLog.Kind.SI_REVOKED;
import static io.leasehold.spring.ElectionLog.Kind.SI_REVOKED_DELIVERED;
import static io.leasehold.spring.ElectionLog.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.leasehold.spring.ElectionLog.Entry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.event.AbstractLeaderEvent;
import org.springframework.integration.leader.event.DefaultLeaderEventPublisher;
import org.springframework.integration.leader.event.OnFailedToAcquireMutexEvent;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;
import org.springframework.integration.support.SmartLifecycleRoleController;

/**
 * An application written for Spring Integration's leader API (as for Spring Cloud Kubernetes or a
 * LockRegistryLeaderInitiator): a polling endpoint in role "leader", which the framework's
 * SmartLifecycleRoleController starts and stops, a listener of OnGrantedEvent, OnRevokedEvent and
 * OnFailedToAcquireMutexEvent that yields leadership through the event's Context, and its own
 * LeaderEventPublisher, which the starter uses.
 */
class IntegrationRolesTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String ROLE = "leader";
  static final String ALL_RUNNING = "all endpoints running";
  static final String NONE_RUNNING = "no endpoint running";

  @TempDir Path dir;

  /** The Spring Integration part of the application. */
  @Configuration(proxyBeanMethods = false)
  static class IntegrationApp {
    final Map<String, Context> granted = new ConcurrentHashMap<>();

    @Bean
    IntegrationFlow leaderFlow(ElectionLog log, @Value("${test.instance}") String instance) {
      return IntegrationFlow.fromSupplier(
              () -> "tick",
              e ->
                  e.poller(Pollers.fixedDelay(Duration.ofMillis(20))).role(ROLE).autoStartup(false))
          .handle(
              (payload, headers) -> {
                log.add(instance, ROLE_WORK, -1, "");
                return null;
              })
          .get();
    }

    @Bean
    SiListener siListener(ElectionLog log, @Value("${test.instance}") String instance) {
      return new SiListener(log, instance, granted);
    }

    @Bean
    ObservingPublisher leaderEventPublisher(
        ElectionLog log,
        @Value("${test.instance}") String instance,
        ObjectProvider<SmartLifecycleRoleController> roles) {
      return new ObservingPublisher(log, instance, roles);
    }
  }

  /**
   * Spring Integration's publisher, which also logs, once all listeners of an OnGrantedEvent or
   * OnRevokedEvent have returned (the role controller's start or stop included), whether the role's
   * endpoints run. Looked at there, on the delivering thread, the state is exact; a poll is no sign
   * of it, since an endpoint starts polling before it counts itself as running.
   */
  static class ObservingPublisher extends DefaultLeaderEventPublisher {
    private final ElectionLog log;
    private final String instance;
    private final ObjectProvider<SmartLifecycleRoleController> roles;

    ObservingPublisher(
        ElectionLog log, String instance, ObjectProvider<SmartLifecycleRoleController> roles) {
      this.log = log;
      this.instance = instance;
      this.roles = roles;
    }

    @Override
    public void publishOnGranted(Object source, Context context, String role) {
      super.publishOnGranted(source, context, role);
      log.add(instance, SI_GRANTED_DELIVERED, -1, endpoints(role));
    }

    @Override
    public void publishOnRevoked(Object source, Context context, String role) {
      super.publishOnRevoked(source, context, role);
      log.add(instance, SI_REVOKED_DELIVERED, -1, endpoints(role));
    }

    private String endpoints(String role) {
      SmartLifecycleRoleController controller = roles.getObject();
      return controller.allEndpointsRunning(role)
          ? ALL_RUNNING
          : controller.noEndpointsRunning(role) ? NONE_RUNNING : "some endpoints running";
    }
  }

  /**
   * A listener as written for Spring Integration's leader events; ordered before the role
   * controller, so that a grant is logged before the role's endpoints start.
   */
  static class SiListener {
    private final ElectionLog log;
    private final String instance;
    private final Map<String, Context> granted;

    SiListener(ElectionLog log, String instance, Map<String, Context> granted) {
      this.log = log;
      this.instance = instance;
      this.granted = granted;
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public void onGranted(OnGrantedEvent e) {
      granted.put(instance, e.getContext());
      log.add(instance, SI_GRANTED, -1, describe(e));
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public void onRevoked(OnRevokedEvent e) {
      log.add(instance, SI_REVOKED, -1, describe(e));
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public void onFailedToAcquire(OnFailedToAcquireMutexEvent e) {
      log.add(instance, SI_FAILED_TO_ACQUIRE, -1, describe(e));
    }

    private static String describe(AbstractLeaderEvent e) {
      return "role="
          + e.getRole()
          + " contextRole="
          + e.getContext().getRole()
          + " leader="
          + e.getContext().isLeader();
    }
  }

  @Test
  void rolesStartOnGrantStopOnRevokeAndYieldHandsOver() throws Exception {
    try (Instances instances =
        new Instances(
            Map.of(
                "leasehold.sqlite.path",
                dir.resolve("si.db").toString(),
                "leasehold.name",
                "si"))) {
      ElectionLog log = instances.log;
      ConfigurableApplicationContext a = instances.start("a", TestApp.class, IntegrationApp.class);
      Entry aGranted = log.await(0, is("a", SI_GRANTED), WAIT, "a granted");
      assertThat(aGranted.detail())
          .as("%s", log)
          .isEqualTo("role=leader contextRole=leader leader=true");
      Entry aStarted = log.await(aGranted.seq(), is("a", SI_GRANTED_DELIVERED), WAIT, "a's grant");
      assertThat(aStarted.detail()).as("%s", log).isEqualTo(ALL_RUNNING);
      log.awaitCount(aGranted.seq(), is("a", ROLE_WORK), 3, WAIT, "a's role endpoint polling");

      ConfigurableApplicationContext b = instances.start("b", TestApp.class, IntegrationApp.class);
      Entry bFailed = log.await(0, is("b", SI_FAILED_TO_ACQUIRE), WAIT, "b failing to acquire");
      assertThat(bFailed.detail())
          .as("%s", log)
          .isEqualTo("role=leader contextRole=leader leader=false");
      assertThat(roles(b).noEndpointsRunning(ROLE)).as("%s", log).isTrue();
      assertThat(log.entries(is("b", ROLE_WORK))).as("%s", log).isEmpty();

      Context aContext = a.getBean(IntegrationApp.class).granted.get("a");
      aContext.yield();

      Entry aRevoked = log.await(aGranted.seq(), is("a", SI_REVOKED), WAIT, "a revoked");
      Entry aStopped = log.await(aRevoked.seq(), is("a", SI_REVOKED_DELIVERED), WAIT, "a's revoke");
      assertThat(aStopped.detail()).as("%s", log).isEqualTo(NONE_RUNNING);
      Entry bGranted = log.await(aGranted.seq(), is("b", SI_GRANTED), WAIT, "b granted");
      assertThat(aStopped.seq()).as("%s", log).isLessThan(bGranted.seq());
      assertThat(aContext.isLeader()).as("%s", log).isFalse();
      Entry bStarted = log.await(bGranted.seq(), is("b", SI_GRANTED_DELIVERED), WAIT, "b's grant");
      assertThat(bStarted.detail()).as("%s", log).isEqualTo(ALL_RUNNING);
      log.awaitCount(bGranted.seq(), is("b", ROLE_WORK), 3, WAIT, "b's role endpoint polling");
      assertThat(log.entries(e -> is("b", ROLE_WORK).test(e) && e.seq() < bGranted.seq()))
          .isEmpty();
      // Leasehold's own revocation follows Spring Integration's, after the role controller stopped
      // the endpoint; SI stops it by cancelling its task, so a poll already running may still end
      Entry aDone = log.await(aGranted.seq(), is("a", REVOKED), WAIT, "a's term over");
      assertThat(aDone.seq())
          .as("%s", log)
          .isGreaterThan(aStopped.seq())
          .isLessThan(bGranted.seq());
      assertThat(log.entries(e -> is("a", ROLE_WORK).test(e) && e.seq() > aStopped.seq()))
          .as("%s", log)
          .hasSizeLessThanOrEqualTo(1);

      // the yielding instance competes again (after a retry period or two): it leads once b is gone
      b.close();
      Entry aAgain = log.await(bGranted.seq(), is("a", GRANTED), WAIT, "a leading again");
      assertThat(aAgain.token()).as("%s", log).isGreaterThan(tokenOf(log, "b"));
      Entry aGrantedAgain = log.await(aAgain.seq(), is("a", SI_GRANTED), WAIT, "a granted again");
      Entry aStartedAgain =
          log.await(aGrantedAgain.seq(), is("a", SI_GRANTED_DELIVERED), WAIT, "a's new grant");
      assertThat(aStartedAgain.detail()).as("%s", log).isEqualTo(ALL_RUNNING);
      log.await(aGrantedAgain.seq(), is("a", ROLE_WORK), WAIT, "a's role endpoint polling again");
      assertThat(log.entries(is("b", REVOKED))).as("%s", log).hasSize(1);
      ThreeInstancesContract.assertTermsNeverOverlap(log);
    }
  }

  private static long tokenOf(ElectionLog log, String instance) {
    List<Entry> granted = log.entries(is(instance, GRANTED));
    return granted.get(granted.size() - 1).token();
  }

  private static SmartLifecycleRoleController roles(ConfigurableApplicationContext c) {
    return c.getBean(SmartLifecycleRoleController.class);
  }
}
