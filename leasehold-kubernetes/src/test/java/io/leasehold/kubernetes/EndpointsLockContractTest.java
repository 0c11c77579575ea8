package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;

class EndpointsLockContractTest extends MockLockContractTest {
  @Override
  Lock lock(String identity) {
    return EndpointsLock.builder(cluster.client).namespace("test").name(name).identity(identity).build();
  }
}
