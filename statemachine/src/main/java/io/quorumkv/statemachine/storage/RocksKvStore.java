package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.statemachine.read.ReadView;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link KvStore} on RocksDB. Column families: {@code default} maps user keys to {@link StoredValue}s,
 * {@code meta} holds the {@link AppliedIndex}, {@code results} maps an entry's index (8 bytes big-endian)
 * to its {@link CommandResult}. Each commit is one {@link WriteBatch}, written with the WAL on and
 * without fsync: the Raft log is the fsynced record, and after a crash Ratis replays what the DB lost.
 */
public final class RocksKvStore implements KvStore {

  /** How many log indexes back results are kept for replies to replayed entries, by default. */
  public static final long DEFAULT_RESULT_RETENTION = 100_000;

  /** Below this many stale results a commit deletes them one by one, above it with a range tombstone. */
  private static final long POINT_DELETE_LIMIT = 64;

  private static final byte[] META_FAMILY = "meta".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESULTS_FAMILY = "results".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] APPLIED_KEY = "applied".getBytes(StandardCharsets.US_ASCII);

  static {
    RocksDB.loadLibrary();
  }

  private final long resultRetention;
  private final NativeResources resources;
  private final RocksDB db;
  private final ColumnFamilyHandle data;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle results;
  private final WriteOptions writeOptions;
  // Read side: any use of a native handle. Write side: close. So no native call can race with freeing.
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Set<RocksReadView> openViews = ConcurrentHashMap.newKeySet();
  private volatile AppliedIndex applied;
  private boolean closed; // guarded by lock

  private RocksKvStore(long resultRetention, NativeResources resources, RocksDB db,
      List<ColumnFamilyHandle> handles, WriteOptions writeOptions) throws RocksDBException {
    this.resultRetention = resultRetention;
    this.resources = resources;
    this.db = db;
    this.data = handles.get(0);
    this.meta = handles.get(1);
    this.results = handles.get(2);
    this.writeOptions = writeOptions;
    this.applied = readApplied(null);
  }

  /** Opens (creating if absent) the store in {@code dir}, keeping the default number of results. */
  public static RocksKvStore open(Path dir) {
    return open(dir, DEFAULT_RESULT_RETENTION);
  }

  /**
   * Opens (creating if absent) the store in {@code dir}.
   *
   * @param resultRetention results are kept for the entries within this many indexes of the last
   *     committed one (at least 1); older ones are deleted as later entries commit
   * @throws StorageException if the directory cannot be created or RocksDB fails to open
   */
  public static RocksKvStore open(Path dir, long resultRetention) {
    if (resultRetention < 1) {
      throw new IllegalArgumentException("resultRetention must be at least 1: " + resultRetention);
    }
    NativeResources resources = new NativeResources();
    try {
      Files.createDirectories(dir);
      RocksTuning tuning = new RocksTuning(resources);
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB db = resources.track(RocksDB.open(tuning.dbOptions(), dir.toString(), families(tuning), handles));
      handles.forEach(resources::track);
      WriteOptions writeOptions = resources.track(new WriteOptions().setSync(false).setDisableWAL(false));
      return new RocksKvStore(resultRetention, resources, db, handles, writeOptions);
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
      RocksDB db = resources.track(RocksDB.openReadOnly(options, dir.toString(), families(tuning), handles));
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
        new ColumnFamilyDescriptor(RESULTS_FAMILY, tuning.smallOptions()));
  }

  @Override
  public Optional<StoredValue> get(ByteString key) {
    return guarded(() -> {
      byte[] bytes = db.get(data, key.toByteArray());
      return bytes == null ? Optional.empty() : Optional.of(parseStoredValue(bytes));
    });
  }

  @Override
  public AppliedIndex applied() {
    return applied;
  }

  @Override
  public Optional<CommandResult> resultAt(long index) {
    return guarded(() -> {
      byte[] bytes = db.get(results, indexKey(index));
      return bytes == null ? Optional.empty() : Optional.of(parse(CommandResult.parser(), bytes));
    });
  }

  @Override
  public void commit(WriteSet writes, AppliedIndex newApplied, CommandResult result) {
    long previous = applied.getIndex();
    long index = newApplied.getIndex();
    if (index <= previous) {
      throw new IllegalArgumentException("commit of index " + index + " at or below applied " + previous);
    }
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
        batch.put(meta, APPLIED_KEY, newApplied.toByteArray());
        batch.put(results, indexKey(index), result.toByteArray());
        pruneResults(batch, previous, index);
        db.write(writeOptions, batch);
      }
      return null;
    });
    applied = newApplied;
  }

  @Override
  public void advanceApplied(AppliedIndex newApplied) {
    long previous = applied.getIndex();
    if (newApplied.getIndex() < previous) {
      throw new IllegalArgumentException(
          "applied index " + newApplied.getIndex() + " below the current " + previous);
    }
    guarded(() -> {
      db.put(meta, writeOptions, APPLIED_KEY, newApplied.toByteArray());
      return null;
    });
    applied = newApplied;
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
   * Deletes the results that fall out of the retention window when moving from {@code previous} to
   * {@code index}. Indexes without results (configuration entries) leave gaps, so the whole span is
   * covered rather than just {@code index - retention}.
   */
  private void pruneResults(WriteBatch batch, long previous, long index) throws RocksDBException {
    long first = Math.max(1, previous - resultRetention + 1);
    long last = index - resultRetention;
    if (last < first) {
      return;
    }
    if (last - first < POINT_DELETE_LIMIT) {
      for (long i = first; i <= last; i++) {
        batch.delete(results, indexKey(i));
      }
    } else {
      batch.deleteRange(results, indexKey(first), indexKey(last + 1));
    }
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

  private static byte[] indexKey(long index) {
    return ByteBuffer.allocate(Long.BYTES).putLong(index).array();
  }
}
