package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.SearchCursor;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.VectorMetric;
import io.quorumkv.statemachine.read.StoredEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One search index: a Lucene index over the keys its definition covers, fed by one indexer thread (live
 * changes) and at most one build (the keys that existed when it was created or reset), searched by any
 * number of threads.
 *
 * <p>The index lives in its own directory and survives restarts: {@link #commit} makes it durable, and
 * a build compares what the directory already holds with the stored data, reindexing only the keys whose
 * {@link StoredRevision} differs and removing the keys no longer stored. A new index's build starts
 * from nothing and indexes every key.
 *
 * <p>While BUILDING, a key the indexer changed is never overwritten by the build (the build's view is
 * older), so live changes and the build may interleave freely. Searches run on the searcher last
 * refreshed; {@link #refresh} makes it reflect everything indexed up to a position.
 */
final class LuceneIndex implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LuceneIndex.class);

  /** Full-text hits each ranking contributes to a hybrid fusion, at least. */
  private static final int MIN_FUSION_DEPTH = 100;
  /** Candidates a k-NN search explores at least (its HNSW beam), whatever the depth asked for. */
  private static final int MIN_KNN_CANDIDATES = 100;
  // A segment this small costs a k-NN search little next to a large one; a merge is not run for it.
  static final int LARGE_SEGMENT_DOCS = 1000;
  // After a merge that took T, the next one starts no sooner than this many T later: a merge over a
  // segment with deletions rebuilds its whole graph, and writes that come in short bursts would otherwise
  // keep a core merging.
  private static final int MERGE_PAUSE_FACTOR = 10;
  private static final double RAM_BUFFER_MB = 32;
  private static final Comparator<ByteString> KEY_ORDER = ByteString.unsignedLexicographicalComparator();

  private final IndexDefinition definition;
  private final IndexSchema schema;
  private final QueryCompiler compiler;
  private final Path dir;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Object refreshLock = new Object();
  // Guarded by this: the build/live-change hand-off and the per-key bookkeeping.
  private Set<ByteString> touchedDuringBuild = new HashSet<>();
  private final Set<ByteString> skippedVectors = new HashSet<>();
  private final Set<ByteString> pendingEmbeddings = new HashSet<>();
  private volatile IndexStats.State state = IndexStats.State.BUILDING;
  // The build is done; the index turns READY once no key waits for an embedding.
  private volatile boolean built; // written holding this
  // While building: what the directory held when the build began, consumed in key order.
  private DirectoryReader buildReader; // guarded by this
  private IndexedKeys indexedBefore; // guarded by this
  private volatile long buildIndexed;
  private volatile long lastChangeNanos = System.nanoTime();
  private volatile boolean changedSinceCommit;
  private long lastCommitNanos = System.nanoTime(); // committer thread only
  private volatile long mergeStartedNanos = -1; // a merge into one segment runs; written by the committer
  private long nextMergeNanos = Long.MIN_VALUE; // committer thread only
  // The position the last commit recorded (see IndexFiles.commitData); at open, that of the files.
  private final long openedAtPosition;
  private volatile long committedPosition;
  private volatile String failure = "";
  private volatile long buildVisited;
  private volatile long searcherPosition = -1;

  /** Opens the index in {@code dir}, with whatever that directory holds (see {@link IndexFiles#reusable}). */
  LuceneIndex(IndexDefinition definition, Path dir) throws IOException {
    this.definition = definition;
    this.schema = new IndexSchema(definition.getSpec());
    this.compiler = new QueryCompiler(schema);
    this.dir = dir;
    this.directory = FSDirectory.open(dir);
    // Every segment is searched on its own (each k-NN search explores MIN_KNN_CANDIDATES per segment): a
    // larger buffer flushes fewer, larger segments (~20k 384-float vectors each) and merges them less.
    IndexWriterConfig config = new IndexWriterConfig(schema.analyzer())
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
        .setRAMBufferSizeMB(RAM_BUFFER_MB);
    IndexWriter opened;
    try {
      opened = new IndexWriter(directory, config);
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
    this.writer = opened;
    Iterable<Map.Entry<String, String>> previous = writer.getLiveCommitData();
    this.openedAtPosition = previous == null ? -1 : IndexFiles.position(previous);
    this.committedPosition = openedAtPosition;
    this.searchers = new SearcherManager(writer, null);
  }

  IndexDefinition definition() {
    return definition;
  }

  String name() {
    return definition.getSpec().getName();
  }

  boolean covers(ByteString key) {
    return schema.covers(key);
  }

  IndexStats.State state() {
    return state;
  }

  /** Indexes the key's new value, or removes it ({@code after} empty). Indexer thread only. */
  synchronized void apply(ByteString key, Optional<StoredValue> after) throws IOException {
    if (touchedDuringBuild != null) {
      touchedDuringBuild.add(key);
    }
    if (after.isPresent()) {
      index(key, after.get());
    } else {
      changed();
      writer.deleteDocuments(IndexSchema.keyTerm(key));
      skippedVectors.remove(key);
      pendingEmbeddings.remove(key);
    }
    readyIfCaughtUp();
  }

  /** Starts the build: notes what the directory holds now. Build thread only, before {@link #build}. */
  synchronized void beginBuild() throws IOException {
    buildReader = DirectoryReader.open(writer);
    indexedBefore = new IndexedKeys(buildReader);
  }

  /**
   * Brings the keys the build found (the next ones of the view, in key order) into the index, unless live
   * changes got to them first: reindexes a key whose document is missing or was indexed from another
   * revision, and removes documents of keys between them that are no longer stored. Build thread only.
   */
  synchronized void build(List<StoredEntry> entries) throws IOException {
    for (StoredEntry entry : entries) {
      IndexedKeys.Entry indexed = takeIndexedUpTo(entry.key());
      if (touchedDuringBuild.contains(entry.key())) {
        continue;
      }
      if (indexed != null && indexed.revision().equals(StoredRevision.of(entry.stored()))) {
        restoreFlags(indexed);
      } else {
        index(entry.key(), entry.stored());
        buildIndexed++;
      }
    }
    buildVisited += entries.size();
  }

  /**
   * Keeps every document the files held when the build began: they are known to match the stored data
   * (see SearchIndexes). Restores what their flags say (pending embeddings, skipped vectors). Build
   * thread only, after {@link #beginBuild}.
   */
  synchronized void keepIndexed() throws IOException {
    while (indexedBefore.peekKey() != null) {
      IndexedKeys.Entry indexed = indexedBefore.next();
      if (!touchedDuringBuild.contains(indexed.key())) {
        restoreFlags(indexed);
      }
    }
  }

  /**
   * Takes the documents held before the build up to {@code key}: removes those before it (no longer
   * stored) and returns the one of {@code key} itself, or null.
   */
  private IndexedKeys.Entry takeIndexedUpTo(ByteString key) throws IOException {
    ByteString next;
    while ((next = indexedBefore.peekKey()) != null) {
      int order = KEY_ORDER.compare(next, key);
      if (order > 0) {
        return null;
      }
      IndexedKeys.Entry indexed = indexedBefore.next();
      if (order == 0) {
        return indexed;
      }
      removeUnlessTouched(indexed.key());
    }
    return null;
  }

  /** What a kept document's mapping gave, as its flags recorded it. */
  private void restoreFlags(IndexedKeys.Entry indexed) {
    mark(skippedVectors, indexed.key(), (indexed.flags() & IndexSchema.FLAG_SKIPPED_VECTOR) != 0);
    mark(pendingEmbeddings, indexed.key(), (indexed.flags() & IndexSchema.FLAG_PENDING_EMBEDDING) != 0);
  }

  private void removeUnlessTouched(ByteString key) throws IOException {
    if (!touchedDuringBuild.contains(key)) {
      changed();
      writer.deleteDocuments(IndexSchema.keyTerm(key));
      skippedVectors.remove(key);
      pendingEmbeddings.remove(key);
      buildIndexed++;
    }
  }

  /**
   * The build is complete: the index is searchable once no key waits for its embedding (a semantic index
   * over keys written before it existed waits for the leader to attach theirs).
   */
  void buildDone() throws IOException {
    synchronized (this) {
      // Documents after the last stored key: no longer stored.
      while (indexedBefore != null && indexedBefore.peekKey() != null) {
        removeUnlessTouched(indexedBefore.next().key());
      }
      closeBuildReader();
    }
    // A search refreshes the searcher only if it is behind the search's position, and searches refused
    // while BUILDING may already have refreshed it up to the current position: make the built documents
    // searchable before the index can turn READY.
    searchers.maybeRefreshBlocking();
    synchronized (this) {
      touchedDuringBuild = null;
      built = true;
      readyIfCaughtUp();
    }
  }

  private void readyIfCaughtUp() {
    if (built && state == IndexStats.State.BUILDING && pendingEmbeddings.isEmpty()) {
      state = IndexStats.State.READY;
    }
  }

  private void index(ByteString key, StoredValue stored) throws IOException {
    changed();
    IndexSchema.Mapped mapped = schema.map(key, stored);
    writer.updateDocument(IndexSchema.keyTerm(key), mapped.document());
    mark(skippedVectors, key, mapped.skippedVector());
    mark(pendingEmbeddings, key, mapped.pendingEmbedding());
  }

  private void changed() {
    lastChangeNanos = System.nanoTime();
    changedSinceCommit = true;
  }

  private static void mark(Set<ByteString> keys, ByteString key, boolean member) {
    if (member) {
      keys.add(key);
    } else {
      keys.remove(key);
    }
  }

  private void closeBuildReader() throws IOException {
    DirectoryReader reader = buildReader;
    buildReader = null;
    indexedBefore = null;
    IOUtils.close(reader);
  }

  /** Keys the build has visited so far. */
  long buildVisited() {
    return buildVisited;
  }

  /** Keys the build has indexed or removed so far. */
  long buildIndexed() {
    return buildIndexed;
  }

  /**
   * Marks the index failed: it answers no more searches on this member, commits no more, and is rebuilt
   * from nothing at the member's next start.
   */
  void fail(String why) throws IOException {
    failure = why;
    state = IndexStats.State.FAILED;
    IndexFiles.markFailed(dir, why);
  }

  /** The position recorded by the files this index was opened on; -1 for new files. */
  long openedAtPosition() {
    return openedAtPosition;
  }

  /**
   * Makes everything indexed so far durable and records that it holds every entry up to
   * {@code position}, which the caller knows (nothing to do if neither changed); not for a FAILED index.
   * Until its build is done the index holds only part of the keys: it records no position then, so the
   * next start compares it with the store.
   */
  void commit(long position) throws IOException {
    if (state == IndexStats.State.FAILED || (!changedSinceCommit && position <= committedPosition
        && !writer.hasUncommittedChanges())) {
      return;
    }
    changedSinceCommit = false;
    long recorded = built ? Math.max(position, committedPosition) : -1;
    writer.setLiveCommitData(IndexFiles.commitData(definition, recorded).entrySet());
    writer.commit();
    committedPosition = recorded;
  }

  /**
   * Commits at {@code position} when due, and says whether it did. Documents changed: once none changed
   * for {@code quietNanos}, or the last commit is {@code maxNanos} old (a commit flushes a segment).
   * Only the position advanced (entries that change no document of this index): at most every
   * {@code quietNanos} (such a commit writes no segment). One thread only (the committer).
   */
  boolean commitIfDue(long position, long nowNanos, long quietNanos, long maxNanos) throws IOException {
    if (state == IndexStats.State.FAILED) {
      return false;
    }
    boolean due = changedSinceCommit
        ? nowNanos - lastChangeNanos >= quietNanos || nowNanos - lastCommitNanos >= maxNanos
        : built && position > committedPosition && nowNanos - lastCommitNanos >= quietNanos;
    if (!due) {
      return false;
    }
    lastCommitNanos = nowNanos;
    commit(position);
    return true;
  }

  /**
   * Merges an index with vectors into one segment once its documents have not changed for
   * {@code idleNanos} and it is saved, if it has more than one large segment: every k-NN search explores
   * each segment's graph on its own (100k vectors in 7 segments: p50 11.6 ms; in one: 2.5 ms), and the
   * writer's own merge policy keeps ~10 segments of a size. Such a merge rebuilds graphs (minutes of CPU at
   * 100k vectors), so it is left to pauses and runs in the background; writes meanwhile go on. A later
   * call sees it done, then commits at {@code position} (which the caller knows the index holds) and
   * refreshes the searcher. One thread only (the committer).
   *
   * @return whether a merge is running after this call
   */
  boolean mergeWhenIdle(long position, long nowNanos, long idleNanos) throws IOException {
    if (state == IndexStats.State.FAILED || !schema.hasVectors()) {
      return false;
    }
    if (mergeStartedNanos >= 0) {
      if (writer.hasPendingMerges() || !writer.getMergingSegments().isEmpty()) {
        return true;
      }
      long took = nowNanos - mergeStartedNanos;
      mergeStartedNanos = -1;
      nextMergeNanos = nowNanos + MERGE_PAUSE_FACTOR * took;
      commit(position);
      refreshNow();
      LOG.info("index {}: merged into {} segment(s) in {} s", name(), segments(),
          TimeUnit.NANOSECONDS.toSeconds(took));
      return false;
    }
    if (!built || changedSinceCommit || nowNanos - lastChangeNanos < idleNanos || nowNanos < nextMergeNanos) {
      return false;
    }
    int large = largeSegments();
    if (large < 2) {
      return false;
    }
    LOG.info("index {}: merging its {} segments into one while idle (each k-NN search explores every segment)",
        name(), segments());
    mergeStartedNanos = nowNanos;
    writer.forceMerge(1, false);
    return true;
  }

  /** Segments of the searcher as of its last refresh. */
  int segments() {
    return withSearcher(searcher -> searcher.getIndexReader().leaves().size());
  }

  private int largeSegments() {
    return withSearcher(searcher -> (int) searcher.getIndexReader().leaves().stream()
        .filter(leaf -> leaf.reader().numDocs() >= LARGE_SEGMENT_DOCS).count());
  }

  /** Up to {@code max} keys whose semantic text waits for an embedding. */
  synchronized List<ByteString> pendingEmbeddings(int max) {
    return pendingEmbeddings.stream().limit(max).toList();
  }

  synchronized IndexStats stats() {
    return new IndexStats(definition, state, documents(), segments(), mergeStartedNanos >= 0, buildVisited, buildIndexed, skippedVectors.size(),
        pendingEmbeddings.size(), failure);
  }

  /**
   * Keys in the index as of the searcher's last refresh (searches refresh it when behind, the periodic
   * commit refreshes it too). Counting never refreshes: a refresh flushes a segment, and listings may
   * come often while an index builds or lags.
   */
  private long documents() {
    return withSearcher(searcher -> (long) searcher.getIndexReader().numDocs());
  }

  private <T> T withSearcher(Function<IndexSearcher, T> read) {
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        return read.apply(searcher);
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the searcher of index " + name(), e);
    }
  }


  /** Refreshes the searcher unless another thread is refreshing it; never waits. */
  void refreshSoon() throws IOException {
    searchers.maybeRefresh();
  }

  /** Refreshes the searcher, waiting for a refresh in progress if any. */
  void refreshNow() throws IOException {
    searchers.maybeRefreshBlocking();
  }

  /**
   * Makes searches reflect at least everything applied to the writer before this call, which the caller
   * knows to be everything up to {@code position}.
   */
  void refresh(long position) throws IOException {
    synchronized (refreshLock) {
      if (searcherPosition >= position) {
        return;
      }
      searchers.maybeRefreshBlocking();
      searcherPosition = position;
    }
  }

  long searcherPosition() {
    return searcherPosition;
  }

  /** Runs {@code query} on the current searcher. */
  SearchResult search(SearchQuery query) throws IOException {
    if (state != IndexStats.State.READY) {
      throw new IndexUnavailableException(unavailability());
    }
    long position = searcherPosition;
    IndexSearcher searcher = searchers.acquire();
    try {
      Query filter = compiler.filters(query.filters());
      if (query.hasText() && query.hasVector()) {
        return hybrid(searcher, query, filter, position);
      }
      if (query.hasText()) {
        return fullText(searcher, query, filter, position);
      }
      if (query.hasVector()) {
        return nearest(searcher, query, filter, position);
      }
      return filtered(searcher, query, filter, position);
    } catch (IndexSearcher.TooManyClauses e) {
      // Parsing checks each boolean query's own clauses; Lucene counts nested clauses only when it runs one.
      throw new InvalidSearchException("query has too many clauses: " + e.getMessage(), e);
    } finally {
      searchers.release(searcher);
    }
  }

  /** Why searches fail now (BUILDING or FAILED). */
  String unavailability() {
    if (state == IndexStats.State.FAILED) {
      return "index " + name() + " failed on this member: " + failure + "; it is rebuilt when the member restarts";
    }
    // No document count here: while building it is that of the last refresh, which says little.
    int pending;
    synchronized (this) {
      pending = pendingEmbeddings.size();
    }
    return "index " + name() + " is being built on this member: " + buildVisited + " keys visited"
        + (pending > 0 ? ", " + pending + " waiting for embeddings" : "") + "; retry later";
  }

  private SearchResult fullText(IndexSearcher searcher, SearchQuery query, Query filter, long position)
      throws IOException {
    Query text = compiler.text(query.text());
    Query combined = new BooleanQuery.Builder().add(text, BooleanClause.Occur.MUST)
        .add(filter, BooleanClause.Occur.FILTER).build();
    Sort sort = new Sort(SortField.FIELD_SCORE, new SortField(IndexSchema.KEY, SortField.Type.STRING));
    SearchCursor cursor = query.cursor();
    FieldDoc after = cursor.getHasAfter() ? new FieldDoc(afterDoc(searcher), cursor.getAfterScore(),
        new Object[] {cursor.getAfterScore(), new BytesRef(cursor.getAfterKey().toByteArray())}) : null;
    TopDocs top = searcher.searchAfter(after, combined, query.topK(), sort, true);
    long total = searcher.count(combined);
    List<ScoreDoc> docs = List.of(top.scoreDocs);
    Map<Integer, String> snippets = snippets(searcher, text, docs);
    List<ByteString> keys = DocKeys.of(searcher, top.scoreDocs);
    List<SearchResult.Hit> hits = new ArrayList<>(docs.size());
    for (int i = 0; i < docs.size(); i++) {
      ScoreDoc doc = docs.get(i);
      hits.add(new SearchResult.Hit(keys.get(i), doc.score, snippets.getOrDefault(doc.doc, "")));
    }
    int offset = cursor.getOffset() + hits.size();
    Optional<SearchCursor> next = hits.size() == query.topK() && offset < total
        ? Optional.of(afterCursor(offset, hits.get(hits.size() - 1))) : Optional.empty();
    return new SearchResult(hits, next, total, position);
  }

  private SearchResult filtered(IndexSearcher searcher, SearchQuery query, Query filter, long position)
      throws IOException {
    Sort sort = new Sort(new SortField(IndexSchema.KEY, SortField.Type.STRING));
    SearchCursor cursor = query.cursor();
    FieldDoc after = cursor.getHasAfter() ? new FieldDoc(afterDoc(searcher), Float.NaN,
        new Object[] {new BytesRef(cursor.getAfterKey().toByteArray())}) : null;
    Query constant = filter instanceof MatchAllDocsQuery ? filter
        : new org.apache.lucene.search.ConstantScoreQuery(filter);
    TopDocs top = searcher.searchAfter(after, constant, query.topK(), sort, false);
    long total = searcher.count(constant);
    List<SearchResult.Hit> hits = DocKeys.of(searcher, top.scoreDocs).stream()
        .map(key -> new SearchResult.Hit(key, 1f, "")).toList();
    int offset = cursor.getOffset() + hits.size();
    Optional<SearchCursor> next = hits.size() == query.topK() && offset < total
        ? Optional.of(afterCursor(offset, hits.get(hits.size() - 1))) : Optional.empty();
    return new SearchResult(hits, next, total, position);
  }

  private SearchResult nearest(IndexSearcher searcher, SearchQuery query, Query filter, long position)
      throws IOException {
    int offset = query.cursor().getOffset();
    int depth = offset + query.topK();
    List<SearchResult.Hit> ranked = knn(searcher, query, filter, depth);
    List<SearchResult.Hit> page = ranked.subList(Math.min(offset, ranked.size()), ranked.size());
    Optional<SearchCursor> next = ranked.size() == depth
        ? Optional.of(SearchCursor.newBuilder().setOffset(depth).build()) : Optional.empty();
    return new SearchResult(page, next, -1, position);
  }

  private SearchResult hybrid(IndexSearcher searcher, SearchQuery query, Query filter, long position)
      throws IOException {
    int offset = query.cursor().getOffset();
    int depth = offset + query.topK();
    int fusionDepth = Math.max(MIN_FUSION_DEPTH, depth);
    Query text = compiler.text(query.text());
    Query combined = new BooleanQuery.Builder().add(text, BooleanClause.Occur.MUST)
        .add(filter, BooleanClause.Occur.FILTER).build();
    Sort sort = new Sort(SortField.FIELD_SCORE, new SortField(IndexSchema.KEY, SortField.Type.STRING));
    TopDocs textTop = searcher.search(combined, fusionDepth, sort, true);
    List<ByteString> textRanking = DocKeys.of(searcher, textTop.scoreDocs);
    Map<ByteString, Integer> docOf = new HashMap<>();
    for (int i = 0; i < textRanking.size(); i++) {
      docOf.put(textRanking.get(i), textTop.scoreDocs[i].doc);
    }
    List<ByteString> vectorRanking = knn(searcher, query, filter, fusionDepth).stream()
        .map(SearchResult.Hit::key).toList();
    List<RankFusion.Fused> fused = RankFusion.reciprocal(List.of(textRanking, vectorRanking), query.rrfK());
    List<RankFusion.Fused> page = fused.subList(Math.min(offset, fused.size()), Math.min(depth, fused.size()));
    List<ScoreDoc> snippetDocs = page.stream().filter(f -> docOf.containsKey(f.key()))
        .map(f -> new ScoreDoc(docOf.get(f.key()), 0)).toList();
    Map<Integer, String> snippets = snippets(searcher, text, snippetDocs);
    List<SearchResult.Hit> hits = page.stream().map(f -> new SearchResult.Hit(f.key(), (float) f.score(),
        docOf.containsKey(f.key()) ? snippets.getOrDefault(docOf.get(f.key()), "") : "")).toList();
    Optional<SearchCursor> next = fused.size() > depth
        ? Optional.of(SearchCursor.newBuilder().setOffset(depth).build()) : Optional.empty();
    return new SearchResult(hits, next, -1, position);
  }

  /** The {@code depth} nearest keys to the query's vector that pass the filter, best first. */
  private List<SearchResult.Hit> knn(IndexSearcher searcher, SearchQuery query, Query filter, int depth)
      throws IOException {
    VectorTarget target = vectorTarget(query);
    // HNSW explores as many candidates as the k it is asked for: a small k (top_k 1..10) misses many true
    // neighbours (even an exact match). Ask for at least MIN_KNN_CANDIDATES and keep the best `depth`.
    int candidates = Math.max(depth, MIN_KNN_CANDIDATES);
    Query knn = new KnnFloatVectorQuery(target.field(), target.vector(), candidates,
        filter instanceof MatchAllDocsQuery ? null : filter);
    TopDocs top = searcher.search(knn, candidates);
    List<ByteString> keys = DocKeys.of(searcher, top.scoreDocs);
    List<SearchResult.Hit> hits = new ArrayList<>(top.scoreDocs.length);
    for (int i = 0; i < top.scoreDocs.length; i++) {
      hits.add(new SearchResult.Hit(keys.get(i), top.scoreDocs[i].score, ""));
    }
    hits.sort(Comparator.comparing(SearchResult.Hit::score).reversed()
        .thenComparing(SearchResult.Hit::key, ByteString.unsignedLexicographicalComparator()));
    return hits.size() > depth ? new ArrayList<>(hits.subList(0, depth)) : hits;
  }

  /** The field a k-NN search runs on, and the query's vector as that field compares vectors. */
  private record VectorTarget(String field, float[] vector) {}

  /** The vector field the query targets, after checking the index has it with the query's dimension. */
  private VectorTarget vectorTarget(SearchQuery query) {
    int dimension;
    String field;
    VectorMetric metric;
    if (query.semantic()) {
      if (!definition.getSpec().hasSemantic()) {
        throw new InvalidSearchException("index " + name() + " has no semantic field");
      }
      field = IndexSchema.SEMANTIC;
      dimension = IndexSchema.SEMANTIC_DIMENSION;
      metric = VectorMetric.COSINE;
    } else {
      if (!definition.getSpec().hasVector()) {
        throw new InvalidSearchException("index " + name() + " has no vector field");
      }
      field = IndexSchema.VECTOR;
      dimension = definition.getSpec().getVector().getDimension();
      metric = schema.vectorMetric();
    }
    if (query.vector().length != dimension) {
      throw new InvalidSearchException("vector has dimension " + query.vector().length + ", index " + name()
          + " expects " + dimension);
    }
    float[] vector = IndexSchema.comparable(query.vector(), metric).orElseThrow(
        () -> new InvalidSearchException("vector must be finite (and not all zeros for cosine)"));
    return new VectorTarget(field, vector);
  }

  private Map<Integer, String> snippets(IndexSearcher searcher, Query text, List<ScoreDoc> docs)
      throws IOException {
    Map<Integer, String> snippets = new HashMap<>();
    if (docs.isEmpty()) {
      return snippets;
    }
    String[] fields = schema.textFields().toArray(String[]::new);
    int[] ids = docs.stream().mapToInt(d -> d.doc).toArray();
    int[] passages = new int[fields.length];
    java.util.Arrays.fill(passages, 1);
    UnifiedHighlighter highlighter = UnifiedHighlighter.builder(searcher, schema.analyzer()).build();
    Map<String, String[]> byField = highlighter.highlightFields(fields, text, ids, passages);
    for (int i = 0; i < ids.length; i++) {
      for (String field : fields) {
        String[] values = byField.get(field);
        if (values != null && values[i] != null && values[i].contains("<b>")) {
          snippets.put(ids[i], values[i]);
          break;
        }
      }
    }
    return snippets;
  }

  /**
   * The doc id of a cursor's "after" position: the last doc id of the reader, so that every doc whose sort
   * values equal the cursor's (only the last hit returned: keys are unique) counts as already returned.
   * Lucene rejects ids at or beyond maxDoc (an empty reader has no hits to skip anyway).
   */
  private static int afterDoc(IndexSearcher searcher) {
    return Math.max(0, searcher.getIndexReader().maxDoc() - 1);
  }

  private static SearchCursor afterCursor(int offset, SearchResult.Hit last) {
    return SearchCursor.newBuilder().setOffset(offset).setHasAfter(true).setAfterScore(last.score())
        .setAfterKey(last.key()).build();
  }

  /**
   * Commits at {@code position} (which the caller knows the index holds) and closes the index, leaving
   * its files for the next start (see {@link #closeAndDelete}).
   */
  void close(long position) throws IOException {
    try {
      commit(position);
    } finally {
      closeWithoutCommit();
    }
  }

  /** Commits the documents changed since the last commit, at the position it recorded, and closes. */
  @Override
  public void close() throws IOException {
    close(committedPosition);
  }

  /**
   * Closes the index, keeping only what was last committed, as a crash would. Rolled back rather than
   * closed: closing would first run every pending merge. A running merge is asked to stop, which it
   * notices only between its steps: building a merged HNSW graph is one step (minutes at 100k vectors).
   */
  void closeWithoutCommit() throws IOException {
    DirectoryReader reader;
    synchronized (this) {
      reader = buildReader;
      buildReader = null;
    }
    if (!writer.getMergingSegments().isEmpty()) {
      LOG.info("index {}: closing once its running merge stops", name());
    }
    IOUtils.close(reader, searchers, writer::rollback, directory);
  }

  /** Closes the index and deletes its files. */
  void closeAndDelete() {
    try {
      closeWithoutCommit();
      IOUtils.rm(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove index " + name() + " in " + dir, e);
    }
  }
}
