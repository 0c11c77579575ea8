package io.leasehold.jdbc;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteLockContractTest extends JdbcLockContractTest {
  @TempDir Path dir;
  private DataSource dataSource;

  @BeforeEach
  void database() {
    dataSource = SqliteDataSources.forFile(dir.resolve("leases.db"));
  }

  @Override
  DataSource dataSource() {
    return dataSource;
  }

  @Override
  String lockName() {
    return "contract";
  }
}
