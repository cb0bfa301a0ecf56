package io.quorumkv.tests;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Seeds for randomized tests, so that a failing run can be replayed: {@code -Dtest.seed=N} fixes the
 * seed (the same for every test of the run), otherwise each call picks a fresh one. Printed either way.
 */
public final class TestSeeds {
  /** The system property that fixes the seed; Maven passes {@code -Dtest.seed=N} on to the test JVM. */
  public static final String PROPERTY = "test.seed";

  private TestSeeds() {}

  /** The seed for {@code test} (e.g. the test's name), printed with how to replay it. */
  public static long seed(String test) {
    String fixed = System.getProperty(PROPERTY, "").trim();
    long seed = fixed.isEmpty() ? ThreadLocalRandom.current().nextLong() : Long.parseLong(fixed);
    System.out.println(test + " seed=" + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
    return seed;
  }
}
