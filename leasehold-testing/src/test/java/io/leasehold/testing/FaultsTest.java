package io.leasehold.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.leaderelection.resourcelock.InMemoryLockStore;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockException;
import io.leasehold.leaderelection.resourcelock.LockWatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A wrapped lock still meets the lock contract, and passes each fault before its calls. */
class FaultsTest extends LockContractTest {
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final Faults faults = new Faults();

  @Override
  protected Lock newLock(String identity) {
    return faults.wrap(store.lock("contract", identity));
  }

  @Override
  protected void deleteObject() {
    store.delete("contract");
  }

  @Test
  void injectedFailuresHitOnlyTheNamedOperationAndCount() throws Exception {
    Lock a = newLock("a");
    faults.failNext(Faults.Operation.GET, 2);
    assertThatThrownBy(() -> a.get(TIMEOUT)).hasMessageContaining("injected failure of GET");
    assertThatThrownBy(() -> a.get(TIMEOUT)).hasMessageContaining("injected failure of GET");
    assertThat(a.get(TIMEOUT)).isEmpty();
    a.create(record("a", 0, 1), TIMEOUT);
    assertThat(faults.requestCount("a")).isEqualTo(4);
    assertThat(faults.requestCount("b")).isZero();
  }

  @Test
  void anUnavailableStoreFailsEveryCallAndItsWatchesAreUnhealthy() throws Exception {
    Lock a = newLock("a");
    try (LockWatch watch = a.watch(snapshot -> {}).orElseThrow()) {
      faults.setUnavailable(true);
      assertThatThrownBy(() -> a.get(TIMEOUT)).hasMessageContaining("unavailable");
      assertThatThrownBy(() -> a.create(record("a", 0, 1), TIMEOUT))
          .hasMessageContaining("unavailable");
      assertThat(watch.isHealthy()).isFalse();
      faults.setUnavailable(false);
      assertThat(watch.isHealthy()).isTrue();
      assertThat(a.get(TIMEOUT)).isEmpty();
    }
  }

  @Test
  void anInterceptorSeesEachCallAndMayFailIt() throws Exception {
    List<String> seen = new ArrayList<>();
    faults.setInterceptor(
        (op, lock, identity) -> {
          seen.add(op + " " + identity);
          if (identity.equals("b")) {
            throw new LockException("b is cut off");
          }
        });
    newLock("a").create(record("a", 0, 1), TIMEOUT);
    assertThatThrownBy(() -> newLock("b").get(TIMEOUT)).hasMessage("b is cut off");
    assertThat(seen).containsExactly("CREATE a", "GET b");
    faults.setInterceptor(null);
    assertThat(newLock("b").get(TIMEOUT)).isPresent();
  }
}
