package io.leasehold.spring;

import io.leasehold.spring.LeaseholdProperties.LockType;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code leasehold.lock.type} is {@link #value()}, or when it is {@code auto} and the
 * application has a bean of one of {@link #autoIfBean()} or sets {@link #autoIfProperty()}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Conditional(OnLockTypeCondition.class)
@interface ConditionalOnLockType {

  /** The lock type this bean is for. */
  LockType value();

  /** Class names: in auto mode, a bean of one of these types selects this lock type. */
  String[] autoIfBean() default {};

  /** A property that, when set (a non-empty list), selects this lock type in auto mode. */
  String autoIfProperty() default "";
}
