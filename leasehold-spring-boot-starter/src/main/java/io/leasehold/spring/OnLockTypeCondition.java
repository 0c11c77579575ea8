package io.leasehold.spring;

import io.leasehold.spring.LeaseholdProperties.LockType;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/** Evaluates {@link ConditionalOnLockType}, once the application's own beans are registered. */
final class OnLockTypeCondition extends SpringBootCondition implements ConfigurationCondition {
  static final String TYPE_PROPERTY = "leasehold.lock.type";

  @Override
  public ConfigurationPhase getConfigurationPhase() {
    return ConfigurationPhase.REGISTER_BEAN;
  }

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    Map<String, Object> attributes =
        metadata.getAnnotationAttributes(ConditionalOnLockType.class.getName());
    LockType wanted = (LockType) attributes.get("value");
    Binder binder = Binder.get(context.getEnvironment());
    // an unknown type fails here with Spring Boot's binding error, which names the property
    LockType type = binder.bind(TYPE_PROPERTY, LockType.class).orElse(LockType.AUTO);
    if (type == wanted) {
      return ConditionOutcome.match(TYPE_PROPERTY + "=" + type);
    }
    if (type != LockType.AUTO) {
      return ConditionOutcome.noMatch(TYPE_PROPERTY + "=" + type);
    }
    ConfigurableListableBeanFactory beans = context.getBeanFactory();
    for (String name : (String[]) attributes.get("autoIfBean")) {
      if (ClassUtils.isPresent(name, context.getClassLoader())
          && beans.getBeanNamesForType(
                      ClassUtils.resolveClassName(name, context.getClassLoader()), true, false)
                  .length
              > 0) {
        return ConditionOutcome.match("auto: found a " + name + " bean");
      }
    }
    String property = (String) attributes.get("autoIfProperty");
    if (!property.isEmpty()
        && !binder
            .bind(property, Bindable.listOf(String.class))
            .orElse(java.util.List.of())
            .isEmpty()) {
      return ConditionOutcome.match("auto: " + property + " is set");
    }
    return ConditionOutcome.noMatch("auto: nothing selects " + wanted);
  }
}
