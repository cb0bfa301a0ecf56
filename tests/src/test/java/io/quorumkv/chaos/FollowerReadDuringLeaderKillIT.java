package io.quorumkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.harness.ClusterFiles;
import io.quorumkv.chaos.harness.ProcessCluster;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.QuorumKvInternalException;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression test for bug B1 of docs/chaos.md: a linearizable read sent to a follower right after the
 * leader is SIGKILLed failed with INTERNAL ("StatusRuntimeException: UNAVAILABLE: io exception" from
 * Ratis' own gRPC) instead of a retryable UNAVAILABLE, so the client gave up instead of retrying until a
 * new leader answered.
 */
class FollowerReadDuringLeaderKillIT {
  @Test
  void linearizableReadsOnAFollowerRideOutALeaderKill() throws Exception {
    Path root = Files.createDirectories(Path.of(System.getProperty("quorumkv.test.dir",
        System.getProperty("java.io.tmpdir"))));
    Path dir = Files.createTempDirectory(root, "follower-read-");
    try (ProcessCluster cluster = new ProcessCluster(ClusterFiles.loopback(dir, "follower-read", 3),
        dir.resolve("logs"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(60_000).orElseThrow();
      String follower = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
      List<String> internal = new ArrayList<>();
      int succeededAfterKill = 0;
      try (QuorumKvClient all = QuorumKvClient.builder().endpoints(cluster.clientEndpoints()).build();
           QuorumKvClient onFollower = QuorumKvClient.builder()
               .endpoints(cluster.config().requireNode(follower).clientAddress())
               .overallTimeout(Duration.ofSeconds(10)).build()) {
        all.put("k", Values.text("v"));
        onFollower.get("k", ReadOptions.linearizable());
        cluster.kill(leader);
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
          try {
            onFollower.get("k", ReadOptions.linearizable());
            succeededAfterKill++;
          } catch (QuorumKvInternalException e) {
            internal.add(e.getMessage());
          } catch (QuorumKvException e) {
            // other failures (e.g. running out of time) are not what this test is about
          }
        }
      }
      assertThat(internal).as("reads that failed with INTERNAL instead of being retried").isEmpty();
      assertThat(succeededAfterKill).as("linearizable reads on the follower after the kill").isPositive();
    }
  }
}
