package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.statemachine.AppliedChanges;
import io.quorumkv.statemachine.AppliedIndexWaiters;
import io.quorumkv.statemachine.AppliedListener;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.read.ReadViewClosedException;
import io.quorumkv.statemachine.read.StoredEntry;
import io.quorumkv.statemachine.storage.WriteSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.util.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's search indexes, fed from the applied log: the {@link AppliedListener} that keeps one
 * {@link LuceneIndex} per index definition in step with the data, and the entry point of searches.
 *
 * <p>Threads: the apply thread only queues what it hears. One indexer thread applies the queue in log
 * order to every index and then advances the <em>position</em> (every entry up to it is in the index
 * writers). One builder thread fills new indexes (created, or after a reset) from a view of the state
 * they started at, while live changes keep flowing. Searches run on the caller's thread: they wait for
 * the position to reach their read index ({@link #awaitPosition}), then refresh the index's searcher if
 * it is behind and search it ({@link #search}).
 *
 * <p>A failure inside one index marks that index FAILED; the other indexes and the position go on.
 *
 * <p>Each index keeps its files in a directory of its own under the root, committed (with the position
 * they hold) once its indexing pauses for {@value #COMMIT_WHEN_QUIET_SECONDS} s (at least every
 * {@value #COMMIT_AT_LEAST_EVERY_SECONDS} s under steady writes), after each build and at close. A commit
 * flushes a segment, and every segment costs each k-NN search a graph search of its own: committing on a
 * short timer under a bulk load would cut the index into many small segments. For the same reason an
 * index with vectors is merged into one segment once its documents have not changed for
 * {@value #MERGE_WHEN_IDLE_SECONDS} s. A reset (start, snapshot install) reopens the files of every
 * index it still defines: files saved at or past the state it resets to are kept as they are (a clean
 * stop, or a crash after indexing had paused); others are compared with the stored state key by key and
 * only the keys that changed are reindexed (from the stored data and its stored embeddings: nothing is
 * re-embedded). The files of indexes it no longer defines are deleted.
 */
public final class SearchIndexes implements AppliedListener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SearchIndexes.class);
  private static final int MAX_TASKS_PER_BATCH = 1024;
  private static final int BUILD_CHUNK = 1000;
  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
  static final long COMMIT_WHEN_QUIET_SECONDS = 5;
  static final long COMMIT_AT_LEAST_EVERY_SECONDS = 300;
  static final long MERGE_WHEN_IDLE_SECONDS = 30;
  private static final long DRAIN_ON_CLOSE_SECONDS = 5;

  private sealed interface Task permits Applied, Reset {}

  /** An applied entry; {@code view} is set when it created indexes (their build reads it). */
  private record Applied(AppliedChanges changes, ReadView view) implements Task {}

  private record Reset(ReadView view, SortedMap<String, IndexDefinition> definitions) implements Task {}

  private final Path root;
  private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final Thread indexer;
  private final ExecutorService builder = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "quorumkv-index-builder");
    thread.setDaemon(true);
    return thread;
  });
  private final ScheduledExecutorService committer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "quorumkv-index-committer");
    thread.setDaemon(true);
    return thread;
  });
  // Held by the indexer while it applies a batch, so a reader of `position` knows the writers hold it.
  private final ReentrantLock batchLock = new ReentrantLock();
  private final AppliedIndexWaiters positionWaiters = new AppliedIndexWaiters("quorumkv-search-waiters");
  // Replaced whole by the indexer thread; read by searches.
  private volatile Map<String, LuceneIndex> indexes = Map.of();
  private volatile long position;
  private volatile boolean closed;

  /**
   * Indexes kept under {@code root} (created if absent; at each reset, what it holds is reused for the
   * indexes the reset defines, the rest deleted).
   */
  public SearchIndexes(Path root) {
    this(root, true);
  }

  /** Without {@code timedCommits}, indexes commit only after builds and at close (tests). */
  SearchIndexes(Path root, boolean timedCommits) {
    this.root = root;
    this.indexer = new Thread(this::runIndexer, "quorumkv-indexer");
    indexer.setDaemon(true);
    indexer.start();
    if (timedCommits) {
      committer.scheduleWithFixedDelay(this::commitDue, 1, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public void onApplied(AppliedChanges changes) {
    boolean creates = changes.definitionChanges().stream().anyMatch(c -> c.definition().isPresent());
    queue.add(new Applied(changes, creates ? changes.viewAfter().get() : null));
  }

  @Override
  public void onReset(ReadView view, SortedMap<String, IndexDefinition> definitions) {
    queue.add(new Reset(view, definitions));
  }

  /** The index position: every applied entry up to it is in the indexes (searchable after a refresh). */
  public long position() {
    return position;
  }

  /**
   * Completes once the position reaches {@code index}, on a small internal thread (chain heavy work
   * with an executor); exceptionally if this closes first, or at once with
   * {@link io.quorumkv.statemachine.TooManyWaitersException} if too many distinct indexes are awaited.
   */
  public CompletableFuture<Void> awaitPosition(long index) {
    return positionWaiters.await(index);
  }

  /**
   * Searches as of at least {@code atLeast}, which the position must have reached.
   *
   * @throws IndexNotFoundException if the index does not exist
   * @throws IndexUnavailableException if it is being built or failed on this member
   * @throws InvalidSearchException if the search does not fit the index
   * @throws IllegalStateException if the position is below {@code atLeast}
   */
  public SearchResult search(SearchQuery query, long atLeast) {
    if (position < atLeast) {
      throw new IllegalStateException("index position " + position + " is below " + atLeast);
    }
    LuceneIndex index = indexes.get(query.index());
    if (index == null) {
      throw new IndexNotFoundException("no index named " + query.index());
    }
    if (index.state() != IndexStats.State.READY) {
      // Before any refresh: a refresh flushes a segment, and refusals may come often while an index builds.
      throw new IndexUnavailableException(index.unavailability());
    }
    try {
      if (index.searcherPosition() < atLeast) {
        index.refresh(capturedPosition());
      }
      return index.search(query);
    } catch (AlreadyClosedException e) {
      throw new IndexUnavailableException("index " + query.index() + " was just dropped or reset; retry");
    } catch (IOException e) {
      throw new UncheckedIOException("search of index " + query.index() + " failed", e);
    }
  }

  /** Makes every index's searcher, and so its document count, reflect everything indexed so far. Tests. */
  void refreshAll() throws IOException {
    for (LuceneIndex index : indexes.values()) {
      index.refreshNow();
    }
  }

  /**
   * The state of every index on this member, by name; document counts as of each searcher's last refresh
   * (searches refresh when behind, and every commit refreshes).
   */
  public List<IndexStats> list() {
    return indexes.values().stream().map(LuceneIndex::stats)
        .sorted(Comparator.comparing(s -> s.definition().getSpec().getName())).toList();
  }

  /** Per semantic index, up to {@code max} keys whose semantic text waits for an embedding. */
  public Map<IndexDefinition, List<ByteString>> pendingEmbeddings(int max) {
    Map<IndexDefinition, List<ByteString>> pending = new LinkedHashMap<>();
    for (LuceneIndex index : indexes.values()) {
      if (index.definition().getSpec().hasSemantic() && index.state() != IndexStats.State.FAILED) {
        List<ByteString> keys = index.pendingEmbeddings(max);
        if (!keys.isEmpty()) {
          pending.put(index.definition(), keys);
        }
      }
    }
    return pending;
  }

  private long capturedPosition() {
    batchLock.lock();
    try {
      return position;
    } finally {
      batchLock.unlock();
    }
  }

  private void runIndexer() {
    List<Task> batch = new ArrayList<>();
    while (!closed) {
      try {
        // Polled, not taken: close stops the thread by the flag, since an interrupt during Lucene I/O
        // closes the index's files under it.
        Task first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_TASKS_PER_BATCH - 1);
      } catch (InterruptedException e) {
        return;
      }
      long reached;
      batchLock.lock();
      try {
        for (Task task : batch) {
          process(task);
        }
        reached = position;
      } finally {
        batchLock.unlock();
      }
      batch.clear();
      positionWaiters.advance(reached);
    }
  }

  private void process(Task task) {
    long reached = task instanceof Applied applied ? applied.changes().index() : ((Reset) task).view().appliedIndex();
    try {
      if (task instanceof Applied applied) {
        apply(applied);
      } else {
        reset((Reset) task);
      }
    } catch (RuntimeException e) {
      LOG.error("indexer: failed to process the entry at {}; continuing", reached, e);
    } finally {
      // Even past a bug: a position that stopped would hang every search.
      position = Math.max(position, reached);
    }
  }

  private void apply(Applied applied) {
    AppliedChanges changes = applied.changes();
    if (!changes.definitionChanges().isEmpty()) {
      changeDefinitions(changes.definitionChanges(), applied.view());
    }
    for (LuceneIndex index : indexes.values()) {
      if (index.state() == IndexStats.State.FAILED) {
        continue;
      }
      try {
        for (WriteSet.Write write : changes.writes()) {
          if (index.covers(write.key())) {
            index.apply(write.key(), write.value());
          }
        }
      } catch (IOException | RuntimeException e) {
        failIndex(index, "indexing entry " + changes.index() + " failed: " + e);
      }
    }
  }

  private void changeDefinitions(List<WriteSet.DefinitionChange> definitionChanges, ReadView view) {
    Map<String, LuceneIndex> next = new HashMap<>(indexes);
    List<LuceneIndex> created = new ArrayList<>();
    for (WriteSet.DefinitionChange change : definitionChanges) {
      LuceneIndex old = next.remove(change.name());
      if (old != null) {
        dropQuietly(old);
        LOG.info("index {}: dropped", change.name());
      }
      change.definition().ifPresent(definition -> {
        LuceneIndex index = open(definition, false);
        if (index != null) {
          next.put(change.name(), index);
          created.add(index);
        }
      });
    }
    indexes = Map.copyOf(next);
    if (view != null) {
      startBuild(created, view);
    }
  }

  private void reset(Reset reset) {
    for (LuceneIndex index : indexes.values()) {
      closeKeepingFiles(index);
    }
    indexes = Map.of();
    deleteUndefined(reset.definitions().values());
    Map<String, LuceneIndex> next = new HashMap<>();
    for (IndexDefinition definition : reset.definitions().values()) {
      LuceneIndex index = open(definition, true);
      if (index != null) {
        next.put(definition.getSpec().getName(), index);
      }
    }
    indexes = Map.copyOf(next);
    if (!next.isEmpty()) {
      LOG.info("search indexes: bringing {} up to the stored data at index {}", next.keySet(),
          reset.view().appliedIndex());
    }
    startBuild(List.copyOf(next.values()), reset.view());
  }

  private Path dirOf(IndexDefinition definition) {
    return root.resolve(definition.getSpec().getName() + "-" + definition.getCreateIndex());
  }

  /** Deletes whatever the root holds besides the directories of {@code definitions}. */
  private void deleteUndefined(Collection<IndexDefinition> definitions) {
    Set<Path> kept = definitions.stream().map(this::dirOf).collect(Collectors.toSet());
    try {
      Files.createDirectories(root);
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : children.filter(c -> !kept.contains(c)).toList()) {
          IOUtils.rm(child);
        }
      }
    } catch (IOException e) {
      LOG.error("search indexes: cannot clear stale files in {}: {}", root, e.toString());
    }
  }

  /**
   * The index of {@code definition} on its directory: with the files a previous run committed if
   * {@code reuse} and they fit (see {@link IndexFiles#reusable}), else empty; null if the files cannot be
   * opened even empty (logged).
   */
  private LuceneIndex open(IndexDefinition definition, boolean reuse) {
    String name = definition.getSpec().getName();
    Path dir = dirOf(definition);
    try {
      if (reuse && IndexFiles.reusable(dir, definition)) {
        try {
          return new LuceneIndex(definition, dir);
        } catch (IOException | RuntimeException e) {
          LOG.warn("index {}: cannot reopen {} ({}); rebuilding it", name, dir, e.toString());
        }
      }
      IOUtils.rm(dir);
      Files.createDirectories(dir);
      return new LuceneIndex(definition, dir);
    } catch (IOException e) {
      LOG.error("index {}: cannot open {}: {}", name, dir, e.toString());
      return null;
    }
  }

  /** Fills {@code targets} from {@code view} on the builder thread, then closes the view. */
  private void startBuild(List<LuceneIndex> targets, ReadView view) {
    if (targets.isEmpty()) {
      view.close();
      return;
    }
    builder.execute(() -> {
      try {
        for (LuceneIndex index : targets) {
          build(index, view);
        }
      } finally {
        view.close();
      }
    });
  }

  private void build(LuceneIndex index, ReadView view) {
    long start = System.nanoTime();
    long lastProgress = start;
    KeyRange range = KeyRange.prefix(index.definition().getSpec().getKeyPrefix());
    ByteString from = range.startInclusive();
    try {
      index.beginBuild();
      if (index.openedAtPosition() >= view.appliedIndex()) {
        keepFiles(index, view, start);
        return;
      }
      while (!closed && index.state() == IndexStats.State.BUILDING) {
        List<StoredEntry> entries = view.scanStored(new KeyRange(from, range.endExclusive()), BUILD_CHUNK);
        if (entries.isEmpty()) {
          break;
        }
        index.build(entries);
        from = entries.get(entries.size() - 1).key().concat(ByteString.copyFrom(new byte[] {0}));
        if (System.nanoTime() - lastProgress > PROGRESS_EVERY_NANOS) {
          lastProgress = System.nanoTime();
          LOG.info("index {}: building, {} keys visited, {} indexed", index.name(), index.buildVisited(),
              index.buildIndexed());
        }
      }
      if (closed) {
        return; // the next start carries on from what the close commits
      }
      index.buildDone();
      index.commit(capturedPosition());
      IndexStats stats = index.stats();
      if (stats.buildVisited() == 0 && stats.buildIndexed() == 0) {
        return; // a new index over no keys: nothing worth a line
      }
      LOG.info("index {}: built, {} documents ({} indexed or removed, the rest kept from its files) in {} ms{}",
          index.name(), stats.documents(), stats.buildIndexed(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          stats.pendingEmbeddings() > 0 ? "; " + stats.pendingEmbeddings() + " keys wait for embeddings" : "");
    } catch (ReadViewClosedException | AlreadyClosedException e) {
      // The state was replaced (install) or the index dropped: a reset or the drop supersedes this build.
      LOG.debug("index {}: build stopped: {}", index.name(), e.toString());
    } catch (IOException | RuntimeException e) {
      failIndex(index, "build failed: " + e);
    }
  }

  /**
   * The index's files hold every entry up to a position at or past the state it resets to: they match
   * that state, since the store applies an entry before the indexes hear of it. (Files ahead of the
   * store, after RocksDB lost writes its WAL had not synced, converge as Raft replays those entries.)
   * Nothing is read from the store; the documents' flags restore what waits for embeddings.
   */
  private void keepFiles(LuceneIndex index, ReadView view, long start) throws IOException {
    index.keepIndexed();
    index.buildDone();
    LOG.info("index {}: its files hold the stored data at index {} (saved at {}): {} documents kept, nothing"
        + " reindexed, in {} ms", index.name(), view.appliedIndex(), index.openedAtPosition(),
        index.stats().documents(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private void failIndex(LuceneIndex index, String why) {
    if (closed) {
      return; // interrupted Lucene I/O at shutdown, not a failure of the index
    }
    if (index.state() != IndexStats.State.FAILED) {
      LOG.error("index {}: {}; the index answers no searches on this member until it restarts", index.name(), why);
      try {
        index.fail(why);
      } catch (IOException e) {
        LOG.warn("index {}: cannot mark its files for a rebuild: {}", index.name(), e.toString());
      }
    }
  }

  /**
   * Commits every index whose commit is due (see the class comment) and refreshes its searcher (so that
   * listings count its documents), and merges idle vector indexes ({@link LuceneIndex#mergeWhenIdle}):
   * the committer thread's round, every second.
   */
  private void commitDue() {
    long position = capturedPosition();
    long now = System.nanoTime();
    for (LuceneIndex index : indexes.values()) {
      try {
        if (index.commitIfDue(position, now, TimeUnit.SECONDS.toNanos(COMMIT_WHEN_QUIET_SECONDS),
            TimeUnit.SECONDS.toNanos(COMMIT_AT_LEAST_EVERY_SECONDS))) {
          index.refreshSoon();
        }
        index.mergeWhenIdle(position, now, TimeUnit.SECONDS.toNanos(MERGE_WHEN_IDLE_SECONDS));
      } catch (AlreadyClosedException e) {
        // dropped or reset meanwhile
      } catch (IOException | RuntimeException e) {
        LOG.warn("index {}: commit failed: {}", index.name(), e.toString());
      }
    }
  }

  /** Closes {@code index}, committing at the position (indexer thread, or once it stopped). */
  private void closeKeepingFiles(LuceneIndex index) {
    try {
      index.close(position);
    } catch (IOException | RuntimeException e) {
      LOG.warn("index {}: close failed: {}", index.name(), e.toString());
    }
  }

  private static void dropQuietly(LuceneIndex index) {
    try {
      index.closeAndDelete();
    } catch (RuntimeException e) {
      LOG.warn("index {}: {}", index.name(), e.toString());
    }
  }

  /** Stops the threads and commits and closes every index; pending waits fail. */
  @Override
  public void close() {
    closeIndexes(true);
  }

  /** Like {@link #close} but without committing: leaves on disk what a crash would. For tests. */
  void closeWithoutCommit() {
    closeIndexes(false);
  }

  private void closeIndexes(boolean commit) {
    if (commit) {
      // What is queued is applied (the state machine has stopped by now): then the commit records a
      // position at the store's, and the next start keeps the files as they are.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_ON_CLOSE_SECONDS);
      while (!queue.isEmpty() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
    // The threads stop at the flag (a build between chunks); none is interrupted during Lucene I/O.
    closed = true;
    committer.shutdown();
    builder.shutdown();
    try {
      indexer.join(TimeUnit.SECONDS.toMillis(10));
      builder.awaitTermination(10, TimeUnit.SECONDS);
      committer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    positionWaiters.close();
    for (LuceneIndex index : indexes.values()) {
      try {
        if (commit) {
          index.close(position);
        } else {
          index.closeWithoutCommit();
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("index {}: close failed: {}", index.name(), e.toString());
      }
    }
  }
}
