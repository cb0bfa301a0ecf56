package io.quorumkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.tests.TestScale;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Chaos with snapshot installs (default mode, leader-sends): snapshots every 100 entries and only 20 kept
 * behind them, so a member that was killed or paused for a few seconds comes back behind the leader's log
 * and must install the leader's snapshot, while leaders keep being killed (also in the middle of one). Every checker must pass as
 * in {@link ChaosShortIT}, and at least one install must have happened. 40 s in the default suite; the
 * {@link TestScale scale} (profile {@code long}) multiplies the duration.
 */
class ChaosSnapshotInstallIT {
  private static final String FREQUENT_SNAPSHOTS =
      "log:\n  snapshot-every-entries: 100\n  purge-keeps-entries: 20\n  segment-bytes: 65536\n";

  @Test
  void membersCatchingUpBySnapshotInstallLoseNothingAndStayLinearizable() throws Exception {
    long seed = ChaosIT.seed("ChaosSnapshotInstallIT");
    ChaosSettings settings = new ChaosSettings(ChaosIT.seconds(40L * TestScale.scale()), seed, 8, 6,
        ChaosSettings.DEFAULT_NEMESIS, ChaosIT.seconds(5));
    Path dir = ChaosIT.runDir("chaos-install");
    ChaosIT.runAndCheck(dir, "chaos-install", settings, 3, FREQUENT_SNAPSHOTS);
    assertThat(installs(dir.resolve("logs"))).as("snapshot installs in %s", dir.resolve("logs")).isPositive();
  }

  private static long installs(Path logs) throws IOException {
    long count = ChaosIT.snapshotInstalls(logs);
    System.out.println("ChaosSnapshotInstallIT: " + count + " snapshot installs");
    return count;
  }
}
