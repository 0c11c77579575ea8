package io.leasehold.jdbc;

import io.leasehold.leaderelection.LeaderElector;
import io.leasehold.leaderelection.resourcelock.Lock;
import io.leasehold.testing.ElectionContractTest;
import javax.sql.DataSource;

/** The election contract on a real database; each subclass supplies the database. */
abstract class JdbcElectionTest extends ElectionContractTest {

  /** The database under test. */
  abstract DataSource dataSource();

  @Override
  protected Lock lock(String name, String identity) {
    return JdbcLock.builder(dataSource()).name(name).identity(identity).build();
  }

  LeaderElector start(String identity, boolean release, DataSource ds) {
    return start(JdbcLock.builder(ds).name(lockName).identity(identity).build(), release);
  }
}
