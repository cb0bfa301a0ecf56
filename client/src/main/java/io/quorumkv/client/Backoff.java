package io.quorumkv.client;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter: the delay before retry {@code n} (0-based) is uniform in
 * [0, min(cap, base * 2^n)]. Full jitter spreads clients that failed together (e.g. on a leader loss)
 * instead of letting them retry in lockstep. Thread-safe if the Random is (java.util.Random is).
 */
final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  private final Random random;

  Backoff(Duration base, Duration cap, Random random) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("need 0 < base <= cap, got base=" + base + " cap=" + cap);
    }
    this.baseMillis = base.toMillis();
    this.capMillis = cap.toMillis();
    this.random = random;
  }

  /** The upper bound of the delay before retry {@code retry} (0-based). */
  long ceilingMillis(int retry) {
    // Past 2^30 the product exceeds any sane cap; clamping the shift avoids overflow.
    long exponential = baseMillis << Math.min(retry, 30);
    return exponential <= 0 ? capMillis : Math.min(capMillis, exponential);
  }

  /** A random delay in [0, ceilingMillis(retry)]. */
  long delayMillis(int retry) {
    return random.nextLong(ceilingMillis(retry) + 1);
  }
}
