package io.quorumkv.server.api;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CreateIndexOp;
import io.quorumkv.proto.internal.DropIndexOp;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.CreateIndexResponse;
import io.quorumkv.proto.v1.DropIndexRequest;
import io.quorumkv.proto.v1.DropIndexResponse;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.IndexStatus;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.ListIndexesRequest;
import io.quorumkv.proto.v1.ListIndexesResponse;
import io.quorumkv.proto.v1.ReadOptions;
import io.quorumkv.proto.v1.SearchGrpc;
import io.quorumkv.proto.v1.SearchHit;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.SessionSettings;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.server.raft.WriteCoalescer;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.TooManyWaitersException;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.search.IndexStats;
import io.quorumkv.statemachine.search.SearchIndexes;
import io.quorumkv.statemachine.search.SearchQuery;
import io.quorumkv.statemachine.search.SearchResult;
import io.quorumkv.statemachine.search.embed.BatchingEmbedder;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The Search gRPC service: index definitions are replicated writes; searches wait until this member's
 * indexes reflect the read's index (see search.proto), then run on the request executor.
 */
public final class SearchService extends SearchGrpc.SearchImplBase {
  private static final long MAX_INDEX_WAIT_MILLIS = 10_000;

  private final WriteCoalescer writes;
  private final LocalReads reads;
  private final KvStateMachine stateMachine;
  private final SearchIndexes indexes;
  private final BatchingEmbedder embedder;
  private final Headers headers;
  private final Limits limits;
  private final RequestValidator validate;
  private final Executor executor;

  public SearchService(RaftGateway raft, WriteCoalescer writes, KvStateMachine stateMachine, SearchIndexes indexes,
      BatchingEmbedder embedder, Headers headers, Limits limits, SessionSettings sessions, Executor executor) {
    this.writes = writes;
    this.reads = new LocalReads(raft, stateMachine, executor);
    this.stateMachine = stateMachine;
    this.indexes = indexes;
    this.embedder = embedder;
    this.headers = headers;
    this.limits = limits;
    this.validate = new RequestValidator(limits, sessions);
    this.executor = executor;
  }

  @Override
  public void createIndex(CreateIndexRequest request, StreamObserver<CreateIndexResponse> response) {
    Responses.respond(response, () -> {
      IndexSpec spec = SearchRequests.spec(request.getSpec(), limits.maxKeyBytes());
      validate.writeId(request.getWriteId());
      SortedMap<String, IndexDefinition> existing = stateMachine.indexDefinitions();
      if (!existing.containsKey(spec.getName())) {
        checkRoomFor(spec, existing);
      }
      Command.Builder command = Command.newBuilder().setCreateIndex(CreateIndexOp.newBuilder().setSpec(spec));
      return write(command, request.getWriteId()).thenApply(outcome -> CreateIndexResponse.newBuilder()
          .setHeader(headers.at(outcome.logIndex()))
          .setCreated(Responses.successOf(outcome).getCreateIndex().getCreated()).build());
    });
  }

  /** The index-count and semantic-source limits, which bound the work and the size of every write. */
  private static void checkRoomFor(IndexSpec spec, SortedMap<String, IndexDefinition> existing) {
    if (existing.size() >= SearchRequests.MAX_INDEXES) {
      throw KvError.invalid("the cluster has " + existing.size() + " indexes; the limit is " + SearchRequests.MAX_INDEXES);
    }
    if (spec.hasSemantic()) {
      Set<String> sources = existing.values().stream().filter(d -> d.getSpec().hasSemantic())
          .map(d -> d.getSpec().getSemantic().getField()).collect(Collectors.toSet());
      sources.add(spec.getSemantic().getField());
      if (sources.size() > Limits.MAX_SEMANTIC_SOURCES) {
        throw KvError.invalid("semantic indexes may embed at most " + Limits.MAX_SEMANTIC_SOURCES
            + " distinct fields over all indexes; in use: " + String.join(", ", sources));
      }
    }
  }

  @Override
  public void dropIndex(DropIndexRequest request, StreamObserver<DropIndexResponse> response) {
    Responses.respond(response, () -> {
      SearchRequests.indexName("name", request.getName());
      validate.writeId(request.getWriteId());
      Command.Builder command = Command.newBuilder().setDropIndex(DropIndexOp.newBuilder().setName(request.getName()));
      return write(command, request.getWriteId()).thenApply(outcome -> DropIndexResponse.newBuilder()
          .setHeader(headers.at(outcome.logIndex()))
          .setDropped(Responses.successOf(outcome).getDropIndex().getDropped()).build());
    });
  }

  @Override
  public void listIndexes(ListIndexesRequest request, StreamObserver<ListIndexesResponse> response) {
    Responses.respond(response, () -> reads.ready(request.getRead()).thenApplyAsync(ready -> {
      long position = indexes.position();
      long applied = stateMachine.lastAppliedIndex();
      SortedMap<String, IndexDefinition> definitions = stateMachine.indexDefinitions();
      Map<String, IndexStats> known = indexes.list().stream()
          .collect(Collectors.toMap(s -> s.definition().getSpec().getName(), s -> s));
      ListIndexesResponse.Builder reply = ListIndexesResponse.newBuilder().setHeader(headers.at(applied))
          .setIndexPosition(position);
      for (IndexDefinition definition : definitions.values()) {
        IndexStats stats = known.get(definition.getSpec().getName());
        reply.addIndexes(stats != null && stats.definition().equals(definition) ? status(stats)
            : notReachedYet(definition));
      }
      return reply.build();
    }, executor));
  }

  @Override
  public void search(SearchRequest request, StreamObserver<SearchResponse> response) {
    Responses.respond(response, () -> {
      SearchQuery parsed = SearchRequests.query(request);
      CompletableFuture<SearchQuery> query = request.getSemanticText().isEmpty()
          ? CompletableFuture.completedFuture(parsed)
          : embedder.embed(request.getSemanticText()).thenApply(v -> SearchRequests.withSemanticVector(parsed, v));
      return indexesAt(request.getRead()).thenCombineAsync(query, (position, ready) -> search(ready, position,
          request.getIncludeValues()), executor);
    });
  }

  private SearchResponse search(SearchQuery query, long atLeast, boolean includeValues) {
    SearchResult result = indexes.search(query, atLeast);
    SearchResponse.Builder reply = SearchResponse.newBuilder().setHeader(headers.at(result.position()))
        .setTotalHits(Math.max(0, result.totalHits()));
    result.nextCursor().ifPresent(cursor -> reply.setNextCursor(cursor.toByteString()));
    Optional<ReadView> view = includeValues ? Optional.of(stateMachine.openReadView()) : Optional.empty();
    try {
      for (SearchResult.Hit hit : result.hits()) {
        SearchHit.Builder out = SearchHit.newBuilder().setKey(hit.key()).setScore(hit.score()).setSnippet(hit.snippet());
        if (view.isPresent()) {
          Optional<KeyValue> kv = view.get().get(hit.key(), false);
          if (kv.isEmpty()) {
            continue; // deleted after the position the index reflects: never return a deleted key
          }
          out.setKv(kv.get());
        }
        reply.addHits(out);
      }
    } finally {
      view.ifPresent(ReadView::close);
    }
    return reply.build();
  }

  /**
   * Completes, on the request executor, with the log index the read must observe once this member's
   * indexes have reached it: after the read's barrier (LINEARIZABLE: the applied index then, at least the
   * read index; STALE: its min_index).
   */
  private CompletableFuture<Long> indexesAt(ReadOptions read) {
    long waitMillis = indexWaitMillis();
    return reads.ready(read).thenCompose(ignored -> {
      long target = read.getConsistency() == Consistency.STALE ? read.getMinIndex() : stateMachine.lastAppliedIndex();
      return indexes.awaitPosition(target).orTimeout(waitMillis, TimeUnit.MILLISECONDS)
          .handleAsync((ignoredToo, failure) -> {
            if (failure != null) {
              throw indexWaitFailure(failure, target, waitMillis);
            }
            return target;
          }, executor);
    });
  }

  private RuntimeException indexWaitFailure(Throwable failure, long target, long waitMillis) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (e instanceof TimeoutException) {
      return new KvError(ErrorCode.INDEX_UNAVAILABLE, "this member's indexes did not reach index " + target
          + " within " + waitMillis + " ms (they are at " + indexes.position() + "); retry");
    }
    if (e instanceof TooManyWaitersException) {
      return new KvError(ErrorCode.OVERLOADED, "too many searches wait for this member's indexes: " + e.getMessage());
    }
    return e instanceof RuntimeException re ? re : new CompletionException(e);
  }

  private CompletableFuture<io.quorumkv.server.raft.WriteOutcome> write(Command.Builder command, WriteId writeId) {
    if (!writeId.getClientId().isEmpty()) {
      command.setWriteId(writeId);
    }
    return writes.write(command);
  }

  private static IndexStatus status(IndexStats stats) {
    return IndexStatus.newBuilder()
        .setSpec(stats.definition().getSpec())
        .setState(switch (stats.state()) {
          case BUILDING -> IndexStatus.State.BUILDING;
          case READY -> IndexStatus.State.READY;
          case FAILED -> IndexStatus.State.FAILED;
        })
        .setDocuments(stats.documents())
        .setSegments(stats.segments())
        .setMerging(stats.merging())
        .setBuildVisited(stats.buildVisited())
        .setBuildIndexed(stats.buildIndexed())
        .setSkippedVectors(stats.skippedVectors())
        .setPendingEmbeddings(stats.pendingEmbeddings())
        .setFailure(stats.failure())
        .setCreateIndex(stats.definition().getCreateIndex())
        .build();
  }

  /** An index the indexer has not created yet: it lags behind the entry that defined it. */
  private static IndexStatus notReachedYet(IndexDefinition definition) {
    return IndexStatus.newBuilder().setSpec(definition.getSpec()).setState(IndexStatus.State.BUILDING)
        .setCreateIndex(definition.getCreateIndex()).build();
  }

  private static long indexWaitMillis() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null ? MAX_INDEX_WAIT_MILLIS
        : Math.max(1, Math.min(MAX_INDEX_WAIT_MILLIS, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
  }
}
