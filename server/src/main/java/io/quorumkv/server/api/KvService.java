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
import io.quorumkv.proto.v1.ExistsRequest;
import io.quorumkv.proto.v1.ExistsResponse;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.GetResponse;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.PutResponse;
import io.quorumkv.proto.v1.ScanRequest;
import io.quorumkv.proto.v1.ScanResponse;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.proto.v1.WritesRequest;
import io.quorumkv.proto.v1.WritesResponse;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.errors.ErrorCatalog;
import io.quorumkv.server.config.SessionSettings;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.server.raft.WriteCoalescer;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.read.ScanPage;
import io.quorumkv.statemachine.search.embed.BatchingEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The KV gRPC service: validates each request, turns writes into replicated Commands and reads into local
 * reads at the requested consistency, and maps every failure through {@link ErrorCatalog}.
 */
public final class KvService extends KVGrpc.KVImplBase {
  private final WriteCoalescer writes;
  private final LocalReads reads;
  private final Headers headers;
  private final Limits limits;
  private final RequestValidator validate;
  private final WriteEmbeddings embeddings;

  public KvService(RaftGateway raft, WriteCoalescer writes, KvStateMachine stateMachine, Headers headers,
      Limits limits, SessionSettings sessions, BatchingEmbedder embedder, Executor executor) {
    this.writes = writes;
    this.embeddings = new WriteEmbeddings(stateMachine, embedder, () -> raft.info().isLeader());
    this.reads = new LocalReads(raft, stateMachine, executor);
    this.headers = headers;
    this.limits = limits;
    this.validate = new RequestValidator(limits, sessions);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> response) {
    Responses.respond(response, () -> put(request));
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    Responses.respond(response, () -> delete(request));
  }

  @Override
  public void increment(IncrementRequest request, StreamObserver<IncrementResponse> response) {
    Responses.respond(response, () -> increment(request));
  }

  @Override
  public void writes(WritesRequest request, StreamObserver<WritesResponse> response) {
    Responses.respond(response, () -> {
      validate.writes(request);
      List<CompletableFuture<WritesResponse.Result>> results = new ArrayList<>(request.getWritesCount());
      for (WritesRequest.Write write : request.getWritesList()) {
        results.add(resultOf(write));
      }
      return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
        WritesResponse.Builder reply = WritesResponse.newBuilder();
        results.forEach(result -> reply.addResults(result.join()));
        return reply.build();
      });
    });
  }

  /** One write of a Writes call, answered as if it had been sent alone; never completes exceptionally. */
  private CompletableFuture<WritesResponse.Result> resultOf(WritesRequest.Write write) {
    WritesResponse.Result.Builder result = WritesResponse.Result.newBuilder();
    CompletableFuture<WritesResponse.Result> outcome = switch (write.getOpCase()) {
      case PUT -> Responses.future(() -> put(write.getPut())).thenApply(r -> result.setPut(r).build());
      case DELETE -> Responses.future(() -> delete(write.getDelete())).thenApply(r -> result.setDelete(r).build());
      case INCREMENT ->
          Responses.future(() -> increment(write.getIncrement())).thenApply(r -> result.setIncrement(r).build());
      case OP_NOT_SET -> throw new IllegalStateException("validated Writes call holds an empty write");
    };
    return outcome.exceptionally(error -> result.setError(ErrorCatalog.toWriteError(error)).build());
  }

  private CompletableFuture<PutResponse> put(PutRequest request) {
    validate.key(request.getKey());
    validate.value(request.getValue());
    validate.writeId(request.getWriteId());
    return embeddings.forPut(request.getKey(), request.getValue()).thenCompose(vectors -> {
      Command.Builder command = Command.newBuilder().setPut(
          PutOp.newBuilder().setKey(request.getKey()).setValue(request.getValue()).addAllEmbeddings(vectors));
      return write(command, request.getWriteId(), (result, header) -> PutResponse.newBuilder()
          .setHeader(header).setCreated(result.getPut().getCreated()).build());
    });
  }

  private CompletableFuture<DeleteResponse> delete(DeleteRequest request) {
    validate.key(request.getKey());
    validate.writeId(request.getWriteId());
    Command.Builder command = Command.newBuilder().setDelete(DeleteOp.newBuilder().setKey(request.getKey()));
    return write(command, request.getWriteId(), (result, header) -> DeleteResponse.newBuilder()
        .setHeader(header).setDeleted(result.getDelete().getDeleted()).build());
  }

  private CompletableFuture<IncrementResponse> increment(IncrementRequest request) {
    validate.key(request.getKey());
    validate.writeId(request.getWriteId());
    Command.Builder command = Command.newBuilder()
        .setIncrement(IncrementOp.newBuilder().setKey(request.getKey()).setDelta(request.getDelta()));
    return write(command, request.getWriteId(), (result, header) -> IncrementResponse.newBuilder()
        .setHeader(header).setValue(result.getIncrement().getValue()).build());
  }

  @Override
  public void batch(BatchRequest request, StreamObserver<BatchResponse> response) {
    Responses.respond(response, () -> {
      validate.batch(request);
      List<CompletableFuture<Mutation>> mutations = new ArrayList<>(request.getOperationsCount());
      for (BatchOperation op : request.getOperationsList()) {
        mutations.add(switch (op.getOpCase()) {
          case PUT -> embeddings.forPut(op.getPut().getKey(), op.getPut().getValue())
              .thenApply(vectors -> Mutation.newBuilder().setPut(PutOp.newBuilder().setKey(op.getPut().getKey())
                  .setValue(op.getPut().getValue()).addAllEmbeddings(vectors)).build());
          case DELETE -> CompletableFuture.completedFuture(
              Mutation.newBuilder().setDelete(DeleteOp.newBuilder().setKey(op.getDelete().getKey())).build());
          case OP_NOT_SET -> throw new IllegalStateException("validated batch holds an empty operation");
        });
      }
      return CompletableFuture.allOf(mutations.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
        BatchOp.Builder batch = BatchOp.newBuilder();
        mutations.forEach(mutation -> batch.addMutations(mutation.join()));
        return write(Command.newBuilder().setBatch(batch), request.getWriteId(),
            (result, header) -> BatchResponse.newBuilder().setHeader(header)
                .setAppliedOperations(result.getBatch().getAppliedOperations())
                .setDeletedKeys(result.getBatch().getDeletedKeys()).build());
      });
    });
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    Responses.respond(response, () -> {
      validate.key(request.getKey());
      return reads.readKey(request.getRead(), request.getKey(), false, read -> {
        GetResponse.Builder reply = GetResponse.newBuilder().setHeader(headers.at(read.appliedIndex()))
            .setFound(read.kv().isPresent());
        read.kv().ifPresent(reply::setKv);
        return reply.build();
      });
    });
  }

  @Override
  public void exists(ExistsRequest request, StreamObserver<ExistsResponse> response) {
    Responses.respond(response, () -> {
      validate.key(request.getKey());
      return reads.readKey(request.getRead(), request.getKey(), true, read -> ExistsResponse.newBuilder()
          .setHeader(headers.at(read.appliedIndex()))
          .setExists(read.kv().isPresent()).build());
    });
  }

  @Override
  public void scan(ScanRequest request, StreamObserver<ScanResponse> response) {
    Responses.respond(response, () -> {
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
    return writes.write(command).thenApply(outcome -> reply.build(Responses.successOf(outcome),
        headers.at(outcome.logIndex())));
  }
}
