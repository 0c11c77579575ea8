package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;
import java.util.List;

class ConfigMapLockContractTest extends MockLockContractTest {
  @Override
  Lock lock(String identity) {
    return ConfigMapLock.builder(cluster.client)
        .namespace(NS)
        .name(name)
        .identity(identity)
        .build();
  }

  @Override
  List<ResourceType> objects() {
    return List.of(ResourceType.CONFIGMAPS);
  }
}
