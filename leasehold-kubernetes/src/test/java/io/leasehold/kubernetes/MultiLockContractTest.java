package io.leasehold.kubernetes;

import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.ResourceLockConfig;

class MultiLockContractTest extends MockLockContractTest {
  @Override
  Lock lock(String identity) {
    return KubernetesLocks.create(
        KubernetesLocks.CONFIGMAPS_LEASES, "test", name, cluster.client, ResourceLockConfig.of(identity));
  }
}
