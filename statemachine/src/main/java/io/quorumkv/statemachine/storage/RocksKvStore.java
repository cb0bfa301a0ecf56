package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.SessionResult;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.statemachine.read.PointRead;
import io.quorumkv.statemachine.read.ReadView;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link KvStore} on RocksDB. Column families: {@code default} maps user keys to {@link StoredValue}s;
 * {@code meta} holds the {@link AppliedIndex}, the log clock and the search {@link IndexDefinition}s (under
 * {@code "index/" + name}); {@code sessions} maps a client id to its
 * {@link ClientSession}; {@code session_results} maps client id + sequence (8 bytes big-endian) to a
 * {@link SessionResult}. Each commit is one {@link WriteBatch}, written with the WAL on and without fsync:
 * the Raft log is the fsynced record, and after a crash Ratis replays what the DB lost.
 */
public final class RocksKvStore implements KvStore {

  /** Below this many sequences a commit deletes kept results one by one, above it with a range tombstone. */
  private static final long POINT_DELETE_LIMIT = 64;

  private static final byte[] META_FAMILY = "meta".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SESSIONS_FAMILY = "sessions".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SESSION_RESULTS_FAMILY = "session_results".getBytes(StandardCharsets.US_ASCII);
  /** Held per-entry results in stores written before sessions existed; dropped at open. */
  private static final byte[] LEGACY_RESULTS_FAMILY = "results".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] APPLIED_KEY = "applied".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LOG_CLOCK_KEY = "log-clock".getBytes(StandardCharsets.US_ASCII);
  /** Meta keys of search index definitions: this prefix + the index name (UTF-8). */
  private static final String INDEX_DEFINITION_PREFIX = "index/";

  static {
    RocksNativeLibrary.load();
  }

  private final NativeResources resources;
  private final RocksDB db;
  private final ColumnFamilyHandle data;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle sessions;
  private final ColumnFamilyHandle sessionResults;
  private final WriteOptions writeOptions;
  // Read side: any use of a native handle. Write side: close. So no native call can race with freeing.
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Set<RocksReadView> openViews = ConcurrentHashMap.newKeySet();
  private volatile AppliedIndex applied;
  /**
   * Odd while a commit (or an advance of the applied index) is being written, and counted up twice by each:
   * a point read that sees the same even value before and after it read exactly the state at {@link #applied}.
   */
  private final AtomicLong writeSequence = new AtomicLong();
  private volatile long logClockMillis;
  // Replaced whole on each change, so readers on other threads see one consistent map.
  private volatile SortedMap<String, IndexDefinition> indexDefinitions;
  private boolean closed; // guarded by lock

  private RocksKvStore(NativeResources resources, RocksDB db, List<ColumnFamilyHandle> handles,
      WriteOptions writeOptions) throws RocksDBException {
    this.resources = resources;
    this.db = db;
    this.data = handles.get(0);
    this.meta = handles.get(1);
    this.sessions = handles.get(2);
    this.sessionResults = handles.get(3);
    this.writeOptions = writeOptions;
    this.applied = readApplied(null);
    byte[] clock = db.get(meta, LOG_CLOCK_KEY);
    this.logClockMillis = clock == null ? 0 : ByteBuffer.wrap(clock).getLong();
    this.indexDefinitions = readIndexDefinitions();
  }

  private SortedMap<String, IndexDefinition> readIndexDefinitions() {
    SortedMap<String, IndexDefinition> definitions = new TreeMap<>();
    byte[] prefix = INDEX_DEFINITION_PREFIX.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator(meta)) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        IndexDefinition definition = parse(IndexDefinition.parser(), it.value());
        definitions.put(definition.getSpec().getName(), definition);
      }
    }
    return Collections.unmodifiableSortedMap(definitions);
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  /**
   * Opens (creating if absent) the store in {@code dir}.
   *
   * @throws StorageException if the directory cannot be created or RocksDB fails to open
   */
  public static RocksKvStore open(Path dir) {
    NativeResources resources = new NativeResources();
    try {
      Files.createDirectories(dir);
      RocksTuning tuning = new RocksTuning(resources);
      List<ColumnFamilyDescriptor> families = new ArrayList<>(families(tuning));
      boolean legacyResults = hasFamily(dir, LEGACY_RESULTS_FAMILY);
      if (legacyResults) {
        families.add(new ColumnFamilyDescriptor(LEGACY_RESULTS_FAMILY, tuning.smallOptions()));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB db = resources.track(RocksDB.open(tuning.dbOptions(), dir.toString(), families, handles));
      handles.forEach(resources::track);
      if (legacyResults) {
        db.dropColumnFamily(handles.get(families.size() - 1));
      }
      WriteOptions writeOptions = resources.track(new WriteOptions().setSync(false).setDisableWAL(false));
      return new RocksKvStore(resources, db, handles, writeOptions);
    } catch (Exception e) {
      try {
        resources.close();
      } catch (RuntimeException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw new StorageException("cannot open RocksDB in " + dir, e);
    }
  }

  /**
   * Reads the last applied entry recorded in the store in {@code dir} (e.g. a {@link #checkpoint}) without
   * changing a byte there: the store is opened read-only and RocksDB's info log goes to this process' log
   * instead of a file in {@code dir}.
   *
   * @throws StorageException if {@code dir} does not hold a readable store
   */
  public static AppliedIndex appliedIndexOf(Path dir) {
    try (NativeResources resources = new NativeResources()) {
      RocksTuning tuning = new RocksTuning(resources);
      DBOptions options = tuning.dbOptions().setCreateIfMissing(false).setCreateMissingColumnFamilies(false);
      options.setLogger(resources.track(new ForwardingRocksLogger(options.infoLogLevel())));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      // Read-only opens may name a subset of the families: only these two exist in every version.
      List<ColumnFamilyDescriptor> families = families(tuning).subList(0, 2);
      RocksDB db = resources.track(RocksDB.openReadOnly(options, dir.toString(), families, handles));
      handles.forEach(resources::track);
      byte[] bytes = db.get(handles.get(1), APPLIED_KEY);
      return bytes == null ? AppliedIndex.getDefaultInstance() : parse(AppliedIndex.parser(), bytes);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the applied index of the store in " + dir, e);
    }
  }

  private static List<ColumnFamilyDescriptor> families(RocksTuning tuning) {
    return List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, tuning.dataOptions()),
        new ColumnFamilyDescriptor(META_FAMILY, tuning.smallOptions()),
        new ColumnFamilyDescriptor(SESSIONS_FAMILY, tuning.smallOptions()),
        new ColumnFamilyDescriptor(SESSION_RESULTS_FAMILY, tuning.smallOptions()));
  }

  private static boolean hasFamily(Path dir, byte[] name) throws RocksDBException {
    if (!Files.exists(dir.resolve("CURRENT"))) {
      return false;
    }
    try (Options options = new Options()) {
      return RocksDB.listColumnFamilies(options, dir.toString()).stream().anyMatch(f -> Arrays.equals(f, name));
    }
  }

  @Override
  public Optional<StoredValue> get(ByteString key) {
    return guarded(() -> {
      byte[] bytes = db.get(data, key.toByteArray());
      return bytes == null ? Optional.empty() : Optional.of(parseStoredValue(bytes));
    });
  }

  /** One MultiGet: RocksDB batches the memtable and table lookups (and JNI crossings) of all the keys. */
  @Override
  public Map<ByteString, StoredValue> getAll(Collection<ByteString> keys) {
    if (keys.isEmpty()) {
      return Map.of(); // RocksDB's MultiGet asserts that it is given keys
    }
    return guarded(() -> {
      List<ByteString> ordered = List.copyOf(keys);
      List<byte[]> raw = new ArrayList<>(ordered.size());
      for (ByteString key : ordered) {
        raw.add(key.toByteArray());
      }
      List<byte[]> values = db.multiGetAsList(Collections.nCopies(raw.size(), data), raw);
      Map<ByteString, StoredValue> found = new HashMap<>(2 * ordered.size());
      for (int i = 0; i < ordered.size(); i++) {
        if (values.get(i) != null) {
          found.put(ordered.get(i), parseStoredValue(values.get(i)));
        }
      }
      return found;
    });
  }

  @Override
  public AppliedIndex applied() {
    return applied;
  }

  @Override
  public long logClockMillis() {
    return logClockMillis;
  }

  @Override
  public SortedMap<String, IndexDefinition> indexDefinitions() {
    return indexDefinitions;
  }

  @Override
  public Optional<SessionResult> sessionResult(ByteString clientId, long sequence) {
    return guarded(() -> {
      byte[] bytes = db.get(sessionResults, resultKey(clientId, sequence));
      return bytes == null ? Optional.empty() : Optional.of(parse(SessionResult.parser(), bytes));
    });
  }

  @Override
  public void forEachSession(BiConsumer<ByteString, ClientSession> action) {
    guarded(() -> {
      try (RocksIterator it = db.newIterator(sessions)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          action.accept(ByteString.copyFrom(it.key()), parse(ClientSession.parser(), it.value()));
        }
        it.status();
      }
      return null;
    });
  }

  @Override
  public void commit(WriteSet writes, SessionWrites sessionWrites, AppliedIndex newApplied, long newLogClockMillis) {
    long previous = applied.getIndex();
    long index = newApplied.getIndex();
    if (index <= previous) {
      throw new IllegalArgumentException("commit of index " + index + " at or below applied " + previous);
    }
    writeSequence.incrementAndGet();
    try {
      writeEntry(writes, sessionWrites, newApplied, newLogClockMillis);
      applied = newApplied;
      logClockMillis = newLogClockMillis;
    } finally {
      writeSequence.incrementAndGet();
    }
    if (!writes.definitionChanges().isEmpty()) {
      SortedMap<String, IndexDefinition> definitions = new TreeMap<>(indexDefinitions);
      for (WriteSet.DefinitionChange change : writes.definitionChanges()) {
        change.definition().ifPresentOrElse(d -> definitions.put(change.name(), d), () -> definitions.remove(change.name()));
      }
      indexDefinitions = Collections.unmodifiableSortedMap(definitions);
    }
  }

  private void writeEntry(WriteSet writes, SessionWrites sessionWrites, AppliedIndex newApplied, long newLogClockMillis) {
    guarded(() -> {
      try (WriteBatch batch = new WriteBatch()) {
        for (WriteSet.Write write : writes.writes()) {
          byte[] key = write.key().toByteArray();
          if (write.value().isPresent()) {
            batch.put(data, key, write.value().get().toByteArray());
          } else {
            batch.delete(data, key);
          }
        }
        for (SessionWrites.Change change : sessionWrites.changes()) {
          stage(batch, change);
        }
        for (WriteSet.DefinitionChange change : writes.definitionChanges()) {
          byte[] key = (INDEX_DEFINITION_PREFIX + change.name()).getBytes(StandardCharsets.UTF_8);
          if (change.definition().isPresent()) {
            batch.put(meta, key, change.definition().get().toByteArray());
          } else {
            batch.delete(meta, key);
          }
        }
        batch.put(meta, APPLIED_KEY, newApplied.toByteArray());
        batch.put(meta, LOG_CLOCK_KEY, ByteBuffer.allocate(Long.BYTES).putLong(newLogClockMillis).array());
        db.write(writeOptions, batch);
      }
      return null;
    });
  }

  private void stage(WriteBatch batch, SessionWrites.Change change) throws RocksDBException {
    if (change instanceof SessionWrites.PutSession put) {
      batch.put(sessions, put.clientId().toByteArray(), put.session().toByteArray());
    } else if (change instanceof SessionWrites.DeleteSession delete) {
      batch.delete(sessions, delete.clientId().toByteArray());
    } else if (change instanceof SessionWrites.PutResult put) {
      batch.put(sessionResults, resultKey(put.clientId(), put.sequence()), put.result().toByteArray());
    } else if (change instanceof SessionWrites.DeleteResults delete) {
      // A sequence without a kept result (never applied) costs a needless tombstone, cheaper than a read.
      if (delete.to() - delete.from() <= POINT_DELETE_LIMIT) {
        for (long sequence = delete.from(); sequence < delete.to(); sequence++) {
          batch.delete(sessionResults, resultKey(delete.clientId(), sequence));
        }
      } else {
        batch.deleteRange(sessionResults, resultKey(delete.clientId(), delete.from()),
            resultKey(delete.clientId(), delete.to()));
      }
    }
  }

  @Override
  public void advanceApplied(AppliedIndex newApplied) {
    long previous = applied.getIndex();
    if (newApplied.getIndex() < previous) {
      throw new IllegalArgumentException(
          "applied index " + newApplied.getIndex() + " below the current " + previous);
    }
    writeSequence.incrementAndGet();
    try {
      guarded(() -> {
        db.put(meta, writeOptions, APPLIED_KEY, newApplied.toByteArray());
        return null;
      });
      applied = newApplied;
    } finally {
      writeSequence.incrementAndGet();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>A RocksDB checkpoint: memtables are flushed, SST files are hard-linked when {@code target} is on
   * the same filesystem, the rest is copied. The WAL goes along, so the checkpoint is consistent across
   * column families even while commits continue.
   */
  @Override
  public AppliedIndex checkpoint(Path target) {
    guarded(() -> {
      try (Checkpoint checkpoint = Checkpoint.create(db)) {
        checkpoint.createCheckpoint(target.toString());
      }
      return null;
    });
    return appliedIndexOf(target);
  }

  /**
   * Without a RocksDB snapshot when no commit ran meanwhile (a snapshot takes the DB mutex twice and a
   * native ReadOptions object per read); through a view otherwise.
   */
  @Override
  public PointRead readKey(ByteString key, boolean keysOnly) {
    long before = writeSequence.get();
    if ((before & 1) == 0) {
      long index = applied.getIndex();
      byte[] bytes = guarded(() -> db.get(data, key.toByteArray()));
      if (writeSequence.get() == before) {
        return new PointRead(bytes == null ? Optional.empty()
            : Optional.of(RocksReadView.toKeyValue(key, parseStoredValue(bytes), keysOnly)), index);
      }
    }
    return KvStore.super.readKey(key, keysOnly);
  }

  @Override
  public ReadView openView() {
    return guarded(() -> {
      Snapshot snapshot = db.getSnapshot();
      ReadOptions readOptions = new ReadOptions().setSnapshot(snapshot);
      RocksReadView view = new RocksReadView(this, snapshot, readOptions,
          readApplied(readOptions).getIndex());
      openViews.add(view);
      return view;
    });
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // Snapshots must be released before the database that owns them.
      openViews.forEach(RocksReadView::releaseNative);
      openViews.clear();
      resources.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A call into RocksDB. */
  @FunctionalInterface
  interface RocksCall<T> {
    T call() throws RocksDBException;
  }

  /**
   * Runs {@code call} while the store is guaranteed to stay open, turning engine errors into
   * {@link StorageException}.
   *
   * @throws IllegalStateException if the store is closed
   */
  <T> T guarded(RocksCall<T> call) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("store is closed");
      }
      return call.call();
    } catch (RocksDBException e) {
      throw new StorageException("RocksDB failure: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Releases {@code view}'s snapshot unless the store already did on close. */
  void release(RocksReadView view) {
    lock.readLock().lock();
    try {
      if (openViews.remove(view)) {
        view.releaseNative();
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public StoreStats stats() {
    lock.readLock().lock();
    try {
      if (closed) {
        return StoreStats.NONE;
      }
      return new StoreStats(summed("rocksdb.total-sst-files-size"), summed("rocksdb.estimate-live-data-size"),
          summed("rocksdb.cur-size-all-mem-tables"), summed("rocksdb.estimate-pending-compaction-bytes"),
          db.getLongProperty("rocksdb.num-running-compactions"), level0Files());
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the store's properties", e);
    } finally {
      lock.readLock().unlock();
    }
  }

  private long summed(String property) throws RocksDBException {
    return db.getAggregatedLongProperty(property);
  }

  /** A string property per column family: not one RocksDB aggregates. */
  private long level0Files() throws RocksDBException {
    long files = 0;
    for (ColumnFamilyHandle family : List.of(data, meta, sessions, sessionResults)) {
      files += Long.parseLong(db.getProperty(family, "rocksdb.num-files-at-level0").trim());
    }
    return files;
  }

  RocksDB db() {
    return db;
  }

  ColumnFamilyHandle dataFamily() {
    return data;
  }

  void releaseSnapshot(Snapshot snapshot) {
    db.releaseSnapshot(snapshot);
  }

  private AppliedIndex readApplied(ReadOptions readOptions) throws RocksDBException {
    byte[] bytes = readOptions == null ? db.get(meta, APPLIED_KEY) : db.get(meta, readOptions, APPLIED_KEY);
    return bytes == null ? AppliedIndex.getDefaultInstance() : parse(AppliedIndex.parser(), bytes);
  }

  static StoredValue parseStoredValue(byte[] bytes) {
    return parse(StoredValue.parser(), bytes);
  }

  private static <T> T parse(com.google.protobuf.Parser<T> parser, byte[] bytes) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StorageException("corrupt record in RocksDB", e);
    }
  }

  private static byte[] resultKey(ByteString clientId, long sequence) {
    ByteBuffer key = ByteBuffer.allocate(clientId.size() + Long.BYTES);
    clientId.copyTo(key);
    return key.putLong(sequence).array();
  }
}
