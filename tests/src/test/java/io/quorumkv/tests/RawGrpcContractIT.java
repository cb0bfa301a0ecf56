package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.DeleteRequest;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.GetResponse;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.PutResponse;
import io.quorumkv.proto.v1.ReadOptions;
import io.quorumkv.proto.v1.ScanRequest;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.proto.v1.WritesRequest;
import io.quorumkv.proto.v1.WritesResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire contract of common.proto as a non-Java client sees it, with plain generated stubs: response
 * headers, NOT_LEADER trailers naming the leader, reads on followers, and write-id deduplication.
 */
class RawGrpcContractIT {
  private static final Metadata.Key<String> ERROR_CODE =
      Metadata.Key.of("quorumkv-error-code", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> LEADER_ENDPOINT =
      Metadata.Key.of("quorumkv-leader-endpoint", Metadata.ASCII_STRING_MARSHALLER);

  private static MiniCluster cluster;
  private static final Map<String, ManagedChannel> channels = new HashMap<>();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    if (cluster != null) {
      cluster.close();
    }
  }

  private static KVGrpc.KVBlockingStub kv(String nodeId) {
    ManagedChannel channel = channels.computeIfAbsent(nodeId, id -> NettyChannelBuilder
        .forTarget(cluster.endpoint(id)).usePlaintext().build());
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static String aFollower(String leader) {
    return cluster.runningIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  private static ByteString key(String k) {
    return ByteString.copyFromUtf8(k);
  }


  @Test
  void writesOnTheLeaderCarryAFullHeader() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    PutResponse put = kv(leader).put(PutRequest.newBuilder().setKey(key("raw/h"))
        .setValue(Value.newBuilder().setText("v")).build());
    assertThat(put.getCreated()).isTrue();
    assertThat(put.getHeader().getClusterId()).isEqualTo(cluster.config().clusterId().toString());
    assertThat(put.getHeader().getMemberId()).isEqualTo(leader);
    assertThat(put.getHeader().getRaftTerm()).isPositive();
    assertThat(put.getHeader().getAppliedIndex()).isPositive();
  }

  @Test
  void aFollowerRefusesWritesAndNamesTheLeader() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> kv(aFollower(leader)).put(PutRequest.newBuilder().setKey(key("raw/f"))
            .setValue(Value.newBuilder().setText("v")).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getTrailers().get(ERROR_CODE)).isEqualTo("NOT_LEADER");
    assertThat(e.getTrailers().get(LEADER_ENDPOINT)).isEqualTo(cluster.endpoint(leader));
  }

  @Test
  void followersServeLinearizableAndMinIndexStaleReads() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    PutResponse put = kv(leader).put(PutRequest.newBuilder().setKey(key("raw/r"))
        .setValue(Value.newBuilder().setJson("{\"a\":1}")).build());
    String follower = aFollower(leader);
    GetResponse linearizable = kv(follower).get(GetRequest.newBuilder().setKey(key("raw/r")).build());
    assertThat(linearizable.getFound()).isTrue();
    assertThat(linearizable.getKv().getValue().getJson()).isEqualTo("{\"a\":1}");
    assertThat(linearizable.getHeader().getMemberId()).isEqualTo(follower);
    assertThat(linearizable.getHeader().getAppliedIndex()).isGreaterThanOrEqualTo(put.getHeader().getAppliedIndex());

    GetResponse stale = kv(follower).get(GetRequest.newBuilder().setKey(key("raw/r"))
        .setRead(ReadOptions.newBuilder().setConsistency(Consistency.STALE)
            .setMinIndex(put.getHeader().getAppliedIndex())).build());
    assertThat(stale.getFound()).isTrue();
    assertThat(stale.getHeader().getAppliedIndex()).isGreaterThanOrEqualTo(put.getHeader().getAppliedIndex());
  }

  @Test
  void aStaleReadBeyondTheCommitIndexFailsAtOnceAsInvalid() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    for (String member : List.of(aFollower(leader), leader)) {
      long start = System.nanoTime();
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> kv(member).get(GetRequest.newBuilder().setKey(key("raw/none"))
              .setRead(ReadOptions.newBuilder().setConsistency(Consistency.STALE).setMinIndex(1_000_000_000_000_000L))
              .build()));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(e).as("on %s", member).isNotNull();
      assertThat(e.getStatus().getCode()).as("on %s", member).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getTrailers().get(ERROR_CODE)).isEqualTo("INVALID_REQUEST");
      assertThat(e.getStatus().getDescription())
          .startsWith("min_index 1000000000000000 is beyond the cluster's commit index ");
      assertThat(took).as("on %s, with a 10 s deadline", member).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void aScanLimitAboveTheMaximumIsInvalidHoweverLarge() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    for (long limit : new long[] {(1L << 32) - 1, (1L << 31) + 5}) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> kv(aFollower(leader)).scan(ScanRequest.newBuilder().setPrefix(key("raw/")).setLimit((int) limit)
              .build()));
      assertThat(e).as("limit %d", limit).isNotNull();
      assertThat(e.getStatus().getCode()).as("limit %d", limit).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getTrailers().get(ERROR_CODE)).isEqualTo("INVALID_REQUEST");
      assertThat(e.getStatus().getDescription()).isEqualTo("limit " + limit + " exceeds the maximum page size "
          + cluster.config().limits().maxScanLimit());
    }
  }

  @Test
  void aRetriedIncrementWithTheSameWriteIdIsAppliedOnce() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    UUID client = UUID.randomUUID();
    IncrementRequest request = IncrementRequest.newBuilder().setKey(key("raw/counter")).setDelta(5)
        .setWriteId(TestSupport.writeId(client, 1)).build();
    IncrementResponse first = kv(leader).increment(request);
    IncrementResponse retry = kv(leader).increment(request);
    assertThat(first.getValue()).isEqualTo(5);
    assertThat(retry.getValue()).isEqualTo(5);
    assertThat(retry.getHeader().getAppliedIndex()).isEqualTo(first.getHeader().getAppliedIndex());
    IncrementResponse next = kv(leader).increment(request.toBuilder().setWriteId(TestSupport.writeId(client, 2)).build());
    assertThat(next.getValue()).isEqualTo(10);
  }

  private static WritesRequest.Write put(String k, String text) {
    return WritesRequest.Write.newBuilder().setPut(PutRequest.newBuilder().setKey(key(k))
        .setValue(Value.newBuilder().setText(text))).build();
  }

  private static WritesRequest.Write increment(String k, long delta, WriteId id) {
    return WritesRequest.Write.newBuilder().setIncrement(IncrementRequest.newBuilder().setKey(key(k))
        .setDelta(delta).setWriteId(id)).build();
  }

  @Test
  void aWritesCallAnswersEachWriteAsIfItWereSentAlone() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    kv(leader).put(PutRequest.newBuilder().setKey(key("raw/w-text")).setValue(Value.newBuilder().setText("abc")).build());
    WriteId counterId = TestSupport.writeId(UUID.randomUUID(), 1);
    WritesRequest request = WritesRequest.newBuilder()
        .addWrites(put("raw/w1", "one"))
        .addWrites(increment("raw/w-n", 2, counterId))
        .addWrites(increment("raw/w-text", 1, TestSupport.writeId(UUID.randomUUID(), 1)))
        .addWrites(put("", "empty key"))
        .addWrites(WritesRequest.Write.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(key("raw/w1"))))
        .build();

    WritesResponse response = kv(leader).writes(request);

    assertThat(response.getResultsList()).hasSize(5);
    assertThat(response.getResults(0).getPut().getCreated()).isTrue();
    assertThat(response.getResults(1).getIncrement().getValue()).isEqualTo(2);
    WritesResponse.WriteError notANumber = response.getResults(2).getError();
    assertThat(notANumber.getStatusCode()).isEqualTo(Status.Code.FAILED_PRECONDITION.value());
    assertThat(notANumber.getErrorCode()).isEqualTo("NOT_AN_INTEGER");
    WritesResponse.WriteError invalid = response.getResults(3).getError();
    assertThat(invalid.getStatusCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(invalid.getErrorCode()).isEqualTo("INVALID_REQUEST");
    assertThat(invalid.getMessage()).contains("key");
    assertThat(response.getResults(4).getDelete().getDeleted()).isTrue();
    assertThat(response.getResults(4).getDelete().getHeader().getAppliedIndex())
        .isGreaterThan(response.getResults(0).getPut().getHeader().getAppliedIndex());

    // The same WriteId in a second call is answered from its session, not applied again.
    WritesResponse retry = kv(leader).writes(WritesRequest.newBuilder()
        .addWrites(increment("raw/w-n", 2, counterId)).build());
    assertThat(retry.getResults(0).getIncrement().getValue()).isEqualTo(2);
    assertThat(retry.getResults(0).getIncrement().getHeader().getAppliedIndex())
        .isEqualTo(response.getResults(1).getIncrement().getHeader().getAppliedIndex());
    GetResponse counter = kv(leader).get(GetRequest.newBuilder().setKey(key("raw/w-n")).build());
    assertThat(counter.getKv().getValue().getText()).isEqualTo("2");
    assertThat(kv(leader).get(GetRequest.newBuilder().setKey(key("raw/w1")).build()).getFound()).isFalse();
  }

  @Test
  void aWritesCallOnAFollowerAnswersNotLeaderForEachWrite() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    WritesResponse response = kv(aFollower(leader)).writes(WritesRequest.newBuilder()
        .addWrites(put("raw/wf1", "v")).addWrites(put("raw/wf2", "v")).build());
    assertThat(response.getResultsList()).hasSize(2).allSatisfy(result -> {
      assertThat(result.getError().getStatusCode()).isEqualTo(Status.Code.UNAVAILABLE.value());
      assertThat(result.getError().getErrorCode()).isEqualTo("NOT_LEADER");
      assertThat(result.getError().getLeaderEndpoint()).isEqualTo(cluster.endpoint(leader));
    });
  }

  @Test
  void aMalformedWritesCallFailsAsAWhole() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    WritesRequest.Builder tooMany = WritesRequest.newBuilder();
    for (int i = 0; i <= cluster.config().limits().maxBatchOperations(); i++) {
      tooMany.addWrites(put("raw/many" + i, "v"));
    }
    for (WritesRequest malformed : List.of(WritesRequest.getDefaultInstance(),
        WritesRequest.newBuilder().addWrites(put("raw/ok", "v")).addWrites(WritesRequest.Write.getDefaultInstance()).build(),
        tooMany.build())) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> kv(leader).writes(malformed));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getTrailers().get(ERROR_CODE)).isEqualTo("INVALID_REQUEST");
    }
    assertThat(kv(leader).get(GetRequest.newBuilder().setKey(key("raw/ok")).build()).getFound()).isFalse();
    assertThat(kv(leader).get(GetRequest.newBuilder().setKey(key("raw/many0")).build()).getFound()).isFalse();
  }
}
