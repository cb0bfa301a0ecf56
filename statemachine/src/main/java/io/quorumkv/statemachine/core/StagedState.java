package io.quorumkv.statemachine.core;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.WriteSet;
import java.util.Optional;

/**
 * The key space as one client write sees it while it is being applied: the committed store, overlaid with
 * what earlier writes of the same entry staged, overlaid with what this write has staged so far (so later
 * operations of a batch see earlier ones). Owns the value bookkeeping: create index, mod index and version.
 */
final class StagedState {

  private final KvStore store;
  private final WriteSet entryWrites;
  private final WriteSet writes;
  private final long index;

  /**
   * @param entryWrites what the entry's earlier writes staged (read only here)
   * @param writes where this write stages its own changes
   */
  StagedState(KvStore store, WriteSet entryWrites, WriteSet writes, long index) {
    this.store = store;
    this.entryWrites = entryWrites;
    this.writes = writes;
    this.index = index;
  }

  Optional<StoredValue> get(ByteString key) {
    if (writes.touches(key)) {
      return writes.staged(key);
    }
    return entryWrites.touches(key) ? entryWrites.staged(key) : store.get(key);
  }

  /**
   * Stages {@code key = value} as written by this entry.
   *
   * @return true if the key was absent before
   */
  boolean put(ByteString key, Value value) {
    Optional<StoredValue> previous = get(key);
    StoredValue.Builder next = StoredValue.newBuilder().setValue(value).setModIndex(index);
    if (previous.isPresent()) {
      next.setCreateIndex(previous.get().getCreateIndex()).setVersion(previous.get().getVersion() + 1);
    } else {
      next.setCreateIndex(index).setVersion(1);
    }
    writes.put(key, next.build());
    return previous.isEmpty();
  }

  /**
   * Stages the removal of {@code key}.
   *
   * @return true if the key existed
   */
  boolean delete(ByteString key) {
    boolean existed = get(key).isPresent();
    if (existed) {
      writes.delete(key);
    }
    return existed;
  }
}
