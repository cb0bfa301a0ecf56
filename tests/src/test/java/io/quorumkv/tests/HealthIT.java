package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.quorumkv.chaos.harness.ClusterFiles;
import io.quorumkv.chaos.harness.ProcessCluster;
import io.quorumkv.cli.QuorumKvCli;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.MemberStatusRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Health means contact with a working quorum: a member whose two peers are frozen (SIGSTOP) turns
 * NOT_SERVING within a few seconds, says why ("no leader known", "no word from the leader ..."), and turns
 * SERVING again once they resume; first for a follower, then for the leader.
 */
class HealthIT {
  private static final Duration TURN = Duration.ofSeconds(15);

  @Test
  void aMemberCutOffFromTheQuorumIsNotServingUntilTheQuorumIsBack() throws Exception {
    Path root = Files.createDirectories(Path.of(System.getProperty("quorumkv.test.dir",
        System.getProperty("java.io.tmpdir"))));
    Path dir = Files.createTempDirectory(root, "health-");
    try (ProcessCluster cluster = new ProcessCluster(ClusterFiles.loopback(dir, "health", 3), dir.resolve("logs"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(60_000).orElseThrow();
      for (String id : cluster.nodeIds()) {
        awaitStatus(cluster, id, ServingStatus.SERVING, Duration.ofSeconds(30));
      }
      String follower = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
      cutOff(cluster, follower, "no ");
      String newLeader = cluster.awaitLeader(30_000).orElseThrow();
      // A Ratis leader that hears from no majority for the election timeout steps down.
      cutOff(cluster, newLeader, "no ");
    }
  }

  /** Freezes every member but {@code id}, checks that it stops serving and why, then resumes them. */
  private static void cutOff(ProcessCluster cluster, String id, String reasonStart) throws Exception {
    List<String> others = cluster.nodeIds().stream().filter(other -> !other.equals(id)).toList();
    for (String other : others) {
      cluster.pause(other);
    }
    try {
      awaitStatus(cluster, id, ServingStatus.NOT_SERVING, TURN);
      Member seen = memberStatus(cluster, id);
      assertThat(seen.getServing()).isFalse();
      assertThat(seen.getNotServingReasonsList()).as("reasons of %s", id).isNotEmpty();
      assertThat(seen.getNotServingReasons(0)).startsWith(reasonStart);
      StringWriter out = new StringWriter();
      CommandLine cli = QuorumKvCli.commandLine(System.in);
      cli.setOut(new PrintWriter(out, true));
      int exit = cli.execute("--endpoints", endpoint(cluster, id), "health");
      System.out.printf("HealthIT: %s cut off: %s", id, out);
      assertThat(exit).as("quorumkv health exit code").isEqualTo(1);
      assertThat(out.toString()).contains(id + " (" + endpoint(cluster, id) + "): NOT_SERVING: " + reasonStart);
    } finally {
      for (String other : others) {
        cluster.resume(other);
      }
    }
    awaitStatus(cluster, id, ServingStatus.SERVING, TURN);
    assertThat(memberStatus(cluster, id).getNotServingReasonsList()).isEmpty();
  }

  private static String endpoint(ProcessCluster cluster, String id) {
    return cluster.config().requireNode(id).clientAddress();
  }

  private static Member memberStatus(ProcessCluster cluster, String id) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint(cluster, id)).usePlaintext().build();
    try {
      return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .memberStatus(MemberStatusRequest.getDefaultInstance()).getMember();
    } finally {
      channel.shutdownNow();
    }
  }

  /** Waits until the member's grpc.health.v1 status (service "") is {@code expected}. */
  private static void awaitStatus(ProcessCluster cluster, String id, ServingStatus expected, Duration timeout)
      throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint(cluster, id)).usePlaintext().build();
    try {
      long start = System.nanoTime();
      TestSupport.await(id + " " + expected, timeout, () -> {
        try {
          return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()).getStatus() == expected;
        } catch (RuntimeException e) {
          return false;
        }
      });
      System.out.printf("HealthIT: %s %s after %d ms%n", id, expected,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } finally {
      channel.shutdownNow();
    }
  }
}
