package io.leasehold.cli.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A candidate's {@code leasehold run} log, its lines with their times. The CLI stamps lines with
 * the local time of day only ({@code HH:mm:ss.SSS}); each is placed on the day that puts it nearest
 * to a reference instant, which is right for runs shorter than half a day.
 */
final class CandidateLog {
  private static final Pattern STAMP = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (.*)$");

  /** One stamped line. */
  record Line(long at, String text) {}

  private final List<Line> lines;

  private CandidateLog(List<Line> lines) {
    this.lines = lines;
  }

  /** Reads {@code file} (empty when absent), dating its lines near {@code reference} (epoch ms). */
  static CandidateLog read(Path file, long reference) throws IOException {
    List<Line> lines = new ArrayList<>();
    if (Files.exists(file)) {
      ZoneId zone = ZoneId.systemDefault();
      LocalDateTime ref = LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(reference), zone);
      for (String l : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n")) {
        Matcher m = STAMP.matcher(l);
        if (m.matches()) {
          LocalDateTime t = ref.toLocalDate().atTime(LocalTime.parse(m.group(1)));
          long at = t.atZone(zone).toInstant().toEpochMilli();
          long day = 86_400_000L;
          at += at - reference > day / 2 ? -day : reference - at > day / 2 ? day : 0;
          lines.add(new Line(at, m.group(2)));
        }
      }
    }
    return new CandidateLog(lines);
  }

  /** The first line at or after {@code from} that {@code match}es, or null. */
  Line first(long from, Predicate<String> match) {
    for (Line l : lines) {
      if (l.at() >= from && match.test(l.text())) {
        return l;
      }
    }
    return null;
  }

  /**
   * What {@code leasehold} logged about stopping the child of its term with {@code token}: when it
   * was about to send SIGTERM ("stopping <program> (pid N)", logged just before the signal) and
   * when the child was gone ("<program> (pid N) ended ..." or "... killed", logged once its group
   * had ended); either null when absent. Only that term's lines count: from its "leads <lock> with
   * fencing token N:" line to the next term's, or to a restart of the process.
   */
  Stop stopOf(long token) {
    Long stopping = null;
    boolean inTerm = false;
    for (Line l : lines) {
      String t = l.text();
      boolean termLine = t.contains(" leads ") && t.contains(" with fencing token ");
      if (termLine || t.contains(" competing for ")) {
        if (inTerm) {
          break; // the next term, or the process restarted
        }
        inTerm = termLine && t.contains(" with fencing token " + token + ":");
      } else if (inTerm && stopping == null && STOPPING.matcher(t).find()) {
        stopping = l.at();
      } else if (inTerm && stopping != null && GONE.matcher(t).find()) {
        return new Stop(stopping, l.at());
      }
    }
    return new Stop(stopping, null);
  }

  /**
   * "stopping sh (pid 42): leasehold is stopping", "lost the lease of x (...): stopping sh (pid
   * 42)".
   */
  private static final Pattern STOPPING = Pattern.compile("stopping \\S+ \\(pid \\d+\\)");

  /** "sh (pid 42) ended 12 ms after SIGTERM", "sh (pid 42) did not end within ...; killed". */
  private static final Pattern GONE =
      Pattern.compile("^(\\w+ )?\\S+ \\(pid \\d+\\) (ended|had already ended|did not end|was )");

  /** See {@link #stopOf}. */
  record Stop(Long stopping, Long gone) {}
}
