package io.quorumkv.server.api;

import io.grpc.stub.StreamObserver;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.server.errors.ErrorCatalog;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.WriteOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** How the gRPC services answer: one future per call, failures mapped through {@link ErrorCatalog}. */
final class Responses {
  /** Upper bound for a request that carries no deadline, so nothing waits forever. */
  static final long SERVER_TIMEOUT_SECONDS = 30;

  private Responses() {}

  /**
   * Runs a handler and completes the call with its result or its mapped failure, on the thread that
   * completes the handler's future: results arrive on the request executor (LocalReads runs queries there,
   * the WriteCoalescer completes writes there), so no further hand-off is needed; a failure may arrive on
   * the thread that failed it, and only maps it to a status.
   */
  static <T> void respond(StreamObserver<T> response, Supplier<CompletableFuture<T>> handler) {
    future(handler).orTimeout(SERVER_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((value, error) -> {
      if (error != null) {
        response.onError(ErrorCatalog.toStatus(error));
      } else {
        response.onNext(value);
        response.onCompleted();
      }
    });
  }

  /** The handler's future, or a failed one if the handler throws (as validation does). */
  static <T> CompletableFuture<T> future(Supplier<CompletableFuture<T>> handler) {
    try {
      return handler.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Business failures are results in the log; here they become the client's error. */
  static CommandResult successOf(WriteOutcome outcome) {
    CommandResult result = outcome.result();
    if (result.getResultCase() != CommandResult.ResultCase.FAILURE) {
      return result;
    }
    ErrorCode code = switch (result.getFailure().getCode()) {
      case NOT_AN_INTEGER -> ErrorCode.NOT_AN_INTEGER;
      case WRITE_ID_REUSED -> ErrorCode.WRITE_ID_REUSED;
      case SESSION_EXPIRED -> ErrorCode.SESSION_EXPIRED;
      case RESULT_DISCARDED -> ErrorCode.WRITE_RESULT_DISCARDED;
      case INDEX_EXISTS -> ErrorCode.INDEX_EXISTS;
      default -> ErrorCode.INTERNAL_ERROR;
    };
    throw new KvError(code, result.getFailure().getMessage());
  }
}
