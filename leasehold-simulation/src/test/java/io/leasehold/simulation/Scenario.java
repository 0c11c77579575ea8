package io.leasehold.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Everything one seed decides before the world starts: the timings, the candidates and their clock
 * rates, the lock flavour, the latencies, and the plan of faults. The world's own random choices
 * while it runs (latencies, jitter, lost responses) come from {@link #worldSeed}, drawn from the
 * same seed, so one seed is one exact run.
 */
final class Scenario {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  /**
   * Timing profiles (lease, renew deadline, retry period); all valid with a one-second granularity.
   */
  private static final long[][] PROFILES = {
    {15 * S, 10 * S, 2 * S}, // client-go's defaults, rho = 1.5
    {4 * S, 3 * S, 1 * S}, // rho = 1.33
    {10 * S, 5 * S, 1 * S}, // rho = 2
    {2500 * MS, 1500 * MS, 500 * MS}, // lease rounded up to 3 s in the record, rho = 1.67
    {1200 * MS, 1000 * MS, 250 * MS}, // lease rounded up to 2 s in the record, rho = 1.2
    {60 * S, 40 * S, 8 * S}, // rho = 1.5, long lease
    // drawn only by models that name it:
    {1200 * MS, 1000 * MS, 100 * MS}, // ten renewals a second: many share one second's bytes
  };

  /** How many of the profiles a model that names none draws from. */
  private static final int DEFAULT_PROFILES = 6;

  private static final Map<Fault.Kind, Integer> WEIGHTS = new EnumMap<>(Fault.Kind.class);

  static {
    WEIGHTS.put(Fault.Kind.PARTITION, 20);
    WEIGHTS.put(Fault.Kind.PAUSE, 20);
    WEIGHTS.put(Fault.Kind.SLOW, 12);
    WEIGHTS.put(Fault.Kind.CRASH, 10);
    WEIGHTS.put(Fault.Kind.STOP, 6);
    WEIGHTS.put(Fault.Kind.STORE_DOWN, 8);
    WEIGHTS.put(Fault.Kind.LOSSY, 10);
    WEIGHTS.put(Fault.Kind.FLAKY, 8);
    WEIGHTS.put(Fault.Kind.WATCH, 10);
    WEIGHTS.put(Fault.Kind.DELETE, 8);
    WEIGHTS.put(Fault.Kind.DELETE_IDLE, 16);
    WEIGHTS.put(Fault.Kind.CALLBACK_STALL, 12);
    WEIGHTS.put(Fault.Kind.CALLBACK_THROWS, 12);
  }

  final long seed;
  final Model model;
  final long worldSeed;
  final int nodes;
  final long lease;
  final long renew;
  final long retry;
  final double rho;

  /** Null: the config's default (renewDeadline / 10). */
  final Duration margin;

  /** Null: the config's default (max(1 s, renewDeadline / 2)). */
  final Duration callTimeout;

  final double[] rates;
  final boolean[] watches;
  final long[] startDelays;
  final boolean releaseOnCancel;
  final boolean coarseRaw;

  /** The locks complete a call whenever its response comes, even after its timeout. */
  final boolean lateResponses;

  /** Which candidates use a MultiLock (primary and secondary store); the others the secondary. */
  final boolean[] multiLock;

  final long latencyMin;
  final long latencyTypical;
  final long latencyMax;
  final List<Fault> faults;

  private Scenario(
      long seed,
      Model model,
      long worldSeed,
      int nodes,
      long[] profile,
      Duration margin,
      Duration callTimeout,
      double[] rates,
      boolean[] watches,
      long[] startDelays,
      boolean releaseOnCancel,
      boolean coarseRaw,
      boolean lateResponses,
      boolean[] multiLock,
      long[] latency,
      List<Fault> faults) {
    this.seed = seed;
    this.model = model;
    this.worldSeed = worldSeed;
    this.nodes = nodes;
    this.lease = profile[0];
    this.renew = profile[1];
    this.retry = profile[2];
    this.rho = (double) lease / renew;
    this.margin = margin;
    this.callTimeout = callTimeout;
    this.rates = rates;
    this.watches = watches;
    this.startDelays = startDelays;
    this.releaseOnCancel = releaseOnCancel;
    this.coarseRaw = coarseRaw;
    this.lateResponses = lateResponses;
    this.multiLock = multiLock;
    this.latencyMin = latency[0];
    this.latencyTypical = latency[1];
    this.latencyMax = latency[2];
    this.faults = faults;
  }

  /** Draws a scenario of {@code model} from {@code seed}. */
  static Scenario generate(long seed, Model model) {
    Random r = new Random(seed);
    long worldSeed = r.nextLong();
    int n = 3 + r.nextInt(3);
    int[] allowed = model.profiles();
    long[] profile =
        allowed.length == 0
            ? PROFILES[r.nextInt(DEFAULT_PROFILES)]
            : PROFILES[allowed[r.nextInt(allowed.length)]];
    long lease = profile[0];
    long renew = profile[1];
    long retry = profile[2];
    double rho = (double) lease / renew;

    Duration margin;
    double m = r.nextDouble();
    if (m < 0.5) {
      margin = null;
    } else if (m < 0.75) {
      margin = Duration.ofNanos((long) (r.nextDouble() * renew / 10));
    } else {
      margin = Duration.ZERO;
    }
    Duration callTimeout =
        r.nextDouble() < 0.7
            ? null
            : Duration.ofNanos(
                Math.max(MS, retry / 4 + (long) (r.nextDouble() * (renew - retry / 4))));
    if (model.tightTimings()) {
      margin = Duration.ZERO;
      callTimeout = Duration.ofNanos(retry / 4 + (long) (r.nextDouble() * (renew / 2 - retry / 4)));
    }

    double[] rates = new double[n];
    double half = Math.log(rho) * model.rateSpread() / 2;
    for (int i = 0; i < n; i++) {
      rates[i] = Math.exp(-half + r.nextDouble() * 2 * half);
    }
    if (model.forceExtremeRates() || r.nextDouble() < 0.4) {
      int fast = r.nextInt(n);
      int slow = (fast + 1 + r.nextInt(n - 1)) % n;
      rates[fast] = Math.exp(half);
      rates[slow] = Math.exp(-half);
    }

    boolean[] watches = new boolean[n];
    // no watch, every follower watching, or a mix, in the model's share of seeds
    boolean watching = r.nextDouble() < model.watchShare();
    boolean mixed = r.nextBoolean();
    for (int i = 0; i < n; i++) {
      watches[i] = watching && (!mixed || r.nextBoolean());
    }
    long[] startDelays = new long[n];
    for (int i = 0; i < n; i++) {
      startDelays[i] = (long) (r.nextDouble() * 2 * retry);
    }
    boolean release = r.nextBoolean();
    boolean coarse = r.nextDouble() < model.coarseRawShare();
    boolean lateResponses = r.nextDouble() < model.lateResponseShare();
    boolean[] multiLock = new boolean[n];
    if (model.multiLockCandidates() > 0) {
      int count = 1 + r.nextInt(Math.min(model.multiLockCandidates(), n - 1));
      for (int placed = 0; placed < count; ) {
        int i = r.nextInt(n);
        if (!multiLock[i]) {
          multiLock[i] = true;
          placed++;
        }
      }
    }

    long typical = Math.min(retry / 20, (long) ((0.5 + r.nextDouble() * 4.5) * MS));
    long max = Math.min(retry / 5, typical + (long) (r.nextDouble() * 200 * MS));
    long[] latency = {10_000L, typical, max};

    List<Fault> faults = new ArrayList<>();
    List<Fault.Kind> kinds = new ArrayList<>(model.faults());
    if (!kinds.isEmpty()) {
      int total = 0;
      for (Fault.Kind k : kinds) {
        total += WEIGHTS.get(k);
      }
      long windowStart = lease + (long) (r.nextDouble() * 2 * lease);
      long window = (long) ((3 + r.nextDouble() * 9) * lease);
      int count = 1 + r.nextInt(10);
      for (int i = 0; i < count; i++) {
        int pick = r.nextInt(total);
        Fault.Kind kind = kinds.get(0);
        for (Fault.Kind k : kinds) {
          pick -= WEIGHTS.get(k);
          if (pick < 0) {
            kind = k;
            break;
          }
        }
        Fault f = fault(r, model, kind, n, windowStart + (long) (r.nextDouble() * window), lease);
        faults.add(f);
        if (model.tightTimings() && kind == Fault.Kind.LOSSY) {
          // a link that degrades: responses get lost, then nothing gets through at all
          long cut = f.start + (long) (r.nextDouble() * f.duration);
          Fault.Mode mode = r.nextBoolean() ? Fault.Mode.REFUSE : Fault.Mode.HANG_LOST;
          faults.add(
              new Fault(Fault.Kind.PARTITION, f.node, cut, span(r, 0.1, 1, lease), 0, mode, 0));
        }
      }
      faults.sort((a, b) -> Long.compare(a.start, b.start));
    }
    return new Scenario(
        seed,
        model,
        worldSeed,
        n,
        profile,
        margin,
        callTimeout,
        rates,
        watches,
        startDelays,
        release,
        coarse,
        lateResponses,
        multiLock,
        latency,
        Collections.unmodifiableList(faults));
  }

  private static Fault fault(
      Random r, Model model, Fault.Kind kind, int n, long start, long lease) {
    int node = r.nextInt(n);
    switch (kind) {
      case PARTITION -> {
        Fault.Mode mode = Fault.Mode.values()[r.nextInt(3)];
        return new Fault(kind, node, start, span(r, 0.1, 2.5, lease), 0, mode, 0);
      }
      case STORE_DOWN -> {
        return new Fault(kind, -1, start, span(r, 0.05, 1.5, lease), 0, null, 0);
      }
      case SLOW -> {
        return new Fault(kind, node, start, span(r, 0.2, 2, lease), 0, null, 0);
      }
      case PAUSE -> {
        long d = r.nextBoolean() ? span(r, 0.01, 0.6, lease) : span(r, 0.6, 3, lease);
        return new Fault(kind, node, start, d, 0, null, 0);
      }
      case CRASH -> {
        return new Fault(kind, node, start, span(r, 0, 2, lease), 0, null, 0);
      }
      case STOP -> {
        return new Fault(kind, node, start, span(r, 0, 1, lease), 0, null, 0);
      }
      case LOSSY -> {
        return new Fault(
            kind, node, start, span(r, 0.2, 2, lease), 0.2 + 0.8 * r.nextDouble(), null, 0);
      }
      case FLAKY -> {
        return new Fault(
            kind, -1, start, span(r, 0.2, 2, lease), 0.1 + 0.6 * r.nextDouble(), null, 0);
      }
      case WATCH -> {
        Fault.Mode mode =
            new Fault.Mode[] {Fault.Mode.LAG, Fault.Mode.REORDER, Fault.Mode.SKIP, Fault.Mode.STALE}
                [r.nextInt(4)];
        return new Fault(
            kind,
            node,
            start,
            span(r, 0.2, 2, lease),
            0.2 + 0.8 * r.nextDouble(),
            mode,
            span(r, 0.2, 2, lease));
      }
      case DELETE, DELETE_IDLE -> {
        Fault.Mode mode = r.nextBoolean() ? Fault.Mode.NOBODY : Fault.Mode.FOREIGN;
        long d = kind == Fault.Kind.DELETE ? span(r, 0, 1, lease) : span(r, 2, 12, lease);
        return new Fault(kind, -1, start, d, 0, mode, 0);
      }
      case CALLBACK_STALL -> {
        double m = r.nextDouble();
        Fault.Mode mode =
            !model.rejectingCallbackExecutors()
                ? (m < 2.0 / 3 ? Fault.Mode.LATE : Fault.Mode.NEVER)
                : m < 0.5 ? Fault.Mode.LATE : m < 0.75 ? Fault.Mode.NEVER : Fault.Mode.REJECT;
        return new Fault(kind, node, start, span(r, 0.1, 3, lease), 0, mode, 0);
      }
      case CALLBACK_THROWS -> {
        return new Fault(
            kind, node, start, span(r, 0.2, 3, lease), 0.3 + 0.7 * r.nextDouble(), null, 0);
      }
      default -> throw new IllegalStateException(kind.toString());
    }
  }

  private static long span(Random r, double lo, double hi, long unit) {
    return (long) ((lo + r.nextDouble() * (hi - lo)) * unit);
  }

  double minRate() {
    return Arrays.stream(rates).min().orElseThrow();
  }

  double maxRate() {
    return Arrays.stream(rates).max().orElseThrow();
  }

  long lastPlannedFaultEnd() {
    long end = 0;
    for (Fault f : faults) {
      end = Math.max(end, f.end());
    }
    return end;
  }

  String describe() {
    StringBuilder s = new StringBuilder();
    s.append("seed ").append(seed).append(" (model ").append(model.name()).append(")\n");
    s.append(
        String.format(
            "  timings: lease %s, renewDeadline %s, retryPeriod %s, rho %.4f, margin %s,"
                + " lockCallTimeout %s%n",
            World.seconds(lease),
            World.seconds(renew),
            World.seconds(retry),
            rho,
            margin == null ? "default" : World.seconds(margin.toNanos()),
            callTimeout == null ? "default" : World.seconds(callTimeout.toNanos())));
    s.append(
        String.format(
            "  leader deadline %s, releaseOnCancel %s, raw bytes %s, %s, latency %s / %s / %s%n",
            model.enforceLeaderDeadline() ? "enforced" : "OFF",
            releaseOnCancel,
            coarseRaw ? "coarse (1 s)" : "fine",
            lateResponses
                ? "calls complete whenever their response comes"
                : "calls end at their timeout",
            World.seconds(latencyMin),
            World.seconds(latencyTypical),
            World.seconds(latencyMax)));
    for (int i = 0; i < nodes; i++) {
      s.append(
          String.format(
              "  n%d: clock rate %.5f, %s, %s, starts at %s%n",
              i + 1,
              rates[i],
              multiLock[i] ? "MultiLock" : model.multiLockCandidates() > 0 ? "Lease only" : "lock",
              watches[i] ? "watches" : "polls",
              World.seconds(startDelays[i])));
    }
    s.append(String.format("  rate ratio %.5f (rho %.5f)%n", maxRate() / minRate(), rho));
    s.append("  faults:\n");
    for (Fault f : faults) {
      s.append("    ").append(f).append('\n');
    }
    return s.toString();
  }
}
