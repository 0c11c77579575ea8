package io.leasehold.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/** What differs between the databases a {@link JdbcLock} runs on. */
enum Dialect {
  /** SQLite: immediate write transactions, a busy timeout per connection, no notifications. */
  SQLITE("TEXT", "INTEGER"),
  /** PostgreSQL: retries on serialization failures, LISTEN/NOTIFY for watches. */
  POSTGRESQL("TEXT", "BIGINT"),
  /** Anything else with standard SQL: plain transactions, conflicts detected by SQLState 23. */
  GENERIC("VARCHAR(253)", "BIGINT");

  final String textType;
  final String bigintType;

  Dialect(String textType, String bigintType) {
    this.textType = textType;
    this.bigintType = bigintType;
  }

  static Dialect of(DatabaseMetaData meta) throws SQLException {
    String product = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("sqlite")) {
      return SQLITE;
    }
    if (product.contains("postgres")) {
      return POSTGRESQL;
    }
    return GENERIC;
  }

  /** Whether {@code INSERT ... ON CONFLICT (name) DO NOTHING} is available. */
  boolean hasInsertOnConflict() {
    return this != GENERIC;
  }
}
