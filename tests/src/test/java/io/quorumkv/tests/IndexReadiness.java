package io.quorumkv.tests;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.proto.v1.IndexStatus;
import io.quorumkv.proto.v1.ListIndexesRequest;
import io.quorumkv.proto.v1.SearchGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits until a search index is READY on members (ListIndexes answers per member). */
final class IndexReadiness {

  private IndexReadiness() {}

  static void awaitReady(MiniCluster cluster, String member, String index) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.endpoint(member)).usePlaintext().build();
    try {
      SearchGrpc.SearchBlockingStub stub = SearchGrpc.newBlockingStub(channel);
      TestSupport.await("index " + index + " READY on " + member, Duration.ofSeconds(60), () -> {
        try {
          return stub.withDeadlineAfter(10, TimeUnit.SECONDS).listIndexes(ListIndexesRequest.getDefaultInstance())
              .getIndexesList().stream()
              .anyMatch(s -> s.getSpec().getName().equals(index) && s.getState() == IndexStatus.State.READY);
        } catch (StatusRuntimeException e) {
          return false; // e.g. no leader known yet right after a restart
        }
      });
    } finally {
      channel.shutdownNow();
    }
  }

  static void awaitReadyEverywhere(MiniCluster cluster, String index) throws InterruptedException {
    for (String member : cluster.runningIds()) {
      awaitReady(cluster, member, index);
    }
  }
}
