package io.leasehold.leaderelection.resourcelock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceLockConfigTest {

  @Test
  void theUniqueIdentityIsTheHostNameAndAUuid_neverTheSameTwice() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = ResourceLockConfig.uniqueIdentity();
      assertThat(id).matches(".+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      assertThat(seen.add(id)).as("%s repeats", id).isTrue();
    }
  }
}
