package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.AttachEmbeddingsOp;
import io.quorumkv.proto.internal.BatchOp;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.CreateIndexOp;
import io.quorumkv.proto.internal.DeleteOp;
import io.quorumkv.proto.internal.DropIndexOp;
import io.quorumkv.proto.internal.Embedding;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.KeyEmbeddings;
import io.quorumkv.proto.internal.Mutation;
import io.quorumkv.proto.internal.PutOp;
import io.quorumkv.proto.internal.SearchCursor;
import io.quorumkv.proto.internal.SessionResult;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.NumericRange;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.statemachine.core.KvCore;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.read.ScanPage;
import io.quorumkv.statemachine.read.StoredEntry;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.RocksKvStore;
import io.quorumkv.statemachine.storage.SessionWrites;
import io.quorumkv.statemachine.storage.StoreStats;
import io.quorumkv.statemachine.storage.WriteSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.lucene.util.IOUtils;

/**
 * A replica's state machine core with its search indexes, on a real RocksDB store and real Lucene indexes
 * in a temporary directory, driven entry by entry as the Raft apply thread would drive it. Builds can be
 * held ({@link #holdBuilds}) to observe and interleave with an index's BUILDING state deterministically.
 */
final class SearchFixture implements AutoCloseable {

  static final long TERM = 1;
  static final long TIMEOUT_MILLIS = 30_000;

  private final Path dir;
  private final GatedStore store = new GatedStore();
  private RocksKvStore rocks;
  private KvCore core;
  private SearchIndexes indexes;
  private long lastIndex;
  private List<Command> sinceCheckpoint; // see checkpoint

  private SearchFixture(Path dir) {
    this.dir = dir;
  }

  /** Opens a fresh (or the existing) state in {@code dir} and resets the indexes from it. */
  static SearchFixture open(Path dir) {
    SearchFixture fixture = new SearchFixture(dir);
    fixture.indexes = newIndexes(dir);
    fixture.openStore();
    return fixture;
  }

  /** Commits only after builds and at close, so that a test decides what a crash leaves uncommitted. */
  private static SearchIndexes newIndexes(Path dir) {
    return new SearchIndexes(dir.resolve("search"), false);
  }

  private void openStore() {
    rocks = RocksKvStore.open(dir.resolve("data"));
    lastIndex = rocks.applied().getIndex();
    core = new KvCore(store, indexes);
    indexes.onReset(store.openView(), store.indexDefinitions());
  }

  SearchIndexes indexes() {
    return indexes;
  }

  KvStore store() {
    return store;
  }

  long lastIndex() {
    return lastIndex;
  }

  // ---- writes ----

  CommandResult apply(Command command) {
    if (sinceCheckpoint != null) {
      sinceCheckpoint.add(command);
    }
    return core.apply(command, TERM, ++lastIndex);
  }

  long put(String key, Value value) {
    apply(put(key, value, List.of()));
    return lastIndex;
  }

  long putJson(String key, String json) {
    return put(key, Value.newBuilder().setJson(json).build());
  }

  long putText(String key, String text) {
    return put(key, Value.newBuilder().setText(text).build());
  }

  long delete(String key) {
    apply(Command.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key(key))).build());
    return lastIndex;
  }

  /** Puts every entry, in batches (one log entry per batch). */
  long putAll(Map<String, Value> values) {
    BatchOp.Builder batch = BatchOp.newBuilder();
    for (Map.Entry<String, Value> entry : values.entrySet()) {
      batch.addMutations(Mutation.newBuilder().setPut(PutOp.newBuilder().setKey(key(entry.getKey()))
          .setValue(entry.getValue())));
      if (batch.getMutationsCount() == 500) {
        apply(Command.newBuilder().setBatch(batch).build());
        batch = BatchOp.newBuilder();
      }
    }
    if (batch.getMutationsCount() > 0) {
      apply(Command.newBuilder().setBatch(batch).build());
    }
    return lastIndex;
  }

  CommandResult createIndex(IndexSpec spec) {
    return apply(Command.newBuilder().setCreateIndex(CreateIndexOp.newBuilder().setSpec(spec)).build());
  }

  CommandResult dropIndex(String name) {
    return apply(Command.newBuilder().setDropIndex(DropIndexOp.newBuilder().setName(name)).build());
  }

  CommandResult attach(List<KeyEmbeddings> keys) {
    return apply(Command.newBuilder().setAttachEmbeddings(AttachEmbeddingsOp.newBuilder().addAllKeys(keys)).build());
  }

  StoredValue stored(String key) {
    return store.get(key(key)).orElseThrow();
  }

  static Command put(String key, Value value, List<Embedding> embeddings) {
    return Command.newBuilder().setPut(PutOp.newBuilder().setKey(key(key)).setValue(value)
        .addAllEmbeddings(embeddings)).build();
  }

  static Embedding semanticEmbedding(float[] vector) {
    Embedding.Builder embedding = Embedding.newBuilder().setSource("").setModel(SemanticTexts.MODEL);
    for (float v : vector) {
      embedding.addVector(v);
    }
    return embedding.build();
  }

  // ---- index state ----

  /** Waits until the indexes reflect everything applied so far. */
  void awaitIndexed() {
    try {
      indexes.awaitPosition(lastIndex).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("index position did not reach " + lastIndex + " (at " + indexes.position() + ")", e);
    }
  }

  /** The index's stats, its document count reflecting everything applied so far. */
  Optional<IndexStats> stats(String name) {
    awaitIndexed();
    try {
      indexes.refreshAll();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return indexes.list().stream().filter(s -> s.definition().getSpec().getName().equals(name)).findFirst();
  }

  /** Polls (no fixed sleep) until index {@code name} exists and its stats pass {@code condition}. */
  IndexStats awaitStats(String name, Predicate<IndexStats> condition, String what) {
    awaitIndexed();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    IndexStats last = null;
    while (System.nanoTime() < deadline) {
      last = stats(name).orElse(null);
      if (last != null && condition.test(last)) {
        // Again, so that the document count is refreshed after what the condition saw.
        return stats(name).orElseThrow();
      }
      if (last != null && last.state() == IndexStats.State.FAILED) {
        throw new AssertionError("index " + name + " FAILED: " + last.failure());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    throw new AssertionError("index " + name + " never became " + what + "; last stats " + last);
  }

  IndexStats awaitReady(String name) {
    return awaitStats(name, s -> s.state() == IndexStats.State.READY, "READY");
  }

  // ---- searches ----

  /** Searches as of everything applied so far. */
  SearchResult search(SearchQuery query) {
    return searchAt(query, lastIndex);
  }

  SearchResult searchAt(SearchQuery query, long index) {
    try {
      indexes.awaitPosition(index).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("index position did not reach " + index, e);
    }
    SearchResult result = indexes.search(query, index);
    if (result.position() < index) {
      throw new AssertionError("result reflects " + result.position() + ", below " + index);
    }
    if (result.hits().size() > query.topK()) {
      throw new AssertionError(result.hits().size() + " hits on a page of " + query.topK());
    }
    return result;
  }

  /** Every hit of {@code query}, following the cursor page by page (each key must appear once). */
  List<SearchResult.Hit> searchAll(SearchQuery query) {
    List<SearchResult.Hit> all = new ArrayList<>();
    Set<ByteString> seen = new HashSet<>();
    SearchCursor cursor = query.cursor();
    for (int page = 0; page < 10_000; page++) {
      SearchResult result = search(with(query, cursor));
      for (SearchResult.Hit hit : result.hits()) {
        if (!seen.add(hit.key())) {
          throw new AssertionError("key " + hit.key().toStringUtf8() + " returned twice (page " + page + ")");
        }
        all.add(hit);
      }
      if (result.nextCursor().isEmpty()) {
        return all;
      }
      cursor = result.nextCursor().get();
    }
    throw new AssertionError("too many pages");
  }

  static SearchQuery with(SearchQuery q, SearchCursor cursor) {
    return new SearchQuery(q.index(), q.text(), q.vector(), q.semantic(), q.filters(), q.topK(), cursor, q.rrfK());
  }

  // ---- restarts ----

  /**
   * Restarts the replica on its stored state: closes the store, reopens it with a new core and resets the
   * indexes from it; with {@code newIndexes} also closes the search indexes and opens new ones on the same
   * directory (a process restart), else keeps them (a snapshot install).
   */
  void restart(boolean newIndexes) {
    awaitIndexed();
    rocks.close();
    if (newIndexes) {
      indexes.close();
      indexes = newIndexes(dir);
    }
    reopenStore();
  }

  /**
   * Restarts as after a crash: the search indexes keep only what they last committed (at their last build
   * or clean close), while the store keeps everything applied.
   */
  void crashAndRestart() {
    awaitIndexed();
    rocks.close();
    indexes.closeWithoutCommit();
    indexes = newIndexes(dir);
    reopenStore();
  }

  /**
   * Copies the store as it is now into {@code target} (which must not exist) and records the commands
   * applied from now on, for {@link #restartOnCheckpoint}.
   */
  void checkpoint(Path target) {
    rocks.checkpoint(target);
    sinceCheckpoint = new ArrayList<>();
  }

  /**
   * Restarts the process on the store copied by {@link #checkpoint}, with the search index files as they
   * are now (ahead of the store, as when RocksDB lost writes its WAL had not synced), then applies again
   * the commands applied since the checkpoint, as Raft replays the entries the store lacks.
   */
  void restartOnCheckpoint(Path checkpoint) {
    awaitIndexed();
    rocks.close();
    indexes.close();
    indexes = newIndexes(dir);
    try {
      IOUtils.rm(dir.resolve("data"));
      Files.move(checkpoint, dir.resolve("data"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Command> replay = sinceCheckpoint;
    sinceCheckpoint = null;
    openStore();
    replay.forEach(this::apply);
    apply(Command.getDefaultInstance());
    awaitIndexed();
  }

  private void reopenStore() {
    openStore();
    // The reset is queued: an entry after it (one that changes nothing) tells when the indexer took it.
    apply(Command.getDefaultInstance());
    awaitIndexed();
  }

  // ---- builds held ----

  /** Makes every build wait before it reads the state, until {@link #releaseBuilds}. */
  void holdBuilds() {
    store.gate = new CountDownLatch(1);
  }

  void releaseBuilds() {
    store.gate.countDown();
  }

  @Override
  public void close() {
    releaseBuilds();
    indexes.close();
    rocks.close();
  }

  // ---- helpers ----

  static ByteString key(String key) {
    return ByteString.copyFromUtf8(key);
  }

  static List<String> keys(List<SearchResult.Hit> hits) {
    return hits.stream().map(h -> h.key().toStringUtf8()).toList();
  }

  static List<String> keys(SearchResult result) {
    return keys(result.hits());
  }

  static Filter eq(String field, String value) {
    return Filter.newBuilder().setField(field).setEquals(value).build();
  }

  /** A range filter; a null bound is open. */
  static Filter range(String field, Double min, boolean minExclusive, Double max, boolean maxExclusive) {
    NumericRange.Builder range = NumericRange.newBuilder().setMinExclusive(minExclusive).setMaxExclusive(maxExclusive);
    if (min != null) {
      range.setMin(min);
    }
    if (max != null) {
      range.setMax(max);
    }
    return Filter.newBuilder().setField(field).setRange(range).build();
  }

  static Q on(String index) {
    return new Q(index);
  }

  /** A SearchQuery builder with the server's defaults. */
  static final class Q {
    private final String index;
    private String text = "";
    private float[] vector;
    private boolean semantic;
    private final List<Filter> filters = new ArrayList<>();
    private int topK = 10;
    private int rrfK = 60;

    private Q(String index) {
      this.index = index;
    }

    Q text(String text) {
      this.text = text;
      return this;
    }

    Q vector(float[] vector) {
      this.vector = vector;
      return this;
    }

    Q semantic(float[] vector) {
      this.vector = vector;
      this.semantic = true;
      return this;
    }

    Q filter(Filter filter) {
      filters.add(filter);
      return this;
    }

    Q filters(List<Filter> more) {
      filters.addAll(more);
      return this;
    }

    Q topK(int topK) {
      this.topK = topK;
      return this;
    }

    Q rrfK(int rrfK) {
      this.rrfK = rrfK;
      return this;
    }

    SearchQuery build() {
      return new SearchQuery(index, text, vector, semantic, filters, topK, SearchCursor.getDefaultInstance(), rrfK);
    }
  }

  /** The RocksDB store, whose views can hold builds at their first read. */
  private final class GatedStore implements KvStore {
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public Optional<StoredValue> get(ByteString key) {
      return rocks.get(key);
    }

    @Override
    public StoreStats stats() {
      return rocks.stats();
    }

    @Override
    public AppliedIndex applied() {
      return rocks.applied();
    }

    @Override
    public long logClockMillis() {
      return rocks.logClockMillis();
    }

    @Override
    public SortedMap<String, IndexDefinition> indexDefinitions() {
      return rocks.indexDefinitions();
    }

    @Override
    public Optional<SessionResult> sessionResult(ByteString clientId, long sequence) {
      return rocks.sessionResult(clientId, sequence);
    }

    @Override
    public void forEachSession(BiConsumer<ByteString, ClientSession> action) {
      rocks.forEachSession(action);
    }

    @Override
    public void commit(WriteSet writes, SessionWrites sessions, AppliedIndex applied, long logClockMillis) {
      rocks.commit(writes, sessions, applied, logClockMillis);
    }

    @Override
    public void advanceApplied(AppliedIndex applied) {
      rocks.advanceApplied(applied);
    }

    @Override
    public AppliedIndex checkpoint(Path target) {
      return rocks.checkpoint(target);
    }

    @Override
    public ReadView openView() {
      ReadView view = rocks.openView();
      CountDownLatch viewGate = gate;
      return new ReadView() {
        @Override
        public long appliedIndex() {
          return view.appliedIndex();
        }

        @Override
        public Optional<KeyValue> get(ByteString key, boolean keysOnly) {
          return view.get(key, keysOnly);
        }

        @Override
        public ScanPage scan(KeyRange range, int limit, long maxBytes, boolean keysOnly) {
          return view.scan(range, limit, maxBytes, keysOnly);
        }

        @Override
        public List<StoredEntry> scanStored(KeyRange range, int limit) {
          try {
            viewGate.await(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return view.scanStored(range, limit);
        }

        @Override
        public void close() {
          view.close();
        }
      };
    }

    @Override
    public void close() {
      rocks.close();
    }
  }
}
