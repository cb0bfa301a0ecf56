package io.quorumkv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BenchHistogramTest {
  private static final double[] PERCENTILES = {1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};

  /** The nearest-rank percentile of a sorted array. */
  private static long reference(long[] sorted, double p) {
    int rank = (int) Math.max(1, Math.ceil(p / 100.0 * sorted.length));
    return sorted[rank - 1];
  }

  private static void assertWithinOnePercent(long[] values) {
    LatencyHistogram h = new LatencyHistogram();
    for (long v : values) {
      h.record(v);
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    assertThat(h.count()).isEqualTo(values.length);
    assertThat(h.min()).isEqualTo(sorted[0]);
    assertThat(h.max()).isEqualTo(sorted[sorted.length - 1]);
    for (double p : PERCENTILES) {
      long expected = reference(sorted, p);
      long actual = h.percentile(p);
      double error = expected == 0 ? actual : Math.abs(actual - expected) / (double) expected;
      assertThat(error).as("p%s: %d vs %d", p, actual, expected).isLessThanOrEqualTo(0.01);
      // The design bound: half a bucket, 1/256.
      assertThat(error).as("p%s", p).isLessThanOrEqualTo(1.0 / 256);
    }
  }

  @Test
  void percentilesOfLogNormalLatenciesAreWithinOnePercent() {
    SplittableRandom random = new SplittableRandom(42);
    for (int run = 0; run < 5; run++) {
      long[] values = new long[100_000];
      for (int i = 0; i < values.length; i++) {
        // Around 1 ms, from microseconds to seconds.
        values[i] = Math.round(Math.exp(Math.log(1e6) + 2 * gaussian(random)));
      }
      assertWithinOnePercent(values);
    }
  }

  @Test
  void percentilesOfUniformValuesOverManyMagnitudesAreWithinOnePercent() {
    SplittableRandom random = new SplittableRandom(7);
    long[] values = new long[50_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = 1 + random.nextLong(1L << random.nextInt(1, 62));
    }
    assertWithinOnePercent(values);
  }

  @Test
  void smallValuesAreExactAndBucketsTileTheRange() {
    LatencyHistogram h = new LatencyHistogram();
    for (long v = 0; v < 100; v++) {
      h.record(v);
    }
    assertThat(h.percentile(50)).isEqualTo(49);
    assertThat(h.percentile(100)).isEqualTo(99);
    // Consecutive buckets are adjacent and every value maps into the bucket that contains it.
    for (int i = 0; i + 1 < 7000; i++) {
      assertThat(LatencyHistogram.lowestValue(i) + LatencyHistogram.width(i))
          .isEqualTo(LatencyHistogram.lowestValue(i + 1));
      assertThat(LatencyHistogram.index(LatencyHistogram.lowestValue(i))).isEqualTo(i);
    }
    assertThat(LatencyHistogram.index(Long.MAX_VALUE)).isLessThan(58 * 128);
  }

  @Test
  void emptyAndInvalid() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.percentile(99)).isZero();
    assertThat(h.max()).isZero();
    h.record(-5);
    assertThat(h.max()).isZero();
    assertThatThrownBy(() -> h.percentile(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.percentile(101)).isInstanceOf(IllegalArgumentException.class);
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
