package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;
import java.util.List;

class MultiLockContractTest extends MockLockContractTest {
  @Override
  Lock lock(String identity) {
    return KubernetesLocks.create(
        KubernetesLocks.CONFIGMAPS_LEASES,
        NS,
        name,
        cluster.client,
        ResourceLockConfig.of(identity));
  }

  @Override
  List<ResourceType> objects() {
    return List.of(ResourceType.CONFIGMAPS, ResourceType.LEASES);
  }
}
