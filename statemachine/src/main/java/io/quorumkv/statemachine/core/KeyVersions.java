package io.quorumkv.statemachine.core;

import com.google.protobuf.ByteString;
import io.quorumkv.statemachine.storage.WriteSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed {@link KeyVersion} of recently written keys, least recently used evicted first once an
 * estimate of its heap use passes a budget. A put or delete of a known key then needs no read of the
 * key's previous value: that RocksDB MultiGet (a memtable skip-list search per key, often an SST block
 * too) was the largest part of applying a batch. Exact, because it learns only what was committed, and
 * a replica whose commit fails stops applying; it belongs to one store. Not thread-safe: the apply thread
 * only.
 */
final class KeyVersions {

  /** Heap per cached key beside the key's bytes: map entry, ByteString, its array header, the version. */
  static final int ENTRY_OVERHEAD_BYTES = 128;

  private final long budgetBytes;
  private final Map<ByteString, KeyVersion> versions = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  /** @param budgetBytes estimated heap the cache may hold; 0 caches nothing */
  KeyVersions(long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  /** The default budget: a sixteenth of the maximum heap, at most 64 MiB. */
  static long defaultBudgetBytes() {
    return Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16);
  }

  /** The committed version of {@code key}, or null if not known here. */
  KeyVersion get(ByteString key) {
    return versions.get(key);
  }

  /** Learns the versions that {@code committed}, just committed to the store, leaves its keys at. */
  void committed(List<WriteSet.Write> committed) {
    if (budgetBytes == 0) {
      return;
    }
    for (WriteSet.Write write : committed) {
      if (versions.put(write.key(), KeyVersion.of(write.value())) == null) {
        bytes += cost(write.key());
      }
    }
    Iterator<Map.Entry<ByteString, KeyVersion>> eldest = versions.entrySet().iterator();
    while (bytes > budgetBytes && eldest.hasNext()) {
      bytes -= cost(eldest.next().getKey());
      eldest.remove();
    }
  }

  /** Number of keys known. */
  int size() {
    return versions.size();
  }

  private static long cost(ByteString key) {
    return key.size() + ENTRY_OVERHEAD_BYTES;
  }
}
