package io.leasehold.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method only while this instance leads the election; elsewhere (and when no
 * election runs, as with {@code leasehold.enabled=false}) calls return at once without running it,
 * returning null. Meant for {@code @Scheduled} methods, where it replaces a scheduler lock:
 *
 * <pre>{@code
 * @Scheduled(fixedDelay = 5_000)
 * @LeaderOnly
 * void sendInvoices() {
 *   invoices.sendDue(Leadership.fencingToken()); // the store rejects tokens older than its last
 * }
 * }</pre>
 *
 * <p>Calls are admitted from when the term's grant has been delivered (the listeners of {@code
 * LeadershipGrantedEvent} and of Spring Integration's {@code OnGrantedEvent} have returned) until
 * leadership ends. A call admitted runs to its end; inside it, {@link Leadership#current()} is the
 * term it was admitted in, cancelled as soon as leadership ends (check {@link
 * Leadership#checkLeading()} between steps of long work). When leadership ends no new call is
 * admitted, and the term's {@code LeadershipRevokedEvent} is published and the lock released only
 * after the running calls have returned (waiting at most the renew deadline). So the leader-only
 * calls of a term all run between its grant and its revocation.
 *
 * <p>The bean is proxied (a subclass, as for {@code @Transactional}), so the method must be
 * overridable (not private, final or static) and called through the bean, not through {@code this}.
 * It must return void or an object type.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LeaderOnly {}
