package io.leasehold.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

class SqliteConnectionPoolTest {
  @TempDir Path dir;

  @Test
  void aClosedConnectionIsReusedAndAnOpenTransactionIsRolledBack() throws Exception {
    DataSource ds = SqliteDataSources.forFile(dir.resolve("pool.db"));
    SQLiteConnection first;
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      first = c.unwrap(SQLiteConnection.class);
      s.execute("CREATE TABLE t (x INTEGER)");
      c.setAutoCommit(false);
      s.execute("INSERT INTO t VALUES (1)");
      // closed without commit
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
      assertThat(c.unwrap(SQLiteConnection.class)).isSameAs(first);
      assertThat(c.getAutoCommit()).isTrue();
      rs.next();
      assertThat(rs.getInt(1)).as("the abandoned insert was rolled back").isZero();
    }
  }

  @Test
  void aReturnedConnectionCannotBeUsedAgain() throws Exception {
    DataSource ds = SqliteDataSources.forFile(dir.resolve("pool.db"));
    Connection c = ds.getConnection();
    c.close();
    c.close(); // idempotent
    assertThat(c.isClosed()).isTrue();
    assertThatThrownBy(c::createStatement)
        .isInstanceOf(SQLException.class)
        .hasMessage("the connection was closed");
  }

  @Test
  void concurrentBorrowersGetDistinctConnections() throws Exception {
    DataSource ds = SqliteDataSources.forFile(dir.resolve("pool.db"));
    try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
      assertThat(a.unwrap(SQLiteConnection.class)).isNotSameAs(b.unwrap(SQLiteConnection.class));
    }
  }
}
