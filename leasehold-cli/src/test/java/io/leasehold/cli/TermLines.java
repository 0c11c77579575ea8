package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the terms that children of {@code leasehold run} record, one line "identity token" each,
 * as properties that hold however the machine is loaded: tokens rise strictly from term to term,
 * and leadership passes from one candidate to the next without going back. (A loaded machine may
 * make a candidate lose and retake its own lease: that is a new term with a higher token, not a
 * failure.)
 */
final class TermLines {
  private TermLines() {}

  /** Whether some term was started by {@code identity}. */
  static boolean anyBy(List<String> lines, String identity) {
    return lines.stream().anyMatch(l -> l.startsWith(identity + " "));
  }

  /**
   * Asserts that the terms are those of the candidates in {@code order}, each at least once and in
   * that order, with strictly rising tokens.
   */
  static void assertPassedInOrder(List<String> lines, String... order) {
    List<String> holders = new ArrayList<>();
    long previous = 0;
    for (String line : lines) {
      String[] parts = line.trim().split(" ");
      assertThat(parts).as("a term line: %s in %s", line, lines).hasSize(2);
      long token = Long.parseLong(parts[1]);
      assertThat(token).as("tokens rise strictly: %s", lines).isGreaterThan(previous);
      previous = token;
      if (holders.isEmpty() || !holders.get(holders.size() - 1).equals(parts[0])) {
        holders.add(parts[0]);
      }
    }
    assertThat(holders).as("who led, in order: %s", lines).containsExactly(order);
  }
}
