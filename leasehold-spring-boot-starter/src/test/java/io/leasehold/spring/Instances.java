package io.leasehold.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts instances of a test application in this JVM, each its own application context sharing one
 * {@link ElectionLog}, with short election timings: lease 3 s, renew 2 s, retry 0.5 s.
 */
final class Instances implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(3);
  static final Duration RENEW = Duration.ofSeconds(2);
  static final Duration RETRY = Duration.ofMillis(500);

  final ElectionLog log = new ElectionLog();
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private WebApplicationType web = WebApplicationType.NONE;

  Instances(Map<String, ?> properties) {
    this.properties.put("leasehold.lease-duration", LEASE.toMillis() + "ms");
    this.properties.put("leasehold.renew-deadline", RENEW.toMillis() + "ms");
    this.properties.put("leasehold.retry-period", RETRY.toMillis() + "ms");
    this.properties.put("spring.main.banner-mode", Banner.Mode.OFF.name());
    this.properties.put("logging.level.root", "WARN");
    this.properties.put("logging.level.io.leasehold", "INFO");
    this.properties.putAll(properties);
  }

  /** Serves HTTP (and the actuator) on random ports. */
  Instances web() {
    web = WebApplicationType.SERVLET;
    properties.put("server.port", "0");
    properties.put("management.server.port", "0");
    return this;
  }

  /** Starts instance {@code id} (also its leasehold.identity) of {@code sources}. */
  ConfigurableApplicationContext start(String id, Class<?>... sources) {
    return start(id, Map.of(), sources);
  }

  /** Starts instance {@code id} with extra properties. */
  ConfigurableApplicationContext start(String id, Map<String, ?> extra, Class<?>... sources) {
    Map<String, Object> props = new LinkedHashMap<>(properties);
    props.put("test.instance", id);
    props.put("leasehold.identity", id);
    props.putAll(extra);
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(sources.length == 0 ? new Class<?>[] {TestApp.class} : sources)
            .web(web)
            .logStartupInfo(false)
            .properties(props)
            .initializers(c -> c.getBeanFactory().registerSingleton("electionLog", log))
            .run();
    synchronized (contexts) {
      contexts.add(context);
    }
    return context;
  }

  static LeaseholdElection election(ConfigurableApplicationContext context) {
    return context.getBean(LeaseholdElection.class);
  }

  @Override
  public void close() {
    synchronized (contexts) {
      for (ConfigurableApplicationContext c : contexts) {
        c.close();
      }
      contexts.clear();
    }
  }
}
