package io.quorumkv.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-bucketed histogram of non-negative longs (latencies in nanoseconds), like a small HdrHistogram:
 * values below {@value #SUB_BUCKETS} have a bucket each; above, every power of two [2^k, 2^(k+1)) is split
 * into {@value #SUB_BUCKETS} equal buckets. A bucket is at most 1/{@value #SUB_BUCKETS} of its lowest
 * value wide and percentiles report its midpoint (clamped to the recorded min and max), so a reported
 * percentile is within 1/(2 * {@value #SUB_BUCKETS}) = 0.4% of the true one (nearest-rank definition).
 * Fixed memory (about 60 KiB), thread-safe, lock-free recording.
 */
public final class LatencyHistogram {
  static final int SUB_BUCKETS = 128;
  private static final int SUB_BITS = 7; // log2(SUB_BUCKETS)
  /** Values up to Long.MAX_VALUE: shifts 0..(63 - SUB_BITS - 1) above the linear range. */
  private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB_BUCKETS;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);

  /** Records one value; negative values (a clock that went backwards) count as 0. */
  public void record(long value) {
    long v = Math.max(0, value);
    counts.incrementAndGet(index(v));
    total.incrementAndGet();
    min.accumulateAndGet(v, Math::min);
    max.accumulateAndGet(v, Math::max);
  }

  static int index(long v) {
    if (v < SUB_BUCKETS) {
      return (int) v;
    }
    int shift = (63 - Long.numberOfLeadingZeros(v)) - SUB_BITS; // v >> shift is in [128, 256)
    return (shift + 1) * SUB_BUCKETS + (int) ((v >>> shift) - SUB_BUCKETS);
  }

  /** The lowest value of bucket {@code index}. */
  static long lowestValue(int index) {
    if (index < SUB_BUCKETS) {
      return index;
    }
    int shift = index / SUB_BUCKETS - 1;
    long m = SUB_BUCKETS + index % SUB_BUCKETS;
    return m << shift;
  }

  /** The width of bucket {@code index} (1 in the linear range). */
  static long width(int index) {
    return index < SUB_BUCKETS ? 1 : 1L << (index / SUB_BUCKETS - 1);
  }

  public long count() {
    return total.get();
  }

  /** The smallest recorded value, exact; 0 if empty. */
  public long min() {
    return count() == 0 ? 0 : min.get();
  }

  /** The largest recorded value, exact; 0 if empty. */
  public long max() {
    return count() == 0 ? 0 : max.get();
  }

  /**
   * The value at percentile {@code p} (0 < p <= 100) by nearest rank: the ceil(p/100 * n)-th smallest
   * value, within 0.4%; p = 100 gives the exact max. 0 if empty.
   */
  public long percentile(double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    long n = count();
    if (n == 0) {
      return 0;
    }
    if (p == 100) {
      return max();
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        long w = width(i);
        long mid = lowestValue(i) + (w - 1) / 2;
        return Math.min(max(), Math.max(min(), mid));
      }
    }
    return max();
  }
}
