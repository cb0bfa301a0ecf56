package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.Values;
import io.quorumkv.server.config.LogSettings;
import io.quorumkv.client.WriteResult;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leader loss, retries across leader changes, and members that stop and come back. */
class FailoverIT {
  private ClusterWithClient fixture;
  private MiniCluster cluster;
  private QuorumKvClient kv;

  @BeforeEach
  void start() throws Exception {
    fixture = ClusterWithClient.start(LogSettings.DEFAULTS);
    cluster = fixture.cluster();
    kv = fixture.kv();
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void theClientFindsTheNewLeaderAfterTheLeaderStops() throws Exception {
    for (int i = 0; i < 20; i++) {
      kv.put("before/" + i, Values.text("v" + i));
    }
    String oldLeader = cluster.awaitLeader(Duration.ofSeconds(10));
    cluster.stop(oldLeader);

    for (int i = 0; i < 20; i++) {
      kv.put("after/" + i, Values.text("v" + i));
    }
    String newLeader = cluster.awaitLeader(Duration.ofSeconds(20));
    assertThat(newLeader).isNotEqualTo(oldLeader);
    for (int i = 0; i < 20; i++) {
      assertThat(kv.get("before/" + i).orElseThrow().value().getText()).isEqualTo("v" + i);
      assertThat(kv.get("after/" + i).orElseThrow().value().getText()).isEqualTo("v" + i);
    }
  }

  @Test
  void anIncrementRetriedAfterItsLeaderDiedIsCountedOnce() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(10));
    IncrementRequest request = IncrementRequest.newBuilder().setKey(ByteString.copyFromUtf8("retried"))
        .setDelta(7).setWriteId(TestSupport.writeId(UUID.randomUUID(), 1)).build();
    IncrementResponse first = withStub(leader, stub -> stub.increment(request));
    assertThat(first.getValue()).isEqualTo(7);
    // Every member has applied it before the leader dies, so the survivors remember its reply.
    for (String id : cluster.runningIds()) {
      cluster.awaitApplied(id, first.getHeader().getAppliedIndex(), Duration.ofSeconds(10));
    }
    cluster.stop(leader);
    String newLeader = cluster.awaitLeader(Duration.ofSeconds(20));

    // The client never got the reply (say) and retries the same write on the new leader.
    IncrementResponse retry = withStub(newLeader, stub -> stub.increment(request));
    assertThat(retry.getValue()).isEqualTo(7);
    assertThat(retry.getHeader().getAppliedIndex()).isEqualTo(first.getHeader().getAppliedIndex());
    assertThat(kv.get("retried").orElseThrow().value().getText()).isEqualTo("7");
    assertThat(kv.increment("retried", 1)).isEqualTo(8);
  }

  @Test
  void aStoppedFollowerRestartsAndCatchesUp() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(10));
    String follower = cluster.runningIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    cluster.stop(follower);
    WriteResult last = null;
    for (int i = 0; i < 50; i++) {
      last = kv.put("catchup/" + i, Values.text("v" + i));
      kv.increment("catchup/count", 1);
    }
    cluster.restart(follower);
    cluster.awaitApplied(follower, last.index(), Duration.ofSeconds(30));

    // Read the follower's own local state (stale, no leader involved): it holds every write.
    try (QuorumKvClient direct = QuorumKvClient.builder().endpoints(cluster.endpoint(follower)).build()) {
      for (int i = 0; i < 50; i++) {
        assertThat(direct.get("catchup/" + i, ReadOptions.stale(last.index())).orElseThrow().value().getText())
            .isEqualTo("v" + i);
      }
      assertThat(direct.get("catchup/count", ReadOptions.stale(last.index())).orElseThrow().value().getText())
          .isEqualTo("50");
    }
  }

  @Test
  void aLinearizableReadOnAFollowerSeesAWriteAcknowledgedByTheLeader() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(10));
    for (String follower : cluster.runningIds()) {
      if (follower.equals(leader)) {
        continue;
      }
      for (int i = 0; i < 20; i++) {
        String key = "lin/" + follower + "/" + i;
        try (QuorumKvClient toLeader = QuorumKvClient.builder().endpoints(cluster.endpoint(leader)).build()) {
          toLeader.put(key, Values.text("v" + i));
        }
        // Immediately after the ack, ask the follower directly: it must not answer from a stale state.
        var reply = withStub(follower, stub -> stub.get(GetRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(key)).build()));
        assertThat(reply.getHeader().getMemberId()).isEqualTo(follower);
        assertThat(reply.getFound()).as(key).isTrue();
        assertThat(reply.getKv().getValue().getText()).isEqualTo("v" + i);
      }
    }
  }

  @Test
  void restartingEveryMemberKeepsTheDataAndDoesNotReapplyIncrements() throws Exception {
    for (int i = 0; i < 30; i++) {
      kv.increment("durable/count", 1);
      kv.put("durable/" + i, Values.text("v" + i));
    }
    for (String id : cluster.runningIds()) {
      cluster.stop(id);
    }
    for (String id : cluster.config().nodes().stream().map(n -> n.id()).toList()) {
      cluster.restart(id);
    }
    cluster.awaitLeader(Duration.ofSeconds(30));
    assertThat(kv.get("durable/count").orElseThrow().value().getText()).isEqualTo("30");
    assertThat(kv.get("durable/29").orElseThrow().value().getText()).isEqualTo("v29");
    assertThat(kv.increment("durable/count", 1)).isEqualTo(31);
  }

  private <T> T withStub(String nodeId, java.util.function.Function<KVGrpc.KVBlockingStub, T> call) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.endpoint(nodeId)).usePlaintext().build();
    try {
      return call.apply(KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow();
    }
  }

}
