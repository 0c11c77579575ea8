package io.leasehold.simulation;

import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a lock-call task of the elector will do, read from the task before it runs: a get, or a
 * create or update of a given record.
 *
 * <p>The {@link io.leasehold.leaderelection.resourcelock.Lock} SPI is synchronous, so a task that
 * calls it learns the answer the moment the store applies it. To let the store apply a request at
 * one instant and the caller hear of it at another (or never), the network reads the operation out
 * of the task when it is sent (the elector's lock-call task captures its operation, and a write
 * operation captures its record), applies it at the store when it arrives, and runs the task only
 * when the response comes back, with the lock answering what the store said then. The timeout the
 * elector gives the call is read too: the client side of a call ends by then (or, for a lock that
 * overruns, somewhat later) even if no response ever comes.
 */
record LockOp(Kind kind, LeaderElectionRecord record, Duration timeout) {
  enum Kind {
    GET,
    CREATE,
    UPDATE
  }

  private static final String LOCK_CALL = "io.leasehold.leaderelection.LeaderElector$LockCall";
  private static final Map<Class<?>, List<Field>> FIELDS = new ConcurrentHashMap<>();

  /** The operation of an elector lock-call task, or null if it cannot be read. */
  static LockOp of(Runnable task) {
    try {
      LockOp op = null;
      Duration timeout = null;
      for (Field f : fields(task.getClass())) {
        if (f.getType().getName().equals(LOCK_CALL)) {
          op = ofCall(f.get(task));
        } else if (f.getType() == Duration.class) {
          timeout = (Duration) f.get(task);
        }
      }
      return op == null || timeout == null ? null : new LockOp(op.kind, op.record, timeout);
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  private static LockOp ofCall(Object call) throws IllegalAccessException {
    if (call == null) {
      return null;
    }
    LeaderElectionRecord record = null;
    Boolean create = null;
    for (Field f : fields(call.getClass())) {
      if (f.getType() == LeaderElectionRecord.class) {
        record = (LeaderElectionRecord) f.get(call);
      } else if (f.getType() == boolean.class) {
        create = f.getBoolean(call);
      }
    }
    if (record == null) {
      return create == null ? new LockOp(Kind.GET, null, null) : null;
    }
    if (create == null) {
      return null;
    }
    return new LockOp(create ? Kind.CREATE : Kind.UPDATE, record, null);
  }

  private static List<Field> fields(Class<?> c) {
    return FIELDS.computeIfAbsent(
        c,
        k -> {
          List<Field> out = new ArrayList<>();
          for (Field f : k.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
              f.setAccessible(true);
              out.add(f);
            }
          }
          return out;
        });
  }

  String name() {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
