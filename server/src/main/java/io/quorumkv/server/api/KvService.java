package io.quorumkv.server.api;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.quorumkv.proto.internal.BatchOp;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.DeleteOp;
import io.quorumkv.proto.internal.IncrementOp;
import io.quorumkv.proto.internal.Mutation;
import io.quorumkv.proto.internal.PutOp;
import io.quorumkv.proto.v1.BatchOperation;
import io.quorumkv.proto.v1.BatchRequest;
import io.quorumkv.proto.v1.BatchResponse;
import io.quorumkv.proto.v1.DeleteRequest;
import io.quorumkv.proto.v1.DeleteResponse;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.ExistsRequest;
import io.quorumkv.proto.v1.ExistsResponse;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.GetResponse;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.PutResponse;
import io.quorumkv.proto.v1.ScanRequest;
import io.quorumkv.proto.v1.ScanResponse;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.SessionSettings;
import io.quorumkv.server.errors.ErrorCatalog;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.server.raft.WriteCoalescer;
import io.quorumkv.server.raft.WriteOutcome;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.read.ScanPage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The KV gRPC service: validates each request, turns writes into replicated Commands and reads into local
 * reads at the requested consistency, and maps every failure through {@link ErrorCatalog}.
 */
public final class KvService extends KVGrpc.KVImplBase {
  /** Upper bound for a request that carries no deadline, so nothing waits forever. */
  private static final long SERVER_TIMEOUT_SECONDS = 30;

  private final WriteCoalescer writes;
  private final LocalReads reads;
  private final Headers headers;
  private final Limits limits;
  private final RequestValidator validate;

  public KvService(RaftGateway raft, WriteCoalescer writes, KvStateMachine stateMachine, Headers headers,
      Limits limits, SessionSettings sessions, Executor executor) {
    this.writes = writes;
    this.reads = new LocalReads(raft, stateMachine, executor);
    this.headers = headers;
    this.limits = limits;
    this.validate = new RequestValidator(limits, sessions);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> response) {
    respond(response, () -> {
      validate.key(request.getKey());
      validate.value(request.getValue());
      validate.writeId(request.getWriteId());
      Command.Builder command = Command.newBuilder()
          .setPut(PutOp.newBuilder().setKey(request.getKey()).setValue(request.getValue()));
      return write(command, request.getWriteId(), (result, header) -> PutResponse.newBuilder()
          .setHeader(header).setCreated(result.getPut().getCreated()).build());
    });
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    respond(response, () -> {
      validate.key(request.getKey());
      validate.writeId(request.getWriteId());
      Command.Builder command = Command.newBuilder().setDelete(DeleteOp.newBuilder().setKey(request.getKey()));
      return write(command, request.getWriteId(), (result, header) -> DeleteResponse.newBuilder()
          .setHeader(header).setDeleted(result.getDelete().getDeleted()).build());
    });
  }

  @Override
  public void increment(IncrementRequest request, StreamObserver<IncrementResponse> response) {
    respond(response, () -> {
      validate.key(request.getKey());
      validate.writeId(request.getWriteId());
      Command.Builder command = Command.newBuilder()
          .setIncrement(IncrementOp.newBuilder().setKey(request.getKey()).setDelta(request.getDelta()));
      return write(command, request.getWriteId(), (result, header) -> IncrementResponse.newBuilder()
          .setHeader(header).setValue(result.getIncrement().getValue()).build());
    });
  }

  @Override
  public void batch(BatchRequest request, StreamObserver<BatchResponse> response) {
    respond(response, () -> {
      validate.batch(request);
      BatchOp.Builder batch = BatchOp.newBuilder();
      for (BatchOperation op : request.getOperationsList()) {
        batch.addMutations(switch (op.getOpCase()) {
          case PUT -> Mutation.newBuilder()
              .setPut(PutOp.newBuilder().setKey(op.getPut().getKey()).setValue(op.getPut().getValue()));
          case DELETE -> Mutation.newBuilder().setDelete(DeleteOp.newBuilder().setKey(op.getDelete().getKey()));
          case OP_NOT_SET -> throw new IllegalStateException("validated batch holds an empty operation");
        });
      }
      return write(Command.newBuilder().setBatch(batch), request.getWriteId(),
          (result, header) -> BatchResponse.newBuilder().setHeader(header)
              .setAppliedOperations(result.getBatch().getAppliedOperations())
              .setDeletedKeys(result.getBatch().getDeletedKeys()).build());
    });
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    respond(response, () -> {
      validate.key(request.getKey());
      return reads.read(request.getRead(), view -> {
        Optional<KeyValue> kv = view.get(request.getKey(), false);
        GetResponse.Builder reply = GetResponse.newBuilder().setHeader(headers.at(view.appliedIndex()))
            .setFound(kv.isPresent());
        kv.ifPresent(reply::setKv);
        return reply.build();
      });
    });
  }

  @Override
  public void exists(ExistsRequest request, StreamObserver<ExistsResponse> response) {
    respond(response, () -> {
      validate.key(request.getKey());
      return reads.read(request.getRead(), view -> ExistsResponse.newBuilder()
          .setHeader(headers.at(view.appliedIndex()))
          .setExists(view.get(request.getKey(), true).isPresent()).build());
    });
  }

  @Override
  public void scan(ScanRequest request, StreamObserver<ScanResponse> response) {
    respond(response, () -> {
      ScanRequests.Page page = ScanRequests.page(request, limits);
      return reads.read(request.getRead(), view -> {
        ScanPage result = view.scan(page.range(), page.limit(), limits.maxScanPageBytes(), request.getKeysOnly());
        ScanResponse.Builder reply = ScanResponse.newBuilder().setHeader(headers.at(view.appliedIndex()))
            .addAllKvs(result.entries());
        if (result.hasMore() && !result.entries().isEmpty()) {
          ByteString last = result.entries().get(result.entries().size() - 1).getKey();
          reply.setNextPageToken(ScanRequests.tokenAfter(last));
        }
        return reply.build();
      });
    });
  }

  /** Builds the response of an applied write from its result and header. */
  private interface WriteReply<T> {
    T build(CommandResult result, io.quorumkv.proto.v1.ResponseHeader header);
  }

  private <T> CompletableFuture<T> write(Command.Builder command, WriteId writeId, WriteReply<T> reply) {
    if (!writeId.getClientId().isEmpty()) {
      command.setWriteId(writeId);
    }
    return writes.write(command).thenApply(outcome -> reply.build(successOf(outcome),
        headers.at(outcome.logIndex())));
  }

  /** Business failures are results in the log; here they become the client's error. */
  private static CommandResult successOf(WriteOutcome outcome) {
    CommandResult result = outcome.result();
    if (result.getResultCase() != CommandResult.ResultCase.FAILURE) {
      return result;
    }
    ErrorCode code = switch (result.getFailure().getCode()) {
      case NOT_AN_INTEGER -> ErrorCode.NOT_AN_INTEGER;
      case WRITE_ID_REUSED -> ErrorCode.WRITE_ID_REUSED;
      case SESSION_EXPIRED -> ErrorCode.SESSION_EXPIRED;
      case RESULT_DISCARDED -> ErrorCode.WRITE_RESULT_DISCARDED;
      default -> ErrorCode.INTERNAL_ERROR;
    };
    throw new KvError(code, result.getFailure().getMessage());
  }

  /**
   * Runs a handler and completes the call with its result or its mapped failure, on the thread that
   * completes the handler's future: results arrive on the request executor (LocalReads runs queries there,
   * the WriteCoalescer completes writes there), so no further hand-off is needed; a failure may arrive on
   * the thread that failed it, and only maps it to a status.
   */
  private <T> void respond(StreamObserver<T> response, Supplier<CompletableFuture<T>> handler) {
    CompletableFuture<T> future;
    try {
      future = handler.get();
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    future.orTimeout(SERVER_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((value, error) -> {
      if (error != null) {
        response.onError(ErrorCatalog.toStatus(error));
      } else {
        response.onNext(value);
        response.onCompleted();
      }
    });
  }
}
