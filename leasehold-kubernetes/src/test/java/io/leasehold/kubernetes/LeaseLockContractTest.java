package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;
import java.util.List;

class LeaseLockContractTest extends MockLockContractTest {
  @Override
  Lock lock(String identity) {
    return LeaseLock.builder(cluster.client).namespace(NS).name(name).identity(identity).build();
  }

  @Override
  List<ResourceType> objects() {
    return List.of(ResourceType.LEASES);
  }
}
