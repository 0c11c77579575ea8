package io.leasehold.jdbc;

import io.leasehold.testing.PostgresServer;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

class PostgresLockContractTest extends JdbcLockContractTest {
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static PostgresServer server;
  private static DataSource dataSource;
  private String lockName;

  @BeforeAll
  static void startServer() throws Exception {
    server = PostgresServer.start();
    dataSource = server.dataSource();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void freshLockName() {
    lockName = "contract-" + TESTS.incrementAndGet();
  }

  @Override
  DataSource dataSource() {
    return dataSource;
  }

  @Override
  String lockName() {
    return lockName;
  }

  @Override
  boolean notifies() {
    return true;
  }
}
