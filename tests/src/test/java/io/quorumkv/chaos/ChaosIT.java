package io.quorumkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.harness.ClusterFiles;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.report.ChaosReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/** Runs a chaos run against a fresh 3-member loopback cluster and asserts on its report. */
final class ChaosIT {
  private ChaosIT() {}

  /** The seed of the system property chaos.seed if set, else a random one; printed either way. */
  static long seed(String test) {
    String fixed = System.getProperty("chaos.seed", "");
    long seed = fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed.trim());
    System.out.println(test + " seed=" + seed + " (replay with -Dchaos.seed=" + seed + ")");
    return seed;
  }

  /** Runs, prints the report, and asserts that nothing was lost or violated and leaders were killed. */
  static ChaosReport runAndCheck(String name, ChaosSettings settings, long minLeaderKills) throws Exception {
    Path root = Files.createDirectories(Path.of(System.getProperty("quorumkv.test.dir",
        System.getProperty("java.io.tmpdir"))));
    Path dir = Files.createTempDirectory(root, name + "-");
    Path config = ClusterFiles.loopback(dir, name, 3);
    ChaosReport report = new ChaosRun(settings, config, dir, System.out).execute();
    System.out.print(report.render());
    assertThat(report.violations()).as("violations (report above; history in %s)", dir).isEmpty();
    assertThat(report.kills(NemesisAction.LEADER_KILL, true)).as("leader kills").isGreaterThanOrEqualTo(minLeaderKills);
    assertThat(report.windows()).as("every fault was followed by an acknowledgement")
        .allMatch(w -> w.recovered());
    return report;
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
