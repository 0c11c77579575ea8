package io.leasehold.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * client-go's {@code resourcelock.LeaderElectionRecord} as JSON: the text ConfigMap and Endpoints
 * locks keep in their annotation, and the bytes every Kubernetes lock compares to detect a change.
 *
 * <p>Writing reproduces Go's {@code json.Marshal} of that struct byte for byte: the fields in
 * declaration order, times as {@code metav1.Time} (RFC 3339 in whole seconds, {@code null} when
 * unset), {@code strategy} and {@code preferredHolder} only when set, and strings escaped the way
 * Go escapes them (HTML-safe). Reading follows Go's {@code json.Unmarshal}: unknown fields are
 * ignored, keys match case-insensitively, a missing field keeps its zero value, and a value of the
 * wrong type is an error, as is a value the record's builder refuses (a negative count). The
 * fencing token is not part of this JSON.
 */
final class RecordJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RecordJson() {}

  /** The canonical JSON of {@code r}, as client-go marshals it. */
  static String write(LeaderElectionRecord r) {
    StringBuilder s = new StringBuilder(192);
    s.append("{\"holderIdentity\":");
    string(s, r.holderIdentity());
    s.append(",\"leaseDurationSeconds\":").append(r.leaseDurationSeconds());
    s.append(",\"acquireTime\":");
    time(s, r.acquireTime());
    s.append(",\"renewTime\":");
    time(s, r.renewTime());
    s.append(",\"leaderTransitions\":").append(r.leaderTransitions());
    if (r.strategy() != null && !r.strategy().isEmpty()) {
      s.append(",\"strategy\":");
      string(s, r.strategy());
    }
    if (r.preferredHolder() != null && !r.preferredHolder().isEmpty()) {
      s.append(",\"preferredHolder\":");
      string(s, r.preferredHolder());
    }
    return s.append('}').toString();
  }

  /** {@link #write} as UTF-8 bytes. */
  static byte[] bytes(LeaderElectionRecord r) {
    return write(r).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a record written by any client-go version (or by hand).
   *
   * @return the record, with fencing token 0
   * @throws IllegalArgumentException saying what is wrong when {@code json} is not a valid record
   */
  static LeaderElectionRecord read(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new IllegalArgumentException("invalid JSON: no value");
    }
    LeaderElectionRecord.Builder b = LeaderElectionRecord.builder();
    if (root.isNull()) {
      return b.build();
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object, found " + kind(root));
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      JsonNode v = field.getValue();
      switch (field.getKey().toLowerCase(Locale.ROOT)) {
        case "holderidentity" -> b.holderIdentity(text(v, "holderIdentity"));
        case "leasedurationseconds" -> b.leaseDurationSeconds(integer(v, "leaseDurationSeconds"));
        case "acquiretime" -> b.acquireTime(instant(v, "acquireTime"));
        case "renewtime" -> b.renewTime(instant(v, "renewTime"));
        case "leadertransitions" -> b.leaderTransitions(integer(v, "leaderTransitions"));
        case "strategy" -> b.strategy(emptyToNull(text(v, "strategy")));
        case "preferredholder" -> b.preferredHolder(emptyToNull(text(v, "preferredHolder")));
        default -> {
          // unknown fields are ignored, as by Go
        }
      }
    }
    return b.build();
  }

  // ---------------------------------------------------------------- reading

  private static String text(JsonNode v, String field) {
    if (v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string, found " + kind(v));
    }
    return v.textValue();
  }

  private static int integer(JsonNode v, String field) {
    if (v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(field + " must be an integer, found " + v);
    }
    return v.intValue();
  }

  private static Instant instant(JsonNode v, String field) {
    if (v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + " must be an RFC 3339 string, found " + kind(v));
    }
    try {
      return WireTimes.parse(v.textValue());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String kind(JsonNode v) {
    return v.getNodeType().name().toLowerCase(Locale.ROOT) + " " + v;
  }

  // ---------------------------------------------------------------- writing

  private static void time(StringBuilder s, Instant t) {
    if (t == null) {
      s.append("null");
    } else {
      s.append('"').append(WireTimes.seconds(t)).append('"');
    }
  }

  /** Appends {@code value} as a JSON string escaped as Go's encoder escapes it. */
  static void string(StringBuilder s, String value) {
    s.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\b' -> s.append("\\b");
        case '\f' -> s.append("\\f");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicode(s, c);
        default -> {
          if (c < 0x20) {
            unicode(s, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < value.length()
              && Character.isLowSurrogate(value.charAt(i + 1))) {
            s.append(c).append(value.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            s.append("\\ufffd"); // Go replaces invalid UTF-8 with U+FFFD
          } else {
            s.append(c);
          }
        }
      }
    }
    s.append('"');
  }

  private static void unicode(StringBuilder s, char c) {
    s.append("\\u")
        .append(HEX[(c >> 12) & 0xF])
        .append(HEX[(c >> 8) & 0xF])
        .append(HEX[(c >> 4) & 0xF])
        .append(HEX[c & 0xF]);
  }
}
