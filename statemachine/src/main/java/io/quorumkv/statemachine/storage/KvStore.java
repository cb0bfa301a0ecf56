package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.SessionResult;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.statemachine.read.PointRead;
import io.quorumkv.statemachine.read.ReadView;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.BiConsumer;

/**
 * The durable state of one replica: user keys, the last applied log entry, the log clock, the client
 * sessions with their kept results, and the search index definitions.
 * Engine-neutral: no storage-engine type appears here, so the deterministic core can be driven by any
 * implementation.
 *
 * <p>Writes come from a single thread (the apply thread); {@link #openView()} and the views it returns
 * may be used from other threads concurrently. Every method may throw {@link StorageException} on an
 * engine failure, and {@link IllegalStateException} once the store is closed.
 */
public interface KvStore extends AutoCloseable {

  /** The committed value of {@code key}, or empty if absent. */
  Optional<StoredValue> get(ByteString key);

  /**
   * The committed values of {@code keys} (distinct), as {@link #get} would read them one by one; absent
   * keys have no entry in the returned map. Engines that can batch the lookups do it in one call.
   */
  default Map<ByteString, StoredValue> getAll(Collection<ByteString> keys) {
    Map<ByteString, StoredValue> found = new HashMap<>();
    for (ByteString key : keys) {
      get(key).ifPresent(value -> found.put(key, value));
    }
    return found;
  }

  /** The engine's current figures (sizes, compactions), for metrics. */
  StoreStats stats();

  /** The last committed (term, index); both 0 for a store that has never committed. */
  AppliedIndex applied();

  /** The log clock (milliseconds) as of the last commit; 0 for a store that has never committed. */
  long logClockMillis();

  /** The committed search index definitions by name (an unmodifiable map; a commit replaces it). */
  SortedMap<String, IndexDefinition> indexDefinitions();

  /** The kept result of {@code clientId}'s write {@code sequence}, or empty if none is kept. */
  Optional<SessionResult> sessionResult(ByteString clientId, long sequence);

  /** Feeds every session header to {@code action}, in client-id order. For loading them at start. */
  void forEachSession(BiConsumer<ByteString, ClientSession> action);

  /**
   * Atomically and durably (as far as the engine's write-ahead log goes) applies {@code writes} (keys and
   * index definitions) and
   * {@code sessions}, and records {@code applied} as the last applied entry and {@code logClockMillis} as
   * the log clock. Either all of it becomes visible or none of it.
   *
   * @throws IllegalArgumentException if {@code applied.index} is not above {@link #applied()}'s index
   */
  void commit(WriteSet writes, SessionWrites sessions, AppliedIndex applied, long logClockMillis);

  /**
   * Records {@code applied} as the last applied entry without changing any key or result: for log entries
   * that carry no command (Raft configuration and metadata entries), so that the store can claim to hold
   * everything up to them. Single-threaded like {@link #commit}.
   *
   * @throws IllegalArgumentException if {@code applied.index} is below {@link #applied()}'s index
   */
  void advanceApplied(AppliedIndex applied);

  /**
   * Writes a consistent, self-contained copy of the committed state into {@code target}, sharing
   * immutable files with the live store where the filesystem allows. May run on any thread, concurrently
   * with {@link #commit}: the copy holds some prefix of the commits, never part of one.
   *
   * @param target directory to create; it must not exist, its parent must
   * @return the last applied entry as recorded inside the copy (so it agrees with the copy's data)
   */
  AppliedIndex checkpoint(Path target);

  /** Opens a consistent view of the committed state as of now. The caller must close it. */
  ReadView openView();

  /**
   * Reads one key of the committed state as of now, with the applied index of exactly that state. Engines
   * that can do it without opening a view (its snapshot) do.
   *
   * @param keysOnly if true, the returned {@link io.quorumkv.proto.v1.KeyValue} has no value
   * @throws IllegalStateException if the store is closed, also while the read runs
   */
  default PointRead readKey(ByteString key, boolean keysOnly) {
    try (ReadView view = openView()) {
      return new PointRead(view.get(key, keysOnly), view.appliedIndex());
    }
  }

  /** Closes the store and every view still open on it. Idempotent. */
  @Override
  void close();
}
