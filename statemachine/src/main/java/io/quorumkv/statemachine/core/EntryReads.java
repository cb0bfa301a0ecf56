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
 * The committed state an entry's writes read, fetched from the store in one call before the entry is
 * applied: every put and delete needs its key's previous {@link KeyVersion} (taken from the
 * {@link KeyVersions} where known there), every increment its key's previous value; one batched lookup
 * costs less than one lookup per key. Keys the entry names in other ways are read from the store when
 * asked. Valid only until the entry is committed.
 */
final class EntryReads {
  private final KvStore store;
  private final KeyVersions versions;
  private final Set<ByteString> fetched;
  private final Map<ByteString, StoredValue> found;

  private EntryReads(KvStore store, KeyVersions versions, Set<ByteString> fetched, Map<ByteString, StoredValue> found) {
    this.store = store;
    this.versions = versions;
    this.fetched = fetched;
    this.found = found;
  }

  /**
   * Reads, in one store call, the values of the keys that {@code command} (or the writes it coalesces)
   * increments, and of the keys it puts or deletes whose version {@code versions} does not know.
   */
  static EntryReads prefetch(KvStore store, KeyVersions versions, Command command) {
    Set<ByteString> fetch = new LinkedHashSet<>();
    if (command.hasCoalesced()) {
      command.getCoalesced().getWritesList().forEach(write -> addKeys(write, versions, fetch));
    } else {
      addKeys(command, versions, fetch);
    }
    return new EntryReads(store, versions, fetch, store.getAll(fetch));
  }

  /** The committed value of {@code key} before this entry. */
  Optional<StoredValue> committed(ByteString key) {
    return fetched.contains(key) ? Optional.ofNullable(found.get(key)) : store.get(key);
  }

  /** The committed version of {@code key} before this entry. */
  KeyVersion committedVersion(ByteString key) {
    KeyVersion known = versions.get(key);
    return known != null ? known : KeyVersion.of(committed(key));
  }

  private static void addKeys(Command write, KeyVersions versions, Set<ByteString> fetch) {
    switch (write.getOpCase()) {
      case PUT -> addUnversioned(write.getPut().getKey(), versions, fetch);
      case DELETE -> addUnversioned(write.getDelete().getKey(), versions, fetch);
      case INCREMENT -> fetch.add(write.getIncrement().getKey());
      case BATCH -> {
        for (Mutation mutation : write.getBatch().getMutationsList()) {
          if (mutation.hasPut()) {
            addUnversioned(mutation.getPut().getKey(), versions, fetch);
          } else if (mutation.hasDelete()) {
            addUnversioned(mutation.getDelete().getKey(), versions, fetch);
          }
        }
      }
      default -> { }
    }
  }

  private static void addUnversioned(ByteString key, KeyVersions versions, Set<ByteString> fetch) {
    if (versions.get(key) == null) {
      fetch.add(key);
    }
  }
}
