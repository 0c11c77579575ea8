package io.leasehold.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Wraps a data source and records what the locks send through it: every statement's SQL when it
 * runs, {@code BEGIN} when auto-commit is turned off, {@code COMMIT} and {@code ROLLBACK}; counts
 * the connections handed out. A {@link Hook} may run before or after each recorded step, to freeze
 * a candidate at a chosen point.
 */
final class SqlLog {
  /** Runs around a recorded step; may block. */
  @FunctionalInterface
  interface Hook {
    void at(String step, boolean before) throws Exception;
  }

  private static final Set<String> EXECUTE =
      Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate");

  private final List<String> steps = new CopyOnWriteArrayList<>();
  private final AtomicLong connections = new AtomicLong();
  private volatile Hook hook = (step, before) -> {};

  /** The steps recorded so far. */
  List<String> steps() {
    return new ArrayList<>(steps);
  }

  /** The steps recorded after the first {@code from} of them. */
  List<String> stepsSince(int from) {
    List<String> all = steps();
    return all.subList(Math.min(from, all.size()), all.size());
  }

  /** Connections handed out so far. */
  long connections() {
    return connections.get();
  }

  /** Installs the hook. */
  void hook(Hook h) {
    this.hook = h;
  }

  /** {@code target}, recorded by this log. */
  DataSource wrap(DataSource target) {
    return proxy(
        DataSource.class,
        target,
        (m, args, result) -> {
          if (m.getName().equals("getConnection")) {
            connections.incrementAndGet();
            return connection((Connection) result);
          }
          return result;
        });
  }

  private Connection connection(Connection real) {
    return proxy(
        Connection.class,
        real,
        new Around() {
          @Override
          public void before(Method m, Object[] args) throws Exception {
            String step = step(m, args);
            if (step != null) {
              steps.add(step);
              hook.at(step, true);
            }
          }

          @Override
          public Object after(Method m, Object[] args, Object result) throws Exception {
            String step = step(m, args);
            if (step != null) {
              hook.at(step, false);
            }
            if (m.getName().equals("prepareStatement")) {
              return statement(
                  PreparedStatement.class, (PreparedStatement) result, (String) args[0]);
            }
            if (m.getName().equals("createStatement")) {
              return statement(Statement.class, (Statement) result, null);
            }
            return result;
          }
        });
  }

  private static String step(Method m, Object[] args) {
    return switch (m.getName()) {
      case "commit" -> "COMMIT";
      case "rollback" -> "ROLLBACK";
      case "setAutoCommit" -> Boolean.FALSE.equals(args[0]) ? "BEGIN" : null;
      default -> null;
    };
  }

  private <S extends Statement> S statement(Class<S> type, S real, String preparedSql) {
    return proxy(
        type,
        real,
        new Around() {
          @Override
          public void before(Method m, Object[] args) throws Exception {
            if (EXECUTE.contains(m.getName())) {
              String sql = args != null && args.length > 0 ? (String) args[0] : preparedSql;
              steps.add(sql);
              hook.at(sql, true);
            }
          }

          @Override
          public Object after(Method m, Object[] args, Object result) throws Exception {
            if (EXECUTE.contains(m.getName())) {
              hook.at(args != null && args.length > 0 ? (String) args[0] : preparedSql, false);
            }
            return result;
          }
        });
  }

  /** Code around each call of a proxied object. */
  @FunctionalInterface
  private interface Around {
    default void before(Method m, Object[] args) throws Exception {}

    Object after(Method m, Object[] args, Object result) throws Exception;
  }

  private static <T> T proxy(Class<T> type, T target, Around around) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, args) -> {
              around.before(m, args);
              Object result;
              try {
                result = m.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              return around.after(m, args, result);
            }));
  }
}
