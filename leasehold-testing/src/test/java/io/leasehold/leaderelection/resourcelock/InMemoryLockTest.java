package io.leasehold.leaderelection.resourcelock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leasehold.testing.LockContractTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryLockTest extends LockContractTest {
  private final InMemoryLockStore store = new InMemoryLockStore();

  @Override
  protected Lock newLock(String identity) {
    return store.lock("contract", identity);
  }

  @Override
  protected void deleteObject() {
    store.delete("contract");
  }

  @Test
  void injectedFailuresHitOnlyTheNamedOperationAndCount() throws Exception {
    Lock a = newLock("a");
    store.failNext(InMemoryLockStore.Operation.GET, 2);
    assertThatThrownBy(() -> a.get(TIMEOUT)).hasMessageContaining("injected failure of GET");
    assertThatThrownBy(() -> a.get(TIMEOUT)).hasMessageContaining("injected failure of GET");
    assertThat(a.get(TIMEOUT)).isEmpty();
    a.create(record("a", 0, 1), TIMEOUT);
    assertThat(store.requestCount("a")).isEqualTo(4);
  }

  @Test
  void anUnavailableStoreFailsEveryCall() {
    Lock a = newLock("a");
    store.setUnavailable(true);
    assertThatThrownBy(() -> a.get(TIMEOUT)).hasMessageContaining("unavailable");
    assertThatThrownBy(() -> a.create(record("a", 0, 1), TIMEOUT))
        .hasMessageContaining("unavailable");
  }

  @Test
  void aCorruptedRecordFailsGetWithCorruptRecordException() throws Exception {
    newLock("a").create(record("a", 0, 1), TIMEOUT);
    store.corrupt("contract");
    assertThatThrownBy(() -> newLock("b").get(TIMEOUT))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("contract");
  }

  @Test
  void aCorruptedRecordCanBeReplacedThroughTheSnapshotItsExceptionCarries() throws Exception {
    newLock("a").create(record("a", 0, 7), TIMEOUT);
    store.corrupt("contract");
    Lock b = newLock("b");
    CorruptRecordException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            CorruptRecordException.class, () -> b.get(TIMEOUT));
    LockSnapshot corrupt = e.stored().orElseThrow();
    assertThat(corrupt.record().fencingToken()).isEqualTo(7);
    b.update(corrupt, record("", 0, 7), TIMEOUT);
    assertThat(b.get(TIMEOUT).orElseThrow().record().fencingToken()).isEqualTo(7);
  }

  @Test
  void watchersSeeEveryWriteWithTheSameRawBytesAsGet() throws Exception {
    List<LockSnapshot> seen = new ArrayList<>();
    LockWatch watch = newLock("w").watch(seen::add).orElseThrow();
    Lock a = newLock("a");
    LockSnapshot s = a.create(record("a", 0, 1), TIMEOUT);
    s = a.update(s, record("a", 0, 1), TIMEOUT);
    assertThat(seen).hasSize(2);
    assertThat(newLock("b").get(TIMEOUT).orElseThrow().sameRaw(seen.get(1))).isTrue();
    assertThat(seen.get(1).version()).isEqualTo(s.version());
    assertThat(watch.isHealthy()).isTrue();
    watch.close();
    a.update(s, record("a", 0, 1), TIMEOUT);
    assertThat(seen).hasSize(2);
  }

  @Test
  void withoutWatchOffersNoWatch() {
    assertThat(store.lock("contract", "a").withoutWatch().watch(s -> {})).isEmpty();
  }

  @Test
  void eventsAreRecordedWithTheIdentity() {
    newLock("a").recordEvent("became leader");
    assertThat(store.events()).containsExactly("contract: a became leader");
  }
}
