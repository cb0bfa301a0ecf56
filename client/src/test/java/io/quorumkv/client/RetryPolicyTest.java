package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.quorumkv.client.RetryPolicy.Decision;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static Failure failure(Status.Code code, String errorCode, String leader) {
    return Failure.classify(FakeNode.error(code, errorCode, leader), "m:1").orElseThrow();
  }

  @Test
  void notLeaderWithHintRedirectsAndWithoutHintMovesOn() {
    assertThat(RetryPolicy.decide(failure(Status.Code.UNAVAILABLE, "NOT_LEADER", "l:1"), CallKind.WRITE))
        .isEqualTo(Decision.REDIRECT);
    assertThat(RetryPolicy.decide(failure(Status.Code.UNAVAILABLE, "NOT_LEADER", null), CallKind.WRITE))
        .isEqualTo(Decision.RETRY_NEXT);
  }

  @Test
  void writesWaitForALeaderThatIsNotReadyButReadsFallOver() {
    Failure notReady = failure(Status.Code.UNAVAILABLE, "LEADER_NOT_READY", null);
    assertThat(RetryPolicy.decide(notReady, CallKind.WRITE)).isEqualTo(Decision.RETRY_SAME);
    assertThat(RetryPolicy.decide(notReady, CallKind.READ)).isEqualTo(Decision.RETRY_NEXT);
  }

  @Test
  void connectionFailuresAndTimeoutsMoveOn() {
    assertThat(RetryPolicy.decide(failure(Status.Code.UNAVAILABLE, null, null), CallKind.WRITE))
        .isEqualTo(Decision.RETRY_NEXT);
    assertThat(RetryPolicy.decide(failure(Status.Code.DEADLINE_EXCEEDED, null, null), CallKind.WRITE))
        .isEqualTo(Decision.RETRY_NEXT);
  }

  @Test
  void aServerSideTimeoutIsATimeoutWhateverItsTrailer() {
    Failure serverTimeout = failure(Status.Code.DEADLINE_EXCEEDED, "REQUEST_TIMEOUT", null);
    assertThat(RetryPolicy.decide(serverTimeout, CallKind.WRITE)).isEqualTo(Decision.RETRY_NEXT);
    assertThat(serverTimeout.mayHaveReachedLeader()).isTrue();
    assertThat(RetryPolicy.decide(failure(Status.Code.CANCELLED, "REQUEST_CANCELLED", null), CallKind.WRITE))
        .isEqualTo(Decision.FAIL);
  }

  @Test
  void internalErrorsAreRetriedOnceElsewhere() {
    assertThat(RetryPolicy.decide(failure(Status.Code.INTERNAL, "INTERNAL_ERROR", null), CallKind.READ))
        .isEqualTo(Decision.RETRY_NEXT_ONCE);
  }

  @Test
  void requestErrorsAreFinal() {
    for (Status.Code code :
        new Status.Code[] {
          Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED, Status.Code.FAILED_PRECONDITION
        }) {
      assertThat(RetryPolicy.decide(failure(code, null, null), CallKind.WRITE)).isEqualTo(Decision.FAIL);
    }
  }

  @Test
  void onlyARefusedConnectionProvesAWriteWasNotSent() {
    assertThat(failure(Status.Code.UNAVAILABLE, null, null).mayHaveReachedLeader()).isTrue();
    assertThat(failure(Status.Code.UNAVAILABLE, "NOT_LEADER", null).mayHaveReachedLeader()).isFalse();
    assertThat(failure(Status.Code.DEADLINE_EXCEEDED, null, null).mayHaveReachedLeader()).isTrue();
    Failure refused =
        Failure.classify(
                Status.UNAVAILABLE.withCause(new ConnectException("refused")).asRuntimeException(), "m:1")
            .orElseThrow();
    assertThat(refused.mayHaveReachedLeader()).isFalse();
  }

  @Test
  void aBuildingSearchIndexIsRetriedOnAnotherMember() {
    Failure building = failure(Status.Code.UNAVAILABLE, "INDEX_UNAVAILABLE", null);
    assertThat(RetryPolicy.decide(building, CallKind.READ)).isEqualTo(Decision.RETRY_NEXT);
    assertThat(building.mayHaveReachedLeader()).isFalse();
  }

  @Test
  void indexNotFoundAndIndexExistsAreFinalAndTyped() {
    Failure notFound = failure(Status.Code.NOT_FOUND, "INDEX_NOT_FOUND", null);
    Failure exists = failure(Status.Code.ALREADY_EXISTS, "INDEX_EXISTS", null);
    assertThat(RetryPolicy.decide(notFound, CallKind.READ)).isEqualTo(Decision.FAIL);
    assertThat(RetryPolicy.decide(exists, CallKind.WRITE)).isEqualTo(Decision.FAIL);
    assertThat(notFound.toException()).isInstanceOf(IndexNotFoundException.class);
    assertThat(exists.toException()).isInstanceOf(IndexExistsException.class);
    // Without the trailer the status code alone decides; an unknown trailer is not guessed at.
    assertThat(failure(Status.Code.NOT_FOUND, null, null).toException()).isInstanceOf(IndexNotFoundException.class);
    assertThat(failure(Status.Code.NOT_FOUND, "SOMETHING_NEW", null).toException())
        .isExactlyInstanceOf(QuorumKvException.class);
  }

  @Test
  void nonGrpcErrorsAreNotClassified() {
    assertThat(Failure.classify(new IllegalStateException("bug"), "m:1")).isEmpty();
  }
}
