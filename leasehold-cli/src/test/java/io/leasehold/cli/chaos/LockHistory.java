package io.leasehold.cli.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The terms the {@link LockRecorder} saw, in order, and the checks that need the lock's view. */
final class LockHistory {
  /**
   * One term: its token and holder, and a lower bound of when it began. A takeover's record carries
   * the acquiring attempt's start as acquireTime; a holder that takes its own lock back keeps the
   * old acquireTime, so there the first renewTime seen serves (the recorder reads every 20 ms; a
   * leader writes every retry period).
   */
  record Held(long token, String holder, long start) {}

  final List<Held> terms = new ArrayList<>();

  LockHistory(List<LockRecorder.Term> recorded) {
    String previous = "";
    for (LockRecorder.Term t : recorded) {
      if (t.released()) {
        continue;
      }
      long start = t.holder().equals(previous) ? t.renewedAt() : t.acquiredAt();
      terms.add(new Held(t.token(), t.holder(), start));
      previous = t.holder();
    }
  }

  /** Terms whose token is not above every token before it. */
  int tokenOrderViolations() {
    long max = 0;
    int violations = 0;
    for (Held h : terms) {
      if (h.token() <= max) {
        violations++;
      }
      max = Math.max(max, h.token());
    }
    return violations;
  }

  /** Tokens recorded with more than one holder. */
  int tokensWithTwoHolders() {
    Map<Long, String> holders = new HashMap<>();
    int n = 0;
    for (Held h : terms) {
      String other = holders.putIfAbsent(h.token(), h.holder());
      if (other != null && !other.equals(h.holder())) {
        n++;
      }
    }
    return n;
  }

  /** The term that followed term {@code token} of {@code holder}, or null. */
  Held next(long token, String holder) {
    for (int i = terms.size() - 2; i >= 0; i--) {
      Held h = terms.get(i);
      if (h.token() == token && h.holder().equals(holder)) {
        return terms.get(i + 1);
      }
    }
    return null;
  }

  /** The first term of {@code holder} that began at or after {@code from}, or null. */
  Held firstOf(String holder, long from) {
    for (Held h : terms) {
      if (h.holder().equals(holder) && h.start() >= from) {
        return h;
      }
    }
    return null;
  }
}
