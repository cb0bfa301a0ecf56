package io.quorumkv.server.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.WritesResponse;
import io.quorumkv.statemachine.read.ReadViewClosedException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.junit.jupiter.api.Test;

class ErrorCatalogTest {
  private static final Map<String, String> ENDPOINTS = Map.of("n2", "127.0.0.1:7002");

  private static KvError classify(Throwable t) {
    return ErrorCatalog.fromRatis(new CompletionException(t), id -> Optional.ofNullable(ENDPOINTS.get(id)));
  }

  @Test
  void notLeaderCarriesTheLeadersClientEndpointInTrailers() {
    RaftPeer leader = RaftPeer.newBuilder().setId("n2").setAddress("127.0.0.1:7102").build();
    RaftGroupMemberId me = RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());
    StatusRuntimeException status = ErrorCatalog.toStatus(classify(new NotLeaderException(me, leader, List.of(leader))));
    assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getTrailers().get(ErrorCatalog.ERROR_CODE)).isEqualTo("NOT_LEADER");
    assertThat(status.getTrailers().get(ErrorCatalog.LEADER_ID)).isEqualTo("n2");
    assertThat(status.getTrailers().get(ErrorCatalog.LEADER_ENDPOINT)).isEqualTo("127.0.0.1:7002");
  }

  @Test
  void aWriteErrorOfAWritesCallHoldsWhatTheSingleCallWouldHaveFailedWith() {
    KvError notLeader = ErrorCatalog.notLeader(new KvError.LeaderHint("n2", "127.0.0.1:7002"));
    StatusRuntimeException single = ErrorCatalog.toStatus(notLeader);
    WritesResponse.WriteError error = ErrorCatalog.toWriteError(new CompletionException(notLeader));
    assertThat(error.getStatusCode()).isEqualTo(Status.Code.UNAVAILABLE.value());
    assertThat(error.getMessage()).isEqualTo(single.getStatus().getDescription()).isNotEmpty();
    assertThat(error.getErrorCode()).isEqualTo("NOT_LEADER");
    assertThat(error.getLeaderId()).isEqualTo("n2");
    assertThat(error.getLeaderEndpoint()).isEqualTo("127.0.0.1:7002");

    WritesResponse.WriteError timeout = ErrorCatalog.toWriteError(new TimeoutException());
    assertThat(timeout.getStatusCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED.value());
    assertThat(timeout.getErrorCode()).isEqualTo("REQUEST_TIMEOUT");
    assertThat(timeout.getLeaderEndpoint()).isEmpty();
  }

  @Test
  void notLeaderWithoutAKnownLeaderHasNoHint() {
    StatusRuntimeException status = ErrorCatalog.toStatus(ErrorCatalog.notLeader(null));
    assertThat(status.getTrailers().get(ErrorCatalog.ERROR_CODE)).isEqualTo("NOT_LEADER");
    assertThat(status.getTrailers().containsKey(ErrorCatalog.LEADER_ENDPOINT)).isFalse();
    assertThat(status.getStatus().getDescription()).contains("no leader is known");
  }

  @Test
  void retryableRatisFailuresBecomeUnavailable() {
    RaftGroupMemberId me = RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());
    assertThat(classify(new LeaderNotReadyException(me)).code()).isEqualTo(ErrorCode.LEADER_NOT_READY);
    assertThat(classify(new ResourceUnavailableException("full")).code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(ErrorCatalog.toStatus(classify(new ResourceUnavailableException("full"))).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aLeaderThatCannotBeReachedIsRetryable() {
    // Ratis reports an unreachable peer with its shaded gRPC exception (bug B1 in docs/chaos.md).
    Throwable transport = new org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException(
        org.apache.ratis.thirdparty.io.grpc.Status.UNAVAILABLE.withDescription("io exception"));
    assertThat(classify(transport).code()).isEqualTo(ErrorCode.LEADER_UNREACHABLE);
    assertThat(ErrorCatalog.toStatus(classify(transport)).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(classify(new org.apache.ratis.protocol.exceptions.TimeoutIOException("slow")).code())
        .isEqualTo(ErrorCode.LEADER_UNREACHABLE);
  }

  @Test
  void everyErrorCodeHasAStatusAndTheTrailer() {
    for (ErrorCode code : ErrorCode.values()) {
      if (code == ErrorCode.UNRECOGNIZED) {
        continue;
      }
      StatusRuntimeException status = ErrorCatalog.toStatus(new KvError(code, "x"));
      assertThat(status.getStatus().getCode()).as(code.name()).isNotNull().isNotEqualTo(Status.Code.UNKNOWN)
          .isNotEqualTo(Status.Code.OK);
      String trailer = code == ErrorCode.ERROR_CODE_UNSPECIFIED ? "INTERNAL_ERROR" : code.name();
      assertThat(status.getTrailers().get(ErrorCatalog.ERROR_CODE)).as(code.name()).isEqualTo(trailer);
    }
  }

  @Test
  void aCodeWithoutAStatusOfItsOwnIsAnInternalError() {
    StatusRuntimeException status = ErrorCatalog.toStatus(new KvError(ErrorCode.ERROR_CODE_UNSPECIFIED, "x"));
    assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.getTrailers().get(ErrorCatalog.ERROR_CODE)).isEqualTo("INTERNAL_ERROR");
  }

  @Test
  void timeoutsAndCancellationsCarryTheTrailerToo() {
    StatusRuntimeException timeout = ErrorCatalog.toStatus(new CompletionException(new TimeoutException()));
    assertThat(timeout.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(timeout.getTrailers().get(ErrorCatalog.ERROR_CODE)).isEqualTo("REQUEST_TIMEOUT");
    StatusRuntimeException cancelled = ErrorCatalog.toStatus(new CancellationException());
    assertThat(cancelled.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(cancelled.getTrailers().get(ErrorCatalog.ERROR_CODE)).isEqualTo("REQUEST_CANCELLED");
  }

  @Test
  void aReadWhoseViewClosedUnderItIsRetryable() {
    StatusRuntimeException status = ErrorCatalog.toStatus(
        new CompletionException(new ReadViewClosedException("read view is closed: store is closed")));
    assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getTrailers().get(ErrorCatalog.ERROR_CODE)).isEqualTo("NODE_UNAVAILABLE");
  }

  @Test
  void businessAndValidationFailuresAreNotRetryable() {
    assertThat(ErrorCatalog.toStatus(KvError.invalid("bad")).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(ErrorCatalog.toStatus(new KvError(ErrorCode.NOT_AN_INTEGER, "x")).getStatus().getCode())
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(ErrorCatalog.toStatus(new TimeoutException()).getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(ErrorCatalog.toStatus(new IllegalStateException("boom")).getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
  }
}
