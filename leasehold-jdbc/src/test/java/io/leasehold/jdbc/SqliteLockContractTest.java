package io.leasehold.jdbc;

import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.leaderelection.resourcelock.LockContractTest;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteLockContractTest extends LockContractTest {
  @TempDir Path dir;
  private DataSource dataSource;

  @BeforeEach
  void database() {
    dataSource = SqliteDataSources.forFile(dir.resolve("leases.db"));
  }

  @Override
  protected Lock newLock(String identity) {
    return JdbcLock.builder(dataSource).name("contract").identity(identity).build();
  }
}
