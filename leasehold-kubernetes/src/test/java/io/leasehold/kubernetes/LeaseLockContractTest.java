package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;

class LeaseLockContractTest extends MockLockContractTest {
  @Override
  Lock lock(String identity) {
    return LeaseLock.builder(cluster.client).namespace("test").name(name).identity(identity).build();
  }
}
