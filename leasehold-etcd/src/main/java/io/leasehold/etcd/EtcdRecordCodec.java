package io.leasehold.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leasehold.leaderelection.resourcelock.CorruptRecordException;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The record as JSON in an etcd value: client-go's field names, times in RFC 3339 with the full
 * precision of {@link Instant}, plus Leasehold's {@code fencingToken}. Decoding is strict: a value
 * that is not such a record is reported as corrupt, never guessed at.
 */
final class EtcdRecordCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EtcdRecordCodec() {}

  static byte[] encode(LeaderElectionRecord r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("holderIdentity", r.holderIdentity());
    o.put("leaseDurationSeconds", r.leaseDurationSeconds());
    putTime(o, "acquireTime", r.acquireTime());
    putTime(o, "renewTime", r.renewTime());
    o.put("leaderTransitions", r.leaderTransitions());
    if (r.strategy() != null && !r.strategy().isEmpty()) {
      o.put("strategy", r.strategy());
    }
    if (r.preferredHolder() != null && !r.preferredHolder().isEmpty()) {
      o.put("preferredHolder", r.preferredHolder());
    }
    o.put("fencingToken", r.fencingToken());
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + r, e);
    }
  }

  /**
   * Decodes a stored value.
   *
   * @param where the key, for error messages
   * @throws CorruptRecordException when the value is not a well-formed record
   */
  static LeaderElectionRecord decode(String where, byte[] value) throws CorruptRecordException {
    JsonNode o;
    try {
      o = JSON.readTree(value);
    } catch (java.io.IOException e) {
      throw new CorruptRecordException(where + ": the value is not JSON: " + preview(value), e);
    }
    if (o == null || !o.isObject()) {
      throw new CorruptRecordException(
          where + ": the value is not a JSON object: " + preview(value));
    }
    JsonNode holder = o.get("holderIdentity");
    if (holder == null || !holder.isTextual()) {
      throw new CorruptRecordException(where + ": holderIdentity is missing or not a string");
    }
    LeaderElectionRecord.Builder b =
        LeaderElectionRecord.builder()
            .holderIdentity(holder.asText())
            .leaseDurationSeconds(int32(where, o, "leaseDurationSeconds"))
            .acquireTime(time(where, o, "acquireTime"))
            .renewTime(time(where, o, "renewTime"))
            .leaderTransitions(int32(where, o, "leaderTransitions"))
            .fencingToken(number(where, o, "fencingToken", false));
    JsonNode strategy = o.get("strategy");
    if (strategy != null && strategy.isTextual()) {
      b.strategy(strategy.asText());
    }
    JsonNode preferred = o.get("preferredHolder");
    if (preferred != null && preferred.isTextual()) {
      b.preferredHolder(preferred.asText());
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The fencing token of a stored value that may not decode as a whole, or -1 when it has no
   * readable one (not a JSON object, or no non-negative integer {@code fencingToken}).
   */
  static long readableToken(byte[] value) {
    try {
      JsonNode token = JSON.readTree(value).get("fencingToken");
      return token != null && token.isIntegralNumber() && token.canConvertToLong()
          ? Math.max(-1, token.asLong())
          : -1;
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  private static void putTime(ObjectNode o, String field, Instant t) {
    if (t == null) {
      o.putNull(field);
    } else {
      o.put(field, t.toString());
    }
  }

  /** A required field that is a 32-bit integer. */
  private static int int32(String where, JsonNode o, String field) throws CorruptRecordException {
    long v = number(where, o, field, true);
    if (v != (int) v) {
      throw new CorruptRecordException(where + ": " + field + " is out of range: " + v);
    }
    return (int) v;
  }

  private static long number(String where, JsonNode o, String field, boolean required)
      throws CorruptRecordException {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new CorruptRecordException(where + ": " + field + " is missing");
      }
      return 0;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new CorruptRecordException(where + ": " + field + " is not an integer: " + n);
    }
    return n.asLong();
  }

  private static Instant time(String where, JsonNode o, String field)
      throws CorruptRecordException {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new CorruptRecordException(where + ": " + field + " is not a string: " + n);
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      throw new CorruptRecordException(
          where + ": " + field + " is not an RFC 3339 time: '" + n.asText() + "'", e);
    }
  }

  private static String preview(byte[] value) {
    String s = new String(value, StandardCharsets.UTF_8);
    return s.length() > 80 ? "'" + s.substring(0, 80) + "...'" : "'" + s + "'";
  }
}
