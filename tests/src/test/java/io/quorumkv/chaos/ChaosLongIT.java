package io.quorumkv.chaos;

import org.junit.jupiter.api.Test;

/**
 * The long chaos run, only in the Maven profiles {@code chaos} and {@code long}: by default 300 s of 10
 * clients with a fault every 6 s, i.e. 25 leader kills plus follower kills, pauses and combined faults.
 * Set the length with {@code -Dchaos.duration=SECONDS}; at least 20 leader kills are required from 240 s on.
 */
class ChaosLongIT {
  private static final long INTERVAL_SECONDS = 6;

  @Test
  void longRunLosesNothingAndStaysLinearizable() throws Exception {
    long seed = ChaosIT.seed("ChaosLongIT");
    long duration = Long.parseLong(System.getProperty("chaos.duration", "300").trim());
    ChaosSettings settings = new ChaosSettings(ChaosIT.seconds(duration), seed, 10, 8,
        ChaosSettings.DEFAULT_NEMESIS, ChaosIT.seconds(INTERVAL_SECONDS));
    // Half of every cycle of the default schedule is a leader kill; the last slot may not fit.
    long expected = Math.min(20, duration / INTERVAL_SECONDS / 2 - 1);
    ChaosIT.runAndCheck("chaos-long", settings, expected);
  }
}
