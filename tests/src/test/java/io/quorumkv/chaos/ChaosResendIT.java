package io.quorumkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.checker.CheckResult;
import io.quorumkv.chaos.checker.ExactlyOnceChecker;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.report.ChaosReport;
import io.quorumkv.chaos.report.ResendSummary;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once under faults: 45 s of 4 clients against 3 member JVMs whose counter increments go through
 * the raw gRPC stubs with their own WriteIds and are re-sent (unknown ones until answered, acknowledged
 * ones a few times), while the nemesis kills the leader twice and then restarts the whole cluster, every
 * 5 s (the cycle goes on while time is left). Snapshots every 100 entries with only 20 kept behind them, so
 * members restart from snapshots and a member that was down catches up by a snapshot install: the
 * sessions must survive both. Every checker must pass, the exactly-once one included, and acknowledged
 * increments must have been re-sent after a cluster restart.
 */
class ChaosResendIT {
  /**
   * Both leader kills come first: after a cluster restart the members need several seconds to start on
   * the 2 cores, and the nemesis skips an action that finds no leader within 10 s.
   */
  private static final List<NemesisAction> SCHEDULE =
      List.of(NemesisAction.LEADER_KILL, NemesisAction.LEADER_KILL, NemesisAction.CLUSTER_RESTART);
  private static final String FREQUENT_SNAPSHOTS =
      "log:\n  snapshot-every-entries: 100\n  purge-keeps-entries: 20\n  segment-bytes: 65536\n";

  @Test
  void incrementsResentAcrossLeaderKillsAndClusterRestartsAreAppliedExactlyOnce() throws Exception {
    long seed = ChaosIT.seed("ChaosResendIT");
    // 4 clients: the 2 cores also run 3 members, and every re-send is one more replicated write.
    ChaosSettings settings = new ChaosSettings(ChaosIT.seconds(45), seed, 4, 6, SCHEDULE, ChaosIT.seconds(5), true);
    Path dir = ChaosIT.runDir("chaos-resend");
    ChaosReport report = ChaosIT.runAndCheck(dir, "chaos-resend", settings, 2, FREQUENT_SNAPSHOTS);

    ResendSummary s = report.resendSummary();
    System.out.printf("ChaosResendIT: %d increments (%d unknown after their first send, %d resolved by re-sending: "
            + "%d during the run, %d after it); %d re-sends, %d answered re-sends of acknowledged increments, %d after a "
            + "leader kill, %d after a cluster restart; %d leader kills, %d cluster restarts, %d snapshot installs; "
            + "seed %d%n",
        s.increments(), s.unknownAtFirst(), s.resolvedDuringRun() + s.resolvedAfterRun(), s.resolvedDuringRun(),
        s.resolvedAfterRun(), s.resends(), s.answeredResendsOfAcknowledged(), s.afterLeaderKill(),
        s.afterClusterRestart(), report.kills(NemesisAction.LEADER_KILL, true), report.clusterRestarts(),
        ChaosIT.snapshotInstalls(dir.resolve("logs")), seed);
    assertThat(report.checks()).extracting(CheckResult::checker).contains(ExactlyOnceChecker.NAME);
    assertThat(report.clusterRestarts()).as("cluster restarts").isGreaterThanOrEqualTo(1);
    assertThat(s.increments()).as("increments sent with own WriteIds").isPositive();
    assertThat(s.afterClusterRestart()).as("re-sends of acknowledged increments answered after a cluster restart")
        .isPositive();
    assertThat(s.unresolved()).as("increments whose outcome stayed unknown").isZero();
  }
}
