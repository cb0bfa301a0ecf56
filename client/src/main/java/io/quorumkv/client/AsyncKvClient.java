package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.quorumkv.proto.v1.BatchRequest;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.DropIndexRequest;
import io.quorumkv.proto.v1.DeleteRequest;
import io.quorumkv.proto.v1.DeleteResponse;
import io.quorumkv.proto.v1.ExistsRequest;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.ListIndexesRequest;
import io.quorumkv.proto.v1.ListIndexesResponse;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.PutResponse;
import io.quorumkv.proto.v1.ScanResponse;
import io.quorumkv.proto.v1.SearchGrpc;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.StatusRequest;
import io.quorumkv.proto.v1.StatusResponse;
import io.quorumkv.proto.v1.TransferLeadershipRequest;
import io.quorumkv.proto.v1.TransferLeadershipResponse;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.proto.v1.WritesRequest;
import io.quorumkv.proto.v1.WritesResponse;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The asynchronous QuorumKV API, obtained from {@link QuorumKvClient#async()} and closed with it.
 * Thread-safe.
 *
 * <p>Every method returns at once. Its future completes with the result, or exceptionally with a {@link
 * QuorumKvException} subclass once the call cannot succeed: {@link InvalidRequestException}, {@link
 * NotAnIntegerException}, {@link IndexNotFoundException}, {@link IndexExistsException}, {@link
 * QuorumKvInternalException}, or {@link UnavailableException} when retryable failures lasted until the
 * overall timeout. Writes go to the leader and follow its hints;
 * reads (including searches and index listings) go to the cached leader and fall over to other members. Each write takes a new WriteId when it is
 * called and keeps it for all its retries, so it is applied at most once. If the cluster has expired this
 * client's session (after a long time without writes), a write never ordered before is re-sent under a new
 * client id; one that may have been applied fails with {@link SessionExpiredException}. Futures complete on the
 * client's network thread, which serves every call of this client: do not block in callbacks attached to
 * them (use the {@code *Async} variants with an executor of your own for work that may block).
 */
public final class AsyncKvClient {
  /** How a single write is carried in a {@code KV.Writes} call, and found in its result. */
  private record Pipelined<Req, Resp>(
      Function<Req, WritesRequest.Write> wrap,
      WritesResponse.Result.OutcomeCase outcome,
      Function<WritesResponse.Result, Resp> unwrap) {}

  private static final Pipelined<PutRequest, PutResponse> PIPELINED_PUT = new Pipelined<>(
      r -> WritesRequest.Write.newBuilder().setPut(r).build(),
      WritesResponse.Result.OutcomeCase.PUT, WritesResponse.Result::getPut);
  private static final Pipelined<DeleteRequest, DeleteResponse> PIPELINED_DELETE = new Pipelined<>(
      r -> WritesRequest.Write.newBuilder().setDelete(r).build(),
      WritesResponse.Result.OutcomeCase.DELETE, WritesResponse.Result::getDelete);
  private static final Pipelined<IncrementRequest, IncrementResponse> PIPELINED_INCREMENT = new Pipelined<>(
      r -> WritesRequest.Write.newBuilder().setIncrement(r).build(),
      WritesResponse.Result.OutcomeCase.INCREMENT, WritesResponse.Result::getIncrement);

  private final ChannelPool channels;
  private final RetryingCaller caller;
  private final WriteIds writeIds;
  private final Optional<WritePipeline> pipeline;

  AsyncKvClient(ChannelPool channels, RetryingCaller caller, WriteIds writeIds, boolean pipelineWrites) {
    this.channels = channels;
    this.caller = caller;
    this.writeIds = writeIds;
    this.pipeline = pipelineWrites ? Optional.of(new WritePipeline(channels)) : Optional.empty();
  }

  /** Sets a key (UTF-8) to a value, creating or replacing it. */
  public CompletableFuture<WriteResult> put(String key, Value value) {
    return put(Keys.utf8(key), value);
  }

  /** Sets a key to a value, creating or replacing it. */
  public CompletableFuture<WriteResult> put(ByteString key, Value value) {
    PutRequest.Builder request =
        PutRequest.newBuilder().setKey(Keys.bytes(key)).setValue(Objects.requireNonNull(value, "value"));
    return write(
        KVGrpc.getPutMethod(),
        PIPELINED_PUT,
        id -> request.setWriteId(id).build(),
        r -> new WriteResult(r.getHeader().getAppliedIndex(), r.getCreated()));
  }

  /** Reads a key (UTF-8), linearizably. Empty if absent. */
  public CompletableFuture<Optional<Entry>> get(String key) {
    return get(Keys.utf8(key), ReadOptions.linearizable());
  }

  /** Reads a key (UTF-8). Empty if absent. */
  public CompletableFuture<Optional<Entry>> get(String key, ReadOptions read) {
    return get(Keys.utf8(key), read);
  }

  /** Reads a key, linearizably. Empty if absent. */
  public CompletableFuture<Optional<Entry>> get(ByteString key) {
    return get(key, ReadOptions.linearizable());
  }

  /** Reads a key. Empty if absent. */
  public CompletableFuture<Optional<Entry>> get(ByteString key, ReadOptions read) {
    GetRequest request = GetRequest.newBuilder().setKey(Keys.bytes(key)).setRead(read.toProto()).build();
    return call(
        CallKind.READ,
        KVGrpc.getGetMethod(),
        request,
        r ->
            r.getFound()
                ? Optional.of(Entry.of(r.getKv(), r.getHeader().getAppliedIndex()))
                : Optional.empty());
  }

  /** Removes a key (UTF-8). Completes with true if it existed. */
  public CompletableFuture<Boolean> delete(String key) {
    return delete(Keys.utf8(key));
  }

  /** Removes a key. Completes with true if it existed. */
  public CompletableFuture<Boolean> delete(ByteString key) {
    DeleteRequest.Builder request = DeleteRequest.newBuilder().setKey(Keys.bytes(key));
    return write(KVGrpc.getDeleteMethod(), PIPELINED_DELETE, id -> request.setWriteId(id).build(),
        r -> r.getDeleted());
  }

  /** Tells whether a key (UTF-8) is present, linearizably. */
  public CompletableFuture<Boolean> exists(String key) {
    return exists(Keys.utf8(key), ReadOptions.linearizable());
  }

  /** Tells whether a key (UTF-8) is present. */
  public CompletableFuture<Boolean> exists(String key, ReadOptions read) {
    return exists(Keys.utf8(key), read);
  }

  /** Tells whether a key is present, linearizably. */
  public CompletableFuture<Boolean> exists(ByteString key) {
    return exists(key, ReadOptions.linearizable());
  }

  /** Tells whether a key is present. */
  public CompletableFuture<Boolean> exists(ByteString key, ReadOptions read) {
    ExistsRequest request =
        ExistsRequest.newBuilder().setKey(Keys.bytes(key)).setRead(read.toProto()).build();
    return call(CallKind.READ, KVGrpc.getExistsMethod(), request, r -> r.getExists());
  }

  /**
   * Adds {@code delta} (may be negative or 0) to the integer stored as text at a key (UTF-8); an absent
   * key counts as 0. Completes with the new value, or with {@link NotAnIntegerException}.
   */
  public CompletableFuture<Long> increment(String key, long delta) {
    return increment(Keys.utf8(key), delta);
  }

  /** Like {@link #increment(String, long)} for a key given as bytes. */
  public CompletableFuture<Long> increment(ByteString key, long delta) {
    IncrementRequest.Builder request =
        IncrementRequest.newBuilder().setKey(Keys.bytes(key)).setDelta(delta);
    return write(KVGrpc.getIncrementMethod(), PIPELINED_INCREMENT, id -> request.setWriteId(id).build(),
        r -> r.getValue());
  }

  /** Applies a batch all-or-nothing; an invalid operation fails it with {@link InvalidRequestException}. */
  public CompletableFuture<BatchResult> batch(Batch batch) {
    BatchRequest.Builder request = BatchRequest.newBuilder().addAllOperations(batch.operations());
    return write(
        KVGrpc.getBatchMethod(),
        id -> request.setWriteId(id).build(),
        r ->
            new BatchResult(
                r.getHeader().getAppliedIndex(), r.getAppliedOperations(), r.getDeletedKeys()));
  }

  /** The first page of a scan, of up to {@link ScanOptions#pageSize()} entries. */
  public CompletableFuture<ScanPage> scan(ScanOptions options) {
    return scan(options, ByteString.EMPTY);
  }

  /**
   * The page of a scan that follows the page which returned {@code pageToken} (empty: the first page).
   * {@code options} must be the same as for that page.
   */
  public CompletableFuture<ScanPage> scan(ScanOptions options, ByteString pageToken) {
    return scanPage(options, pageToken, options.pageSize());
  }

  /**
   * Feeds every entry of a scan, page after page, to {@code action}, stopping after {@link
   * ScanOptions#limit()} entries if set. Pages are fetched one at a time, each after the previous one was
   * consumed. Completes with the number of entries delivered. Each page is a consistent view; successive
   * pages may come from later views.
   */
  public CompletableFuture<Long> scanForEach(ScanOptions options, Consumer<? super Entry> action) {
    ScanCursor cursor = new ScanCursor(options);
    return scanRest(options, cursor, action, 0);
  }

  private CompletableFuture<Long> scanRest(
      ScanOptions options, ScanCursor cursor, Consumer<? super Entry> action, long delivered) {
    return scanPage(options, cursor.pageToken(), cursor.nextPageSize())
        .thenCompose(
            page -> {
              List<Entry> entries = cursor.advance(page);
              entries.forEach(action);
              long total = delivered + entries.size();
              return cursor.finished()
                  ? CompletableFuture.completedFuture(total)
                  : scanRest(options, cursor, action, total);
            });
  }

  CompletableFuture<ScanPage> scanPage(ScanOptions options, ByteString pageToken, int maxEntries) {
    return call(
        CallKind.READ,
        KVGrpc.getScanMethod(),
        options.toRequest(pageToken, maxEntries),
        AsyncKvClient::toPage);
  }

  private static ScanPage toPage(ScanResponse response) {
    long appliedIndex = response.getHeader().getAppliedIndex();
    return new ScanPage(
        response.getKvsList().stream().map(kv -> Entry.of(kv, appliedIndex)).toList(),
        response.getNextPageToken(),
        appliedIndex);
  }

  /**
   * Defines a search index and has every member build it over the keys that already exist, in the
   * background: until a member has built it, searches there fail with UNAVAILABLE / INDEX_UNAVAILABLE,
   * which reads retry (see {@link #listIndexes(ReadOptions)} for progress). A write: routed to the leader,
   * deduplicated by its WriteId across retries. Completes with {@link CreateIndexResult#created()} false
   * if an index with an equal spec existed, or fails with {@link IndexExistsException} if one of that
   * name has another spec.
   */
  public CompletableFuture<CreateIndexResult> createIndex(IndexSpec spec) {
    CreateIndexRequest.Builder request =
        CreateIndexRequest.newBuilder().setSpec(Objects.requireNonNull(spec, "spec").toProto());
    return write(
        SearchGrpc.getCreateIndexMethod(),
        id -> request.setWriteId(id).build(),
        r -> new CreateIndexResult(r.getHeader().getAppliedIndex(), r.getCreated()));
  }

  /**
   * Removes a search index definition and its index data (not the keys). A write, like {@link
   * #createIndex}. Completes with true if the index existed.
   */
  public CompletableFuture<Boolean> dropIndex(String name) {
    DropIndexRequest.Builder request =
        DropIndexRequest.newBuilder().setName(Objects.requireNonNull(name, "name"));
    return write(SearchGrpc.getDropIndexMethod(), id -> request.setWriteId(id).build(), r -> r.getDropped());
  }

  /** Every index definition, sorted by name, with its state on the member that answered; linearizable. */
  public CompletableFuture<List<IndexStatus>> listIndexes() {
    return listIndexes(ReadOptions.linearizable());
  }

  /** Every index definition, sorted by name, with its state on the member that answered. */
  public CompletableFuture<List<IndexStatus>> listIndexes(ReadOptions read) {
    ListIndexesRequest request = ListIndexesRequest.newBuilder().setRead(read.toProto()).build();
    return call(CallKind.READ, SearchGrpc.getListIndexesMethod(), request, AsyncKvClient::toIndexes);
  }

  private static List<IndexStatus> toIndexes(ListIndexesResponse response) {
    String member = response.getHeader().getMemberId();
    long appliedIndex = response.getHeader().getAppliedIndex();
    return response.getIndexesList().stream()
        .map(status -> IndexStatus.of(status, member, appliedIndex, response.getIndexPosition()))
        .toList();
  }

  /**
   * One page of a search: the page at {@link SearchQuery#cursor()}. A read: any member may answer, and
   * UNAVAILABLE (including INDEX_UNAVAILABLE while the index is being built on a member) is retried on
   * the next member until the overall timeout. An unknown index fails with {@link
   * IndexNotFoundException}.
   */
  public CompletableFuture<SearchPage> search(SearchQuery query) {
    return call(
        CallKind.READ, SearchGrpc.getSearchMethod(), query.toRequest(), r -> toSearchPage(query, r));
  }

  /**
   * Feeds every hit of a search, page after page from {@link SearchQuery#cursor()}, to {@code action}.
   * Pages are fetched one at a time, each after the previous one was consumed. Completes with the number
   * of hits delivered. Past the server's cursor depth (10000 hits by default) the next page fails with
   * {@link InvalidRequestException}.
   */
  public CompletableFuture<Long> searchForEach(SearchQuery query, Consumer<? super SearchHit> action) {
    return searchRest(query, action, 0);
  }

  private CompletableFuture<Long> searchRest(
      SearchQuery query, Consumer<? super SearchHit> action, long delivered) {
    return search(query)
        .thenCompose(
            page -> {
              page.hits().forEach(action);
              long total = delivered + page.hits().size();
              return page.hasNextPage()
                  ? searchRest(query.withCursor(page.nextCursor()), action, total)
                  : CompletableFuture.completedFuture(total);
            });
  }

  private static SearchPage toSearchPage(SearchQuery query, SearchResponse response) {
    long appliedIndex = response.getHeader().getAppliedIndex();
    List<SearchHit> hits =
        response.getHitsList().stream()
            .map(
                hit ->
                    new SearchHit(
                        hit.getKey(),
                        hit.getScore(),
                        hit.getSnippet(),
                        hit.hasKv() ? Optional.of(Entry.of(hit.getKv(), appliedIndex)) : Optional.empty()))
            .toList();
    // total_hits is only computed for these kinds; elsewhere its 0 means "not counted", not "none".
    boolean counted =
        query.kind() == SearchQuery.Kind.FULL_TEXT || query.kind() == SearchQuery.Kind.FILTER_ONLY;
    return new SearchPage(
        hits,
        response.getNextCursor(),
        counted ? OptionalLong.of(response.getTotalHits()) : OptionalLong.empty(),
        appliedIndex);
  }

  /** The status of every member, as seen by whichever member answers. */
  public CompletableFuture<StatusResponse> clusterStatus() {
    return call(
        CallKind.READ,
        ClusterGrpc.getStatusMethod(),
        StatusRequest.getDefaultInstance(),
        Function.identity());
  }

  /**
   * Asks the leader to hand over leadership (to {@code toMember}, or when null to the follower that
   * answered it most recently) and completes with the new leader's id. Routed to the leader like a write.
   */
  public CompletableFuture<String> transferLeadership(String toMember) {
    return call(
        CallKind.WRITE,
        ClusterGrpc.getTransferLeadershipMethod(),
        TransferLeadershipRequest.newBuilder().setToMember(toMember == null ? "" : toMember).build(),
        TransferLeadershipResponse::getNewLeaderId);
  }

  /**
   * Sends a write under a new WriteId and records its final outcome for the session. If the cluster
   * answers that the session expired and no attempt may have been applied, the write is sent once more
   * under a new client id.
   */
  private <Req, Resp, T> CompletableFuture<T> write(
      MethodDescriptor<Req, Resp> method, Function<WriteId, Req> request, Function<Resp, T> result) {
    return write(method, null, request, result);
  }

  /** Like {@link #write(MethodDescriptor, Function, Function)}, in shared Writes calls if {@code pipelined}. */
  private <Req, Resp, T> CompletableFuture<T> write(MethodDescriptor<Req, Resp> method,
      Pipelined<Req, Resp> pipelined, Function<WriteId, Req> request, Function<Resp, T> result) {
    return writeOnce(method, pipelined, request, result)
        .exceptionallyCompose(
            error -> {
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              if (cause instanceof RenewedSession) {
                return writeOnce(method, pipelined, request, result);
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  private <Req, Resp, T> CompletableFuture<T> writeOnce(MethodDescriptor<Req, Resp> method,
      Pipelined<Req, Resp> pipelined, Function<WriteId, Req> request, Function<Resp, T> result) {
    WriteId id = writeIds.next();
    Req sent = request.apply(id);
    CompletableFuture<T> answer = pipelined != null && pipeline.isPresent()
        ? caller.call(CallKind.WRITE, method.getBareMethodName(),
            (endpoint, timeoutNanos) -> pipeline.get().send(endpoint, pipelined.wrap().apply(sent), timeoutNanos)
                .thenApply(r -> unwrap(pipelined, r)))
            .thenApply(result)
        : call(CallKind.WRITE, method, sent, result);
    return answer
        .handle(
            (value, error) -> {
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              writeIds.answered(id, cause == null || cause instanceof NotAnIntegerException
                  || cause instanceof IndexExistsException);
              if (cause instanceof SessionExpiredException expired) {
                writeIds.renew(id);
                if (!expired.outcomeUnknown()) {
                  throw new RenewedSession(expired);
                }
              }
              if (cause != null) {
                throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
              }
              return value;
            });
  }

  private static <Resp> Resp unwrap(Pipelined<?, Resp> pipelined, WritesResponse.Result result) {
    if (result.getOutcomeCase() != pipelined.outcome()) {
      throw Status.INTERNAL.withDescription("the member answered a " + pipelined.outcome() + " write with "
          + result.getOutcomeCase()).asRuntimeException();
    }
    return pipelined.unwrap().apply(result);
  }

  /** Internal signal: the session expired before the write was ever ordered, so it may be re-sent. */
  private static final class RenewedSession extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RenewedSession(SessionExpiredException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  private <Req, Resp, T> CompletableFuture<T> call(
      CallKind kind, MethodDescriptor<Req, Resp> method, Req request, Function<Resp, T> result) {
    return caller
        .call(
            kind,
            method.getBareMethodName(),
            (endpoint, timeoutNanos) ->
                UnaryCalls.call(channels.channel(endpoint), method, request, timeoutNanos))
        .thenApply(result);
  }
}
