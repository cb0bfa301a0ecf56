package io.quorumkv.statemachine.core;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.Embedding;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.WriteSet;
import java.util.List;
import java.util.Optional;

/**
 * The key space as one client write sees it while it is being applied: the committed store, overlaid with
 * what earlier writes of the same entry staged, overlaid with what this write has staged so far (so later
 * operations of a batch see earlier ones); the same for search index definitions. Owns the value
 * bookkeeping: create index, mod index and version.
 */
final class StagedState {

  private final KvStore store;
  private final EntryReads committed;
  private final WriteSet entryWrites;
  private final WriteSet writes;
  private final long index;

  /**
   * @param committed the committed values of keys, as of before the entry
   * @param entryWrites what the entry's earlier writes staged (read only here)
   * @param writes where this write stages its own changes
   */
  StagedState(KvStore store, EntryReads committed, WriteSet entryWrites, WriteSet writes, long index) {
    this.store = store;
    this.committed = committed;
    this.entryWrites = entryWrites;
    this.writes = writes;
    this.index = index;
  }

  Optional<StoredValue> get(ByteString key) {
    if (writes.touches(key)) {
      return writes.staged(key);
    }
    return entryWrites.touches(key) ? entryWrites.staged(key) : committed.committed(key);
  }

  /** The version of {@code key} as this write sees it: what {@link #get} would say, without its value. */
  KeyVersion version(ByteString key) {
    if (writes.touches(key)) {
      return KeyVersion.of(writes.staged(key));
    }
    return entryWrites.touches(key) ? KeyVersion.of(entryWrites.staged(key)) : committed.committedVersion(key);
  }

  /**
   * Stages {@code key = value} as written by this entry, without embeddings.
   *
   * @return true if the key was absent before
   */
  boolean put(ByteString key, Value value) {
    return put(key, value, List.of());
  }

  /**
   * Stages {@code key = value} as written by this entry, with the leader's embeddings of the value (any
   * embeddings of the previous value go with it).
   *
   * @return true if the key was absent before
   */
  boolean put(ByteString key, Value value, List<Embedding> embeddings) {
    KeyVersion previous = version(key);
    StoredValue.Builder next = StoredValue.newBuilder().setValue(value).setModIndex(index).addAllEmbeddings(embeddings);
    if (previous.exists()) {
      next.setCreateIndex(previous.createIndex()).setVersion(previous.version() + 1);
    } else {
      next.setCreateIndex(index).setVersion(1);
    }
    writes.put(key, next.build());
    return !previous.exists();
  }

  /**
   * Adds {@code embeddings} to the value of {@code key} if its mod index is still {@code modIndex},
   * replacing embeddings of the same source; the value and its bookkeeping stay as they are.
   *
   * @return true if the key's mod index matched
   */
  boolean attachEmbeddings(ByteString key, long modIndex, List<Embedding> embeddings) {
    Optional<StoredValue> current = get(key);
    if (current.isEmpty() || current.get().getModIndex() != modIndex) {
      return false;
    }
    StoredValue.Builder next = current.get().toBuilder().clearEmbeddings();
    for (Embedding kept : current.get().getEmbeddingsList()) {
      if (embeddings.stream().noneMatch(e -> e.getSource().equals(kept.getSource()))) {
        next.addEmbeddings(kept);
      }
    }
    writes.put(key, next.addAllEmbeddings(embeddings).build());
    return true;
  }

  /** The definition of search index {@code name} as this write sees it. */
  Optional<IndexDefinition> definition(String name) {
    if (writes.touchesDefinition(name)) {
      return writes.stagedDefinition(name);
    }
    return entryWrites.touchesDefinition(name)
        ? entryWrites.stagedDefinition(name)
        : Optional.ofNullable(store.indexDefinitions().get(name));
  }

  /** Stages {@code definition} (its create index is this entry's). */
  void defineIndex(IndexDefinition.Builder definition) {
    writes.defineIndex(definition.setCreateIndex(index).build());
  }

  /** Stages the removal of index {@code name}. */
  void dropIndex(String name) {
    writes.dropIndex(name);
  }

  /**
   * Stages the removal of {@code key}.
   *
   * @return true if the key existed
   */
  boolean delete(ByteString key) {
    boolean existed = version(key).exists();
    if (existed) {
      writes.delete(key);
    }
    return existed;
  }
}
