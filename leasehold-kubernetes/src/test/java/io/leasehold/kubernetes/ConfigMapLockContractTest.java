package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;

class ConfigMapLockContractTest extends MockLockContractTest {
  @Override
  Lock lock(String identity) {
    return ConfigMapLock.builder(cluster.client).namespace("test").name(name).identity(identity).build();
  }
}
