package io.quorumkv.statemachine.core;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.Mutation;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.statemachine.storage.KvStore;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The committed values an entry's writes read, fetched from the store in one call before the entry is
 * applied: every put, delete and increment reads its key's previous value (for the create index and
 * version), and one batched lookup costs less than one lookup per key. Keys the entry names in other
 * ways are read from the store when asked. Valid only until the entry is committed.
 */
final class EntryReads {
  private final KvStore store;
  private final Set<ByteString> fetched;
  private final Map<ByteString, StoredValue> found;

  private EntryReads(KvStore store, Set<ByteString> fetched, Map<ByteString, StoredValue> found) {
    this.store = store;
    this.fetched = fetched;
    this.found = found;
  }

  /** Reads, in one store call, the keys that {@code command} (or the writes it coalesces) puts, deletes or increments. */
  static EntryReads prefetch(KvStore store, Command command) {
    Set<ByteString> keys = new LinkedHashSet<>();
    if (command.hasCoalesced()) {
      command.getCoalesced().getWritesList().forEach(write -> addKeys(write, keys));
    } else {
      addKeys(command, keys);
    }
    return new EntryReads(store, keys, store.getAll(keys));
  }

  /** The committed value of {@code key} before this entry. */
  Optional<StoredValue> committed(ByteString key) {
    return fetched.contains(key) ? Optional.ofNullable(found.get(key)) : store.get(key);
  }

  private static void addKeys(Command write, Set<ByteString> keys) {
    switch (write.getOpCase()) {
      case PUT -> keys.add(write.getPut().getKey());
      case DELETE -> keys.add(write.getDelete().getKey());
      case INCREMENT -> keys.add(write.getIncrement().getKey());
      case BATCH -> {
        for (Mutation mutation : write.getBatch().getMutationsList()) {
          if (mutation.hasPut()) {
            keys.add(mutation.getPut().getKey());
          } else if (mutation.hasDelete()) {
            keys.add(mutation.getDelete().getKey());
          }
        }
      }
      default -> { }
    }
  }
}
