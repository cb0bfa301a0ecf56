package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.read.ReadViewClosedException;
import io.quorumkv.statemachine.read.ScanPage;
import io.quorumkv.statemachine.read.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/** A {@link ReadView} over a RocksDB snapshot of a {@link RocksKvStore}. */
final class RocksReadView implements ReadView {

  private final RocksKvStore store;
  private final Snapshot snapshot;
  private final ReadOptions readOptions;
  private final long appliedIndex;
  // Set by the owning thread (views are single-threaded).
  private boolean closed;
  // Set under the store's lock: read side from close(), write side when the store closes.
  private boolean released;

  RocksReadView(RocksKvStore store, Snapshot snapshot, ReadOptions readOptions, long appliedIndex) {
    this.store = store;
    this.snapshot = snapshot;
    this.readOptions = readOptions;
    this.appliedIndex = appliedIndex;
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public Optional<KeyValue> get(ByteString key, boolean keysOnly) {
    return read(() -> {
      byte[] bytes = store.db().get(store.dataFamily(), readOptions, key.toByteArray());
      return bytes == null
          ? Optional.empty()
          : Optional.of(toKeyValue(key, RocksKvStore.parseStoredValue(bytes), keysOnly));
    });
  }

  @Override
  public ScanPage scan(KeyRange range, int limit, long maxBytes, boolean keysOnly) {
    if (limit < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("limit and maxBytes must be at least 1: " + limit + ", " + maxBytes);
    }
    return read(() -> {
      try (RocksIterator it = store.db().newIterator(store.dataFamily(), readOptions)) {
        it.seek(range.startInclusive().toByteArray());
        List<KeyValue> entries = new ArrayList<>();
        long bytes = 0;
        while (it.isValid() && entries.size() < limit && bytes < maxBytes) {
          ByteString key = ByteString.copyFrom(it.key());
          if (!range.isBeforeEnd(key)) {
            break;
          }
          KeyValue kv = toKeyValue(key, RocksKvStore.parseStoredValue(it.value()), keysOnly);
          entries.add(kv);
          bytes += kv.getSerializedSize();
          it.next();
        }
        boolean hasMore = it.isValid() && range.isBeforeEnd(ByteString.copyFrom(it.key()));
        // An iterator also turns invalid on an I/O error; only status() tells the two apart.
        it.status();
        return new ScanPage(entries, hasMore);
      }
    });
  }

  @Override
  public List<StoredEntry> scanStored(KeyRange range, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    return read(() -> {
      try (RocksIterator it = store.db().newIterator(store.dataFamily(), readOptions)) {
        List<StoredEntry> entries = new ArrayList<>();
        for (it.seek(range.startInclusive().toByteArray()); it.isValid() && entries.size() < limit; it.next()) {
          ByteString key = ByteString.copyFrom(it.key());
          if (!range.isBeforeEnd(key)) {
            break;
          }
          entries.add(new StoredEntry(key, RocksKvStore.parseStoredValue(it.value())));
        }
        it.status();
        return entries;
      }
    });
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      store.release(this);
    }
  }

  /** Frees the native snapshot. Called once, under the store's lock, while the database is still open. */
  void releaseNative() {
    if (!released) {
      released = true;
      store.releaseSnapshot(snapshot);
      readOptions.close();
    }
  }

  /** Runs a read on this view while its store stays open. */
  private <T> T read(RocksKvStore.RocksCall<T> call) {
    try {
      return store.guarded(() -> {
        if (closed || released) {
          throw new ReadViewClosedException("read view is closed");
        }
        return call.call();
      });
    } catch (ReadViewClosedException e) {
      throw e;
    } catch (IllegalStateException e) {
      // The store itself is closed: shut down, or swapped by a snapshot install.
      throw new ReadViewClosedException("read view is closed: " + e.getMessage());
    }
  }

  static KeyValue toKeyValue(ByteString key, StoredValue stored, boolean keysOnly) {
    KeyValue.Builder kv = KeyValue.newBuilder()
        .setKey(key)
        .setCreateIndex(stored.getCreateIndex())
        .setModIndex(stored.getModIndex())
        .setVersion(stored.getVersion());
    if (!keysOnly && stored.hasValue()) {
      kv.setValue(stored.getValue());
    }
    return kv.build();
  }
}
