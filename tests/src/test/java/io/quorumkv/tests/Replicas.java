package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.client.Entry;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.ScanOptions;
import io.quorumkv.proto.v1.MemberStatusRequest;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads one member's own state, for comparing replicas. */
final class Replicas {
  private Replicas() {}

  /** Every key and rendered value on the member at {@code endpoint}, once it has applied {@code minIndex}. */
  static Map<String, String> dump(String endpoint, long minIndex) {
    try (QuorumKvClient direct = QuorumKvClient.builder().endpoints(endpoint).build()) {
      Map<String, String> all = new LinkedHashMap<>();
      direct.scanAll(ScanOptions.builder().read(ReadOptions.stale(minIndex)).build())
          .forEach(e -> all.put(e.keyUtf8(), e.renderedValue()));
      return all;
    }
  }

  /** The member's own status (role, indexes, snapshot and log start). */
  static Member status(String endpoint) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
    try {
      return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .memberStatus(MemberStatusRequest.getDefaultInstance()).getMember();
    } finally {
      channel.shutdownNow();
    }
  }

  static void assertSameData(MiniCluster cluster, String a, String b, long index) {
    assertThat(dump(cluster.endpoint(a), index)).as(a + " vs " + b).isEqualTo(dump(cluster.endpoint(b), index));
  }
}
