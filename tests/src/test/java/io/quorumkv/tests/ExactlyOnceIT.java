package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.Values;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.LogSettings;
import io.quorumkv.server.config.SessionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once through the raw gRPC stubs, as a client of any language sees it: an acknowledged write
 * re-sent with its WriteId is answered with its first result and not applied again, also after every
 * member restarted from a snapshot, and after a member that installed a snapshot became leader.
 */
class ExactlyOnceIT {
  private static final Metadata.Key<String> ERROR_CODE =
      Metadata.Key.of("quorumkv-error-code", Metadata.ASCII_STRING_MARSHALLER);
  /** Snapshot every 200 entries and keep only 20 behind it: a stopped member soon needs an install. */
  private static final LogSettings FREQUENT = new LogSettings(200, 2, 20, 64 * 1024);

  private MiniCluster cluster;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (cluster != null) {
      cluster.close();
    }
  }

  private KVGrpc.KVBlockingStub kv(String nodeId) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.endpoint(nodeId)).usePlaintext().build();
    channels.add(channel);
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private KVGrpc.KVBlockingStub leader() throws InterruptedException {
    return kv(cluster.awaitLeader(Duration.ofSeconds(30)));
  }

  private static ByteString key(String k) {
    return ByteString.copyFromUtf8(k);
  }

  private long counter(String key) throws InterruptedException {
    return Long.parseLong(leader().get(GetRequest.newBuilder().setKey(key(key)).build()).getKv().getValue().getText());
  }

  private static IncrementRequest incrementBy7(WriteId id) {
    return IncrementRequest.newBuilder().setKey(key("once/counter")).setDelta(7).setWriteId(id).build();
  }

  @Test
  void anIncrementResentAfterEveryMemberSnapshottedAndRestartedIsAppliedOnce() throws Exception {
    cluster = MiniCluster.start(3);
    IncrementRequest request = incrementBy7(TestSupport.writeId(UUID.randomUUID(), 1));
    IncrementResponse first = leader().increment(request);
    assertThat(first.getValue()).isEqualTo(7);

    try (QuorumKvClient admin = QuorumKvClient.builder().endpoints(cluster.endpoints()).build()) {
      for (String id : cluster.runningIds()) {
        cluster.awaitApplied(id, first.getHeader().getAppliedIndex(), Duration.ofSeconds(10));
        assertThat(admin.admin().snapshot(cluster.endpoint(id)).snapshotIndex())
            .isGreaterThanOrEqualTo(first.getHeader().getAppliedIndex());
      }
    }
    for (String id : cluster.runningIds()) {
      cluster.stop(id);
    }
    for (String id : List.of("n1", "n2", "n3")) {
      cluster.start(id);
    }

    IncrementResponse resent = leader().increment(request);
    System.out.printf("ExactlyOnceIT restart: first reply %d at index %d; resent reply %d at index %d; value %d%n",
        first.getValue(), first.getHeader().getAppliedIndex(), resent.getValue(),
        resent.getHeader().getAppliedIndex(), counter("once/counter"));
    assertThat(resent.getValue()).isEqualTo(7);
    assertThat(resent.getHeader().getAppliedIndex()).isEqualTo(first.getHeader().getAppliedIndex());
    assertThat(counter("once/counter")).isEqualTo(7);
  }

  @Test
  void anIncrementResentToALeaderThatInstalledASnapshotIsAppliedOnce() throws Exception {
    cluster = MiniCluster.start(3, Limits.DEFAULTS, FREQUENT);
    String follower = cluster.aFollower(null, Duration.ofSeconds(10));
    cluster.stop(follower);
    IncrementRequest request = incrementBy7(TestSupport.writeId(UUID.randomUUID(), 1));
    IncrementResponse first = leader().increment(request);
    long last = 0;
    // 1 KB values: the 64 KB log segments fill, close and are purged behind the snapshots.
    String value = "v".repeat(1024);
    for (int i = 0; i < 600; i++) {
      last = leader().put(PutRequest.newBuilder().setKey(key("fill/" + i))
          .setValue(Value.newBuilder().setText(value)).build()).getHeader().getAppliedIndex();
    }
    assertThat(Replicas.status(cluster.endpoint(cluster.awaitLeader(Duration.ofSeconds(10)))).getLogStartIndex())
        .as("the leader purged its log past the increment").isGreaterThan(first.getHeader().getAppliedIndex() + 1);
    cluster.start(follower);
    cluster.awaitApplied(follower, last, Duration.ofSeconds(60));
    Member status = Replicas.status(cluster.endpoint(follower));
    assertThat(status.getLogStartIndex()).as("%s caught up by a snapshot install", follower)
        .isGreaterThan(first.getHeader().getAppliedIndex() + 1);

    try (QuorumKvClient admin = QuorumKvClient.builder().endpoints(cluster.endpoints()).build()) {
      admin.transferLeadership(follower);
    }
    assertThat(cluster.awaitLeader(Duration.ofSeconds(30))).isEqualTo(follower);
    IncrementResponse resent = kv(follower).increment(request);
    System.out.printf("ExactlyOnceIT install: %s installed a snapshot (log starts at %d) and leads; resent reply %d,"
        + " value %d%n", follower, status.getLogStartIndex(), resent.getValue(), counter("once/counter"));
    assertThat(resent.getValue()).isEqualTo(7);
    assertThat(counter("once/counter")).isEqualTo(7);
  }

  @Test
  void badWriteIdsFailAtOnceWithAClearStatus() throws Exception {
    cluster = MiniCluster.start(1);
    ByteString client = TestSupport.clientId(UUID.randomUUID());
    assertRefused(incrementBy7(WriteId.newBuilder().setClientId(client).setSequence(0).build()),
        Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "sequence must be at least 1");
    assertRefused(incrementBy7(WriteId.newBuilder().setClientId(client).setSequence(3).setLowestUnanswered(4).build()),
        Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "above its sequence");
    // A client id the cluster has no session for, on a write that does not open one.
    assertRefused(incrementBy7(WriteId.newBuilder().setClientId(client).setSequence(8).build()),
        Status.Code.FAILED_PRECONDITION, "SESSION_EXPIRED", "no session");

    WriteId id = TestSupport.writeId(UUID.randomUUID(), 1);
    leader().increment(incrementBy7(id));
    assertRefused(IncrementRequest.newBuilder().setKey(key("once/other")).setDelta(7).setWriteId(id).build(),
        Status.Code.INVALID_ARGUMENT, "WRITE_ID_REUSED", "already used");
    assertThat(counter("once/counter")).isEqualTo(7);
  }

  private void assertRefused(IncrementRequest request, Status.Code code, String errorCode, String message)
      throws InterruptedException {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> leader().increment(request));
    assertThat(e.getStatus().getCode()).isEqualTo(code);
    assertThat(e.getTrailers().get(ERROR_CODE)).isEqualTo(errorCode);
    assertThat(e.getStatus().getDescription()).contains(message);
  }

  @Test
  void theJavaClientContinuesUnderANewClientIdWhenItsSessionExpired() throws Exception {
    cluster = MiniCluster.start(1, Limits.DEFAULTS, LogSettings.DEFAULTS,
        new SessionSettings(Duration.ofSeconds(1), 1000, 100));
    try (QuorumKvClient kv = QuorumKvClient.builder().endpoints(cluster.endpoints()).build()) {
      UUID before = kv.clientId();
      assertThat(kv.increment("once/renewed", 1)).isEqualTo(1);
      // Idle past sessions.expire-after (1 s): the passing of time is the condition waited for. The next
      // write's own log time then expires the session.
      TimeUnit.MILLISECONDS.sleep(1500);
      assertThat(kv.increment("once/renewed", 1)).isEqualTo(2);
      assertThat(kv.clientId()).isNotEqualTo(before);
      kv.put("once/after", Values.text("x"));
      assertThat(counter("once/renewed")).isEqualTo(2);
    }
  }
}
