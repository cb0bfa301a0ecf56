package io.quorumkv.statemachine;

import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.storage.WriteSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one applied log entry changed: each key's value before and after the entry, and the search index
 * definitions it created or dropped. Entries that change nothing (failures, repeats, replays of entries
 * the store already held, Raft configuration entries) have empty lists: they still advance the position.
 *
 * @param viewAfter opens a view of the state right after this entry; only valid during
 *     {@link AppliedListener#onApplied} (the apply thread moves on afterwards). The caller closes the view.
 */
public record AppliedChanges(long term, long index, List<WriteSet.Write> writes,
    List<WriteSet.DefinitionChange> definitionChanges, Supplier<ReadView> viewAfter) {

  /** An entry at ({@code term}, {@code index}) that changed nothing. */
  public static AppliedChanges none(long term, long index) {
    return new AppliedChanges(term, index, List.of(), List.of(), () -> {
      throw new IllegalStateException("no view for an entry that changed nothing");
    });
  }

  /** Whether the entry changed no key and no index definition. */
  public boolean isEmpty() {
    return writes.isEmpty() && definitionChanges.isEmpty();
  }
}
