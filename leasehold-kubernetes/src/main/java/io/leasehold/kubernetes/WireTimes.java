package io.leasehold.kubernetes;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The two time formats of the Kubernetes API: {@code metav1.Time} (RFC 3339 in whole seconds, used
 * in the leader election record's JSON) and {@code metav1.MicroTime} (six fractional digits, used
 * in a Lease's spec). Both are written in UTC with a {@code Z}; both read any RFC 3339 time.
 */
final class WireTimes {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private WireTimes() {}

  /** {@code 2024-01-02T03:04:05Z}: truncated to the second, as Go formats a metav1.Time. */
  static String seconds(Instant t) {
    return SECONDS.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** {@code 2024-01-02T03:04:05.123456Z}: truncated to the microsecond, as a metav1.MicroTime. */
  static String micros(Instant t) {
    return MICROS.format(t.truncatedTo(ChronoUnit.MICROS));
  }

  /**
   * Parses an RFC 3339 time with or without fractional seconds and with any offset.
   *
   * @throws IllegalArgumentException when {@code text} is not such a time
   */
  static Instant parse(String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not an RFC 3339 time", e);
    }
  }
}
