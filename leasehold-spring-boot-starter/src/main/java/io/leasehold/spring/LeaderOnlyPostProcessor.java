package io.leasehold.spring;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Proxies beans with {@link LeaderOnly} methods. It runs before Spring's scheduling post-processor,
 * so that {@code @Scheduled} calls go through the proxy.
 */
final class LeaderOnlyPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {
  private static final long serialVersionUID = 1L;

  LeaderOnlyPostProcessor(ObjectProvider<LeaseholdElection> election) {
    setProxyTargetClass(true);
    setBeforeExistingAdvisors(true); // decide before transactions and the like begin
    setOrder(Ordered.LOWEST_PRECEDENCE - 100);
    this.advisor =
        new DefaultPointcutAdvisor(
            new AnnotationMatchingPointcut(null, LeaderOnly.class, true),
            new Interceptor(election));
  }

  @Override
  protected boolean isEligible(Class<?> targetClass) {
    boolean eligible = super.isEligible(targetClass);
    if (eligible) {
      ReflectionUtils.doWithMethods(targetClass, LeaderOnlyPostProcessor::checkReturnType);
    }
    return eligible;
  }

  private static void checkReturnType(Method m) {
    if (AnnotatedElementUtils.hasAnnotation(m, LeaderOnly.class)
        && m.getReturnType().isPrimitive()
        && m.getReturnType() != void.class) {
      throw new IllegalStateException(
          "@LeaderOnly method "
              + m
              + " returns "
              + m.getReturnType()
              + ": a call on a follower returns null, so return void or an object type");
    }
  }

  /** Runs the method only inside a term of leadership. */
  private static final class Interceptor implements MethodInterceptor {
    private static final Logger log = LoggerFactory.getLogger(LeaderOnly.class);

    private final ObjectProvider<LeaseholdElection> election;
    private final AtomicBoolean warned = new AtomicBoolean();
    private volatile LeaseholdElection resolved;

    Interceptor(ObjectProvider<LeaseholdElection> election) {
      this.election = election;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
      LeaseholdElection e = resolved;
      if (e == null) {
        e = resolved = election.getIfAvailable();
      }
      if (e == null) {
        if (warned.compareAndSet(false, true)) {
          log.warn(
              "no leader election runs (leasehold.enabled=false?): @LeaderOnly methods never run");
        }
        return null;
      }
      LeaseholdElection.Term term = e.admit();
      if (term == null) {
        log.trace("not leading {}: skipped {}", e.name(), invocation.getMethod());
        return null;
      }
      var previous = Leadership.enter(term.context);
      try {
        return invocation.proceed();
      } finally {
        Leadership.restore(previous);
        term.exit();
      }
    }
  }
}
