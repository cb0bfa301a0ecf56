package io.quorumkv.tests;

import java.time.Duration;

/**
 * How much work the durability tests do: the system property {@code quorumkv.it.scale}, a whole number
 * of at least 1, default 1.
 *
 * <p>The default suite ({@code mvn verify}) runs the short versions at scale 1, so that it stays quick on
 * a 2-core machine. The Maven profile {@code long} ({@code mvn -B -pl tests verify -Plong}) sets the scale
 * to 10: the tests then write more entries, run more kill / install / damage rounds and take more
 * backups under load, which finds the rarer interleavings the short versions can miss. Scale the volume
 * of work (entries, rounds), not the sleeps; timeouts that wait for a member to catch up grow with it.
 */
public final class TestScale {
  static final String PROPERTY = "quorumkv.it.scale";

  private TestScale() {}

  /** The scale factor, 1 unless {@code -Dquorumkv.it.scale=N} says otherwise. */
  public static int scale() {
    String text = System.getProperty(PROPERTY, "").trim();
    if (text.isEmpty()) {
      return 1;
    }
    int scale;
    try {
      scale = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("system property " + PROPERTY + " must be a whole number >= 1, not '"
          + text + "'", e);
    }
    if (scale < 1) {
      throw new IllegalArgumentException("system property " + PROPERTY + " must be >= 1, not " + scale
          + " (1 is the short default suite, -Plong uses 10)");
    }
    return scale;
  }

  /** {@code n} times the scale: the amount of work that is {@code n} at scale 1. */
  static int times(int n) {
    return Math.multiplyExact(n, scale());
  }

  /**
   * How many times a test repeats its damage / recover cycle: 1 at scale 1, else 1 + ceil(scale / 5), i.e. 2
   * up to scale 5 and 3 at scale 10. Rounds grow slower than the scale because the volume written in each
   * round already grows with it (sequential writes cost ~10 ms each on a 2-core machine).
   */
  static int rounds() {
    int scale = scale();
    return scale == 1 ? 1 : 1 + (scale + 4) / 5;
  }

  /** A timeout that is {@code atScaleOne} at scale 1 and grows in proportion to the scale. */
  static Duration timeout(Duration atScaleOne) {
    return atScaleOne.multipliedBy(scale());
  }

  /** True when a longer run than the default was asked for. */
  static boolean isLong() {
    return scale() > 1;
  }
}
