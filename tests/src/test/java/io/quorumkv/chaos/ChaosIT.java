package io.quorumkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.harness.ClusterFiles;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.report.ChaosReport;
import io.quorumkv.tests.TestSeeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** Runs a chaos run against a fresh 3-member loopback cluster and asserts on its report. */
final class ChaosIT {
  private ChaosIT() {}

  /** The run's seed: see {@link TestSeeds} ({@code -Dtest.seed=N} replays a run). */
  static long seed(String test) {
    return TestSeeds.seed(test);
  }

  /** Runs, prints the report, and asserts that nothing was lost or violated and leaders were killed. */
  static ChaosReport runAndCheck(String name, ChaosSettings settings, long minLeaderKills) throws Exception {
    return runAndCheck(runDir(name), name, settings, minLeaderKills, "");
  }

  /**
   * {@link #runAndCheck(String, ChaosSettings, long)} in {@code dir} (members' logs in {@code dir/logs}),
   * on a cluster file with {@code extraYaml} added (see {@link ClusterFiles#loopback(Path, String, int,
   * String)}).
   */
  static ChaosReport runAndCheck(Path dir, String name, ChaosSettings settings, long minLeaderKills,
      String extraYaml) throws Exception {
    Path config = ClusterFiles.loopback(dir, name, 3, extraYaml);
    ChaosReport report = new ChaosRun(settings, config, dir, System.out).execute();
    System.out.print(report.render());
    assertThat(report.violations()).as("violations (report above; history in %s)", dir).isEmpty();
    assertThat(report.kills(NemesisAction.LEADER_KILL, true)).as("leader kills").isGreaterThanOrEqualTo(minLeaderKills);
    assertThat(report.windows()).as("every fault was followed by an acknowledgement")
        .allMatch(w -> w.recovered());
    return report;
  }

  /** Snapshot installs the members logged in {@code logs}: KvStateMachine logs "installed snapshot" once per install. */
  static long snapshotInstalls(Path logs) throws java.io.IOException {
    long count = 0;
    try (Stream<Path> files = Files.list(logs)) {
      for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        try (Stream<String> lines = Files.lines(log)) {
          count += lines.filter(line -> line.contains(": installed snapshot (")).count();
        }
      }
    }
    return count;
  }

  /** A new directory for one run under quorumkv.test.dir (or the temp dir). */
  static Path runDir(String name) throws java.io.IOException {
    Path root = Files.createDirectories(Path.of(System.getProperty("quorumkv.test.dir",
        System.getProperty("java.io.tmpdir"))));
    return Files.createTempDirectory(root, name + "-");
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
