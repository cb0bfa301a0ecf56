package io.quorumkv.chaos;

import org.junit.jupiter.api.Test;

/**
 * The chaos run of the default suite: about 40 s of 8 clients against 3 member JVMs, a fault every 5 s
 * (at least 3 leader kills, a follower kill, a pause, a combined fault), then every checker.
 */
class ChaosShortIT {
  @Test
  void shortRunLosesNothingAndStaysLinearizable() throws Exception {
    long seed = ChaosIT.seed("ChaosShortIT");
    ChaosSettings settings = new ChaosSettings(ChaosIT.seconds(40), seed, 8, 6,
        ChaosSettings.DEFAULT_NEMESIS, ChaosIT.seconds(5));
    ChaosIT.runAndCheck("chaos-short", settings, 3);
  }
}
