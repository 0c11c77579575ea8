package io.leasehold.spring;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** Three instances on one SQLite file (the default lock). */
class SqliteThreeInstancesTest extends ThreeInstancesContract {
  @TempDir Path dir;

  @Override
  Instances instances() {
    return new Instances(
        Map.of(
            "leasehold.sqlite.path",
            dir.resolve("leases.db").toString(),
            "leasehold.name",
            "three"));
  }

  @Override
  Class<?>[] sources() {
    return new Class<?>[] {TestApp.class};
  }
}
