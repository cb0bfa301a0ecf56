package io.quorumkv.statemachine.read;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.KeyValue;
import java.util.List;
import java.util.Optional;

/**
 * A consistent, read-only, point-in-time view of the local key space: every call sees the same state,
 * whatever is applied after the view was opened.
 *
 * <p>Not thread-safe: use a view from one thread at a time. Close it promptly, since an open view pins
 * storage resources. Once the view or its store is closed or swapped (shutdown, snapshot install), every
 * call fails with {@link ReadViewClosedException}.
 */
public interface ReadView extends AutoCloseable {

  /** Index of the last log entry applied to the state this view reflects (0 for an empty store). */
  long appliedIndex();

  /**
   * Reads one key.
   *
   * @param keysOnly if true, the returned {@link KeyValue} has no value, only key and bookkeeping
   * @return the key with its bookkeeping, or empty if absent
   */
  Optional<KeyValue> get(ByteString key, boolean keysOnly);

  /**
   * Lists keys in {@code [range.startInclusive, range.endExclusive)} in unsigned-lexicographic order
   * (an empty end means unbounded).
   *
   * <p>The page holds at most {@code limit} entries and stops after the entry that makes the sum of the
   * entries' serialized sizes reach or pass {@code maxBytes}; it always holds at least one entry if the
   * range has any. {@link ScanPage#hasMore()} tells whether at least one more
   * key exists in the range after the last one returned.
   *
   * @param limit maximum number of entries, at least 1
   * @param maxBytes soft size bound of the page, at least 1
   * @param keysOnly if true, entries carry no values
   * @throws IllegalArgumentException if {@code limit} or {@code maxBytes} is below 1
   */
  ScanPage scan(KeyRange range, int limit, long maxBytes, boolean keysOnly);

  /**
   * Reads at most {@code limit} keys of {@code range} in order with their records as stored (embeddings
   * included): for rebuilding derived state.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  List<StoredEntry> scanStored(KeyRange range, int limit);

  /** Releases the view. Idempotent. */
  @Override
  void close();
}
