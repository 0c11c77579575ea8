package io.leasehold.spring;

import io.leasehold.leaderelection.MetricsProvider;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.micrometer.MicrometerMetricsProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.integration.leader.event.DefaultLeaderEventPublisher;
import org.springframework.integration.leader.event.LeaderEventPublisher;

/**
 * Auto-configures a {@link LeaseholdElection} from the {@code leasehold.*} properties ({@link
 * LeaseholdProperties}): its lock (the application's {@code Lock} bean, else by {@code
 * leasehold.lock.type}: a Kubernetes Lease through the application's fabric8 client, an etcd key
 * through its jetcd client, a table in its DataSource, else an SQLite file), client-go's metrics
 * when Micrometer is there, Spring Integration's leader events when it is on the class path, and a
 * health indicator and an info contributor with the actuator. Every bean backs off when the
 * application defines its own.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
      "org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration",
      "org.springframework.cloud.kubernetes.fabric8.Fabric8AutoConfiguration"
    })
@EnableConfigurationProperties(LeaseholdProperties.class)
public class LeaseholdAutoConfiguration {

  /** Creates the auto-configuration (Spring does). */
  public LeaseholdAutoConfiguration() {}

  /**
   * Guards {@link LeaderOnly} methods; registered even when {@code leasehold.enabled=false}, so
   * that they then never run rather than run on every instance.
   */
  @Bean
  static LeaderOnlyPostProcessor leaseholdLeaderOnlyPostProcessor(
      ObjectProvider<LeaseholdElection> election) {
    return new LeaderOnlyPostProcessor(election);
  }

  /** The election and its lock, unless {@code leasehold.enabled=false}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "leasehold", name = "enabled", matchIfMissing = true)
  @Import({
    LeaseholdLocks.Kubernetes.class,
    LeaseholdLocks.Etcd.class,
    LeaseholdLocks.Jdbc.class,
    LeaseholdLocks.Sqlite.class
  })
  static class Election {

    @Bean
    LeaseholdElection.Settings leaseholdSettings(LeaseholdProperties p, Environment env) {
      String name = p.getName();
      if (name == null || name.isBlank()) {
        name = env.getProperty("spring.application.name", "leasehold");
      }
      String identity = p.getIdentity();
      if (identity == null || identity.isBlank()) {
        identity = hostName() + "_" + UUID.randomUUID();
      }
      return new LeaseholdElection.Settings(
          name,
          identity,
          p.getRole(),
          p.getLeaseDuration(),
          p.getRenewDeadline(),
          p.getRetryPeriod(),
          p.isReleaseOnCancel(),
          p.isKeepCompeting(),
          p.getHealth().getTolerance());
    }

    @Bean
    @ConditionalOnMissingBean
    LeaseholdElection leaseholdElection(
        LeaseholdElection.Settings settings,
        Lock lock,
        ObjectProvider<MetricsProvider> metrics,
        ApplicationEventPublisher publisher,
        ObjectProvider<LeaseholdElection.Observer> observers) {
      return new LeaseholdElection(
          settings,
          lock,
          metrics.getIfAvailable(() -> MetricsProvider.NOOP),
          publisher,
          observers.orderedStream().toList());
    }

    /** client-go's metric names in the application's registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MicrometerMetricsProvider.class, MeterRegistry.class})
    @ConditionalOnBean(MeterRegistry.class)
    static class Metrics {
      @Bean
      @ConditionalOnMissingBean
      MetricsProvider leaseholdMetricsProvider(MeterRegistry registry) {
        return new MicrometerMetricsProvider(registry);
      }
    }

    /** Spring Integration's OnGrantedEvent, OnRevokedEvent and OnFailedToAcquireMutexEvent. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(LeaderEventPublisher.class)
    static class Integration {
      @Bean
      @ConditionalOnMissingBean
      IntegrationLeaderEvents leaseholdIntegrationLeaderEvents(
          ObjectProvider<LeaderEventPublisher> publisher, ApplicationEventPublisher context) {
        return new IntegrationLeaderEvents(
            publisher.getIfUnique(() -> new DefaultLeaderEventPublisher(context)));
      }
    }

    /** The {@code leasehold} health indicator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
    @ConditionalOnEnabledHealthIndicator("leasehold")
    static class Health {
      @Bean
      @ConditionalOnMissingBean(name = "leaseholdHealthIndicator")
      HealthIndicator leaseholdHealthIndicator(LeaseholdElection election) {
        return new LeaseholdHealthIndicator(election);
      }
    }

    /** The {@code leasehold} section of the info endpoint. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({InfoContributor.class, ConditionalOnEnabledInfoContributor.class})
    @ConditionalOnEnabledInfoContributor("leasehold")
    static class Info {
      @Bean
      @ConditionalOnMissingBean(name = "leaseholdInfoContributor")
      InfoContributor leaseholdInfoContributor(LeaseholdElection election) {
        return new LeaseholdInfoContributor(election);
      }
    }
  }

  private static String hostName() {
    String host = System.getenv("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
