package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.TransferLeadershipRequest;
import io.quorumkv.proto.v1.TransferLeadershipResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A leadership transfer is answered while every thread of the common ForkJoinPool is busy: the leader
 * waits for the new leader on a thread of its own, never on that shared pool.
 */
class LeaderTransferIT {
  private static final int TRANSFERS = 3;

  @Test
  void aTransferIsAnsweredWhileTheCommonPoolIsSaturated() throws Exception {
    int workers = ForkJoinPool.getCommonPoolParallelism();
    // Below 2, CompletableFuture's default async executor is a thread per task rather than the common
    // pool, so a busy pool would show nothing (tests/pom.xml sets the parallelism for the ITs).
    assertThat(workers).as("java.util.concurrent.ForkJoinPool.common.parallelism").isGreaterThan(1);
    try (MiniCluster cluster = MiniCluster.start(3)) {
      for (int i = 0; i < TRANSFERS; i++) {
        String leader = cluster.awaitLeader(Duration.ofSeconds(20));
        String target = cluster.aFollower(leader, Duration.ofSeconds(20));
        TransferLeadershipResponse reply;
        // Only around the call: Ratis 3.3.0 itself appends entries on followers on the common pool, so
        // the new leader cannot commit (and become ready) until the pool is free again.
        CountDownLatch release = saturateCommonPool(workers);
        try {
          reply = transfer(cluster.endpoint(leader), target);
        } finally {
          release.countDown();
        }
        assertThat(reply.getNewLeaderId()).as("transfer %d from %s", i + 1, leader).isEqualTo(target);
      }
      // Whoever leads by now (a loaded machine may have moved leadership again): the cluster recovered.
      assertThat(cluster.awaitLeader(Duration.ofSeconds(20))).isNotNull();
    }
  }

  /** Occupies every common-pool thread until the returned latch is counted down. */
  private static CountDownLatch saturateCommonPool(int workers) throws InterruptedException {
    CountDownLatch busy = new CountDownLatch(workers);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < workers; i++) {
      ForkJoinPool.commonPool().execute(() -> {
        busy.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    if (!busy.await(10, TimeUnit.SECONDS)) {
      release.countDown();
      throw new AssertionError("the common pool's threads did not all start");
    }
    return release;
  }

  private static TransferLeadershipResponse transfer(String leaderEndpoint, String target) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(leaderEndpoint).usePlaintext().build();
    try {
      return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .transferLeadership(TransferLeadershipRequest.newBuilder().setToMember(target).build());
    } finally {
      channel.shutdownNow();
    }
  }
}
