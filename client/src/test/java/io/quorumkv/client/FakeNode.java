package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quorumkv.proto.v1.BatchOperation;
import io.quorumkv.proto.v1.BatchRequest;
import io.quorumkv.proto.v1.BatchResponse;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.CreateIndexResponse;
import io.quorumkv.proto.v1.DropIndexRequest;
import io.quorumkv.proto.v1.DropIndexResponse;
import io.quorumkv.proto.v1.DeleteRequest;
import io.quorumkv.proto.v1.DeleteResponse;
import io.quorumkv.proto.v1.ExistsRequest;
import io.quorumkv.proto.v1.ExistsResponse;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.GetResponse;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.IndexStatus;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.MemberStatusRequest;
import io.quorumkv.proto.v1.MemberStatusResponse;
import io.quorumkv.proto.v1.ListIndexesRequest;
import io.quorumkv.proto.v1.ListIndexesResponse;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.PutResponse;
import io.quorumkv.proto.v1.ResponseHeader;
import io.quorumkv.proto.v1.ScanRequest;
import io.quorumkv.proto.v1.ScanResponse;
import io.quorumkv.proto.v1.SearchGrpc;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.StatusRequest;
import io.quorumkv.proto.v1.StatusResponse;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.proto.v1.WritesRequest;
import io.quorumkv.proto.v1.WritesResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A fake QuorumKV member for tests: a real Netty gRPC server on a loopback ephemeral port, serving KV and
 * Cluster from an in-memory map. It deduplicates writes by WriteId like the Ratis retry cache, records
 * every WriteId it receives, and can be told to act as a follower (answering writes with NOT_LEADER and
 * an optional leader hint), to fail the next requests with a given status, or to delay its next answers.
 *
 * <p>It also serves Search: index definitions are kept (CreateIndex/DropIndex as writes, with the real
 * created/exists/dropped rules), ListIndexes reports them as READY unless told otherwise, and Search
 * answers NOT_FOUND for an unknown index, else whatever the {@link #searcher} returns. Every Search
 * service request is recorded.
 */
public final class FakeNode implements AutoCloseable {
  private final String id;
  private final Server server;
  private final NavigableMap<ByteString, KeyValue> store =
      new TreeMap<>(ByteString.unsignedLexicographicalComparator());
  private final Map<WriteId, Object> answeredWrites = new HashMap<>();
  private final List<WriteId> writeIds = Collections.synchronizedList(new ArrayList<>());
  private final Queue<StatusRuntimeException> scriptedFailures = new ConcurrentLinkedQueue<>();
  private final Queue<Duration> scriptedDelays = new ConcurrentLinkedQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger writesCalls = new AtomicInteger();
  private volatile boolean follower;
  private volatile String leaderHint;
  private volatile int maxPageSize = 1000;
  private volatile StatusResponse status = StatusResponse.getDefaultInstance();
  private volatile Member member = Member.getDefaultInstance();
  private long lastIndex;
  private final Map<String, IndexSpec> indexes = new TreeMap<>();
  private final Map<String, IndexStatus> indexStatuses = new HashMap<>();
  private OptionalLong indexPosition = OptionalLong.empty();
  private final List<com.google.protobuf.Message> searchRequests = Collections.synchronizedList(new ArrayList<>());
  private volatile Function<SearchRequest, SearchResponse> searcher = r -> SearchResponse.getDefaultInstance();

  private FakeNode(String id) throws IOException {
    this.id = id;
    this.server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                InsecureServerCredentials.create())
            .addService(new Kv())
            .addService(new Cluster())
            .addService(new Search())
            .build()
            .start();
  }

  public static FakeNode start(String id) throws IOException {
    return new FakeNode(id);
  }

  public String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Makes this node a follower answering writes with NOT_LEADER; {@code hint} may be null (no leader known). */
  public void follow(String hint) {
    this.follower = true;
    this.leaderHint = hint;
  }

  /** The next {@code times} requests (of any kind) fail with this status and error-code trailer. */
  public void failNext(int times, Status.Code code, String errorCode) {
    for (int i = 0; i < times; i++) {
      scriptedFailures.add(error(code, errorCode, null));
    }
  }

  /** Like {@link #failNext(int, Status.Code, String)}, with this status description. */
  public void failNext(int times, Status.Code code, String errorCode, String description) {
    for (int i = 0; i < times; i++) {
      scriptedFailures.add(error(code, errorCode, null, description));
    }
  }

  /** How Search answers for a defined index; the fake sets the header if the response has none. */
  public void searcher(Function<SearchRequest, SearchResponse> searcher) {
    this.searcher = searcher;
  }

  /** ListIndexes reports this status (its spec filled in from the definition) for the index it names. */
  public synchronized void indexStatus(String name, IndexStatus status) {
    indexStatuses.put(name, status);
  }

  /** ListIndexes reports this index position (by default: the applied index, no lag). */
  public synchronized void indexPosition(long position) {
    indexPosition = OptionalLong.of(position);
  }

  /** Every request the Search service received, in order. */
  public List<com.google.protobuf.Message> searchRequests() {
    synchronized (searchRequests) {
      return List.copyOf(searchRequests);
    }
  }

  /** The Search service requests of one type, in order. */
  public <T extends com.google.protobuf.Message> List<T> searchRequests(Class<T> type) {
    return searchRequests().stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Defines an index directly, as if its CreateIndex had been applied. */
  public synchronized void defineIndex(IndexSpec spec) {
    indexes.put(spec.getName(), spec);
  }

  public synchronized Map<String, IndexSpec> indexes() {
    return Map.copyOf(indexes);
  }

  /** The next request is executed at once but answered after {@code delay}, like a slow network. */
  public void delayNextAnswer(Duration delay) {
    scriptedDelays.add(delay);
  }

  public void maxPageSize(int maxPageSize) {
    this.maxPageSize = maxPageSize;
  }

  public void status(StatusResponse status) {
    this.status = status;
  }

  /** What MemberStatus answers (this member as it sees itself). */
  public void memberStatus(Member member) {
    this.member = member;
  }

  public int requests() {
    return requests.get();
  }

  /** KV.Writes calls received (each of their writes also counts as a request). */
  public int writesCalls() {
    return writesCalls.get();
  }

  public List<WriteId> writeIds() {
    synchronized (writeIds) {
      return List.copyOf(writeIds);
    }
  }

  public synchronized Map<ByteString, KeyValue> store() {
    return Map.copyOf(store);
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  public static StatusRuntimeException error(Status.Code code, String errorCode, String leaderEndpoint) {
    return error(code, errorCode, leaderEndpoint, "fake " + code);
  }

  public static StatusRuntimeException error(
      Status.Code code, String errorCode, String leaderEndpoint, String description) {
    Metadata trailers = new Metadata();
    if (errorCode != null) {
      trailers.put(Failure.ERROR_CODE, errorCode);
    }
    if (leaderEndpoint != null) {
      trailers.put(Failure.LEADER_ENDPOINT, leaderEndpoint);
    }
    return Status.fromCode(code).withDescription(description).asRuntimeException(trailers);
  }

  /**
   * Runs one request: scripted failure, follower refusal, deduplicated execution, scripted delay. A write
   * passes its WriteId, a read null.
   */
  @SuppressWarnings("unchecked")
  private <T> void handle(WriteId writeId, StreamObserver<T> observer, Supplier<T> action) {
    requests.incrementAndGet();
    if (writeId != null) {
      writeIds.add(writeId);
    }
    StatusRuntimeException failure = scriptedFailures.poll();
    if (failure == null && writeId != null && follower) {
      failure = error(Status.Code.UNAVAILABLE, "NOT_LEADER", leaderHint);
    }
    if (failure != null) {
      observer.onError(failure);
      return;
    }
    T answer;
    try {
      synchronized (this) {
        answer = writeId == null ? action.get() : (T) answeredWrites.computeIfAbsent(writeId, w -> action.get());
      }
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    }
    Duration delay = scriptedDelays.poll();
    if (delay != null) {
      sleep(delay);
    }
    observer.onNext(answer);
    observer.onCompleted();
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The one answer of a call run in-process. */
  private static final class Captured<T> implements StreamObserver<T> {
    T value;
    Throwable error;

    @Override
    public void onNext(T value) {
      this.value = value;
    }

    @Override
    public void onError(Throwable error) {
      this.error = error;
    }

    @Override
    public void onCompleted() {}
  }

  private ResponseHeader header() {
    return ResponseHeader.newBuilder()
        .setClusterId("fake")
        .setMemberId(id)
        .setRaftTerm(1)
        .setAppliedIndex(lastIndex)
        .build();
  }

  /** Applies a put under the lock; returns whether the key was created. */
  private boolean applyPut(ByteString key, Value value, long index) {
    KeyValue old = store.get(key);
    store.put(
        key,
        KeyValue.newBuilder()
            .setKey(key)
            .setValue(value)
            .setCreateIndex(old == null ? index : old.getCreateIndex())
            .setModIndex(index)
            .setVersion(old == null ? 1 : old.getVersion() + 1)
            .build());
    return old == null;
  }

  private final class Kv extends KVGrpc.KVImplBase {
    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
      handle(
          request.getWriteId(),
          observer,
          () -> {
            boolean created = applyPut(request.getKey(), request.getValue(), ++lastIndex);
            return PutResponse.newBuilder().setHeader(header()).setCreated(created).build();
          });
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> observer) {
      handle(
          null,
          observer,
          () -> {
            KeyValue kv = store.get(request.getKey());
            GetResponse.Builder response = GetResponse.newBuilder().setHeader(header());
            return kv == null ? response.build() : response.setFound(true).setKv(kv).build();
          });
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<DeleteResponse> observer) {
      handle(
          request.getWriteId(),
          observer,
          () -> {
            lastIndex++;
            boolean deleted = store.remove(request.getKey()) != null;
            return DeleteResponse.newBuilder().setHeader(header()).setDeleted(deleted).build();
          });
    }

    @Override
    public void exists(ExistsRequest request, StreamObserver<ExistsResponse> observer) {
      handle(
          null,
          observer,
          () ->
              ExistsResponse.newBuilder()
                  .setHeader(header())
                  .setExists(store.containsKey(request.getKey()))
                  .build());
    }

    @Override
    public void increment(IncrementRequest request, StreamObserver<IncrementResponse> observer) {
      handle(
          request.getWriteId(),
          observer,
          () -> {
            KeyValue old = store.get(request.getKey());
            long current;
            try {
              current = old == null ? 0 : Long.parseLong(old.getValue().getText());
            } catch (NumberFormatException e) {
              throw error(Status.Code.FAILED_PRECONDITION, "NOT_AN_INTEGER", null);
            }
            long next = current + request.getDelta();
            applyPut(request.getKey(), Values.text(Long.toString(next)), ++lastIndex);
            return IncrementResponse.newBuilder().setHeader(header()).setValue(next).build();
          });
    }

    /** Each write runs as the single call of its kind would, failures included (scripted ones too). */
    @Override
    public void writes(WritesRequest request, StreamObserver<WritesResponse> observer) {
      writesCalls.incrementAndGet();
      WritesResponse.Builder response = WritesResponse.newBuilder();
      for (WritesRequest.Write write : request.getWritesList()) {
        response.addResults(switch (write.getOpCase()) {
          case PUT -> this.<PutResponse>resultOf(o -> put(write.getPut(), o), WritesResponse.Result.Builder::setPut);
          case DELETE ->
              this.<DeleteResponse>resultOf(o -> delete(write.getDelete(), o), WritesResponse.Result.Builder::setDelete);
          case INCREMENT -> this.<IncrementResponse>resultOf(
              o -> increment(write.getIncrement(), o), WritesResponse.Result.Builder::setIncrement);
          case OP_NOT_SET -> throw new IllegalArgumentException("empty write");
        });
      }
      observer.onNext(response.build());
      observer.onCompleted();
    }

    private <T> WritesResponse.Result resultOf(
        Consumer<StreamObserver<T>> call, BiConsumer<WritesResponse.Result.Builder, T> set) {
      Captured<T> captured = new Captured<>();
      call.accept(captured);
      WritesResponse.Result.Builder result = WritesResponse.Result.newBuilder();
      if (captured.error == null) {
        set.accept(result, captured.value);
        return result.build();
      }
      Status status = Status.fromThrowable(captured.error);
      Metadata trailers = Status.trailersFromThrowable(captured.error);
      WritesResponse.WriteError.Builder error = WritesResponse.WriteError.newBuilder()
          .setStatusCode(status.getCode().value())
          .setMessage(status.getDescription() == null ? "" : status.getDescription());
      if (trailers != null && trailers.get(Failure.ERROR_CODE) != null) {
        error.setErrorCode(trailers.get(Failure.ERROR_CODE));
      }
      if (trailers != null && trailers.get(Failure.LEADER_ENDPOINT) != null) {
        error.setLeaderEndpoint(trailers.get(Failure.LEADER_ENDPOINT));
      }
      return result.setError(error).build();
    }

    @Override
    public void batch(BatchRequest request, StreamObserver<BatchResponse> observer) {
      handle(
          request.getWriteId(),
          observer,
          () -> {
            if (request.getOperationsCount() == 0) {
              throw error(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", null);
            }
            long index = ++lastIndex;
            int deleted = 0;
            for (BatchOperation op : request.getOperationsList()) {
              if (op.hasPut()) {
                applyPut(op.getPut().getKey(), op.getPut().getValue(), index);
              } else if (store.remove(op.getDelete().getKey()) != null) {
                deleted++;
              }
            }
            return BatchResponse.newBuilder()
                .setHeader(header())
                .setAppliedOperations(request.getOperationsCount())
                .setDeletedKeys(deleted)
                .build();
          });
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> observer) {
      handle(null, observer, () -> scanPage(request));
    }
  }

  /** Pages by key: the token is the last key returned. */
  private ScanResponse scanPage(ScanRequest request) {
    ByteString from = request.getPageToken().isEmpty() ? request.getStart() : request.getPageToken();
    boolean inclusive = request.getPageToken().isEmpty();
    int limit = Math.min(request.getLimit() == 0 ? 1000 : request.getLimit(), maxPageSize);
    ScanResponse.Builder response = ScanResponse.newBuilder().setHeader(header());
    ByteString last = null;
    for (KeyValue kv : store.tailMap(from, inclusive).values()) {
      ByteString key = kv.getKey();
      if (!request.getEnd().isEmpty()
          && ByteString.unsignedLexicographicalComparator().compare(key, request.getEnd()) >= 0) {
        break;
      }
      if (!key.startsWith(request.getPrefix())) {
        continue;
      }
      if (response.getKvsCount() == limit) {
        response.setNextPageToken(last);
        break;
      }
      response.addKvs(request.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
      last = key;
    }
    return response.build();
  }

  private final class Cluster extends ClusterGrpc.ClusterImplBase {
    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
      handle(null, observer, () -> status.toBuilder().setHeader(header()).build());
    }

    @Override
    public void memberStatus(MemberStatusRequest request, StreamObserver<MemberStatusResponse> observer) {
      handle(null, observer, () -> MemberStatusResponse.newBuilder().setHeader(header()).setMember(member).build());
    }
  }

  private final class Search extends SearchGrpc.SearchImplBase {
    @Override
    public void createIndex(CreateIndexRequest request, StreamObserver<CreateIndexResponse> observer) {
      searchRequests.add(request);
      handle(
          request.getWriteId(),
          observer,
          () -> {
            IndexSpec spec = request.getSpec();
            IndexSpec existing = indexes.get(spec.getName());
            if (existing != null && !existing.equals(spec)) {
              throw error(Status.Code.ALREADY_EXISTS, "INDEX_EXISTS", null, "index " + spec.getName() + " exists");
            }
            lastIndex++;
            indexes.put(spec.getName(), spec);
            return CreateIndexResponse.newBuilder().setHeader(header()).setCreated(existing == null).build();
          });
    }

    @Override
    public void dropIndex(DropIndexRequest request, StreamObserver<DropIndexResponse> observer) {
      searchRequests.add(request);
      handle(
          request.getWriteId(),
          observer,
          () -> {
            lastIndex++;
            boolean dropped = indexes.remove(request.getName()) != null;
            return DropIndexResponse.newBuilder().setHeader(header()).setDropped(dropped).build();
          });
    }

    @Override
    public void listIndexes(ListIndexesRequest request, StreamObserver<ListIndexesResponse> observer) {
      searchRequests.add(request);
      handle(
          null,
          observer,
          () -> {
            ResponseHeader header = header();
            ListIndexesResponse.Builder response =
                ListIndexesResponse.newBuilder().setHeader(header)
                    .setIndexPosition(indexPosition.orElse(header.getAppliedIndex()));
            for (IndexSpec spec : indexes.values()) {
              IndexStatus status = indexStatuses.get(spec.getName());
              if (status == null) {
                long documents =
                    store.keySet().stream().filter(k -> k.startsWith(spec.getKeyPrefix())).count();
                status =
                    IndexStatus.newBuilder()
                        .setState(IndexStatus.State.READY)
                        .setDocuments(documents)
                        .build();
              }
              response.addIndexes(status.toBuilder().setSpec(spec));
            }
            return response.build();
          });
    }

    @Override
    public void search(SearchRequest request, StreamObserver<SearchResponse> observer) {
      searchRequests.add(request);
      handle(
          null,
          observer,
          () -> {
            if (!indexes.containsKey(request.getIndex())) {
              throw error(
                  Status.Code.NOT_FOUND, "INDEX_NOT_FOUND", null, "no index named " + request.getIndex());
            }
            SearchResponse response = searcher.apply(request);
            return response.hasHeader() ? response : response.toBuilder().setHeader(header()).build();
          });
    }
  }
}
