package io.leasehold.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations such as {@code 15s}, {@code 500ms}, {@code 1.5s}, {@code 2m} or {@code PT4S},
 * from zero up to {@link #LONGEST}, and checks a flag's own bounds naming the flag and the value.
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {
  /** The longest duration any flag takes: longer ones are typing mistakes (or would overflow). */
  static final Duration LONGEST = Duration.ofHours(24);

  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    Duration d = parseUnbounded(value);
    if (d.isNegative()) {
      throw new CommandLine.TypeConversionException("'" + value + "' is negative");
    }
    if (d.compareTo(LONGEST) > 0) {
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is longer than "
              + format(LONGEST)
              + " (24 h), the most leasehold takes");
    }
    return d;
  }

  private static Duration parseUnbounded(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(v);
    if (m.matches()) {
      BigDecimal millis =
          new BigDecimal(m.group(1))
              .multiply(
                  BigDecimal.valueOf(
                      switch (m.group(2)) {
                        case "ms" -> 1L;
                        case "s" -> 1_000L;
                        case "m" -> 60_000L;
                        default -> 3_600_000L;
                      }));
      if (millis.compareTo(BigDecimal.valueOf(LONGEST.toMillis())) > 0) {
        return LONGEST.plusMillis(1); // refused by the caller, without overflowing on the way
      }
      return Duration.ofNanos(millis.movePointRight(6).longValue());
    }
    try {
      return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (use e.g. 15s, 500ms, 1.5s, 2m)");
    }
  }

  /**
   * Refuses {@code value} of {@code flag} outside [{@code min}, {@code max}] with a usage error
   * naming both; {@code why} (may be empty) says what the bound protects.
   */
  static void require(
      CommandLine cmd, String flag, Duration value, Duration min, Duration max, String why) {
    String reason = why.isEmpty() ? "" : " (" + why + ")";
    if (value.compareTo(min) < 0) {
      throw new CommandLine.ParameterException(
          cmd,
          flag
              + " "
              + format(value)
              + " is too short: it must be at least "
              + format(min)
              + reason);
    }
    if (value.compareTo(max) > 0) {
      throw new CommandLine.ParameterException(
          cmd,
          flag + " " + format(value) + " is too long: it must be at most " + format(max) + reason);
    }
  }

  /** As a flag's value: {@code 15s}, {@code 0.25s}. */
  static String flag(Duration d) {
    return format(d).replace(" ", "");
  }

  /** {@code 15 s}, {@code 1.5 s}, {@code 0.25 s}, {@code 0.0001 s}: exact. */
  static String format(Duration d) {
    BigDecimal seconds =
        BigDecimal.valueOf(d.getSeconds())
            .add(BigDecimal.valueOf(d.getNano()).movePointLeft(9))
            .stripTrailingZeros();
    return seconds.toPlainString() + " s";
  }
}
