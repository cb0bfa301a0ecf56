package io.quorumkv.statemachine;

import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.statemachine.read.ReadView;
import java.util.SortedMap;

/**
 * Derived state fed from the applied log (search indexes): told of every applied entry in log order, and
 * told to start over when the replica's state is replaced wholesale.
 *
 * <p>Both methods run on the thread that applies entries and must return quickly (queue the work): a slow
 * listener stalls the Raft group's apply. They must not throw: a listener that fails degrades itself,
 * never the replica.
 */
public interface AppliedListener {

  /** A listener that ignores everything. */
  AppliedListener NONE = new AppliedListener() {
    @Override
    public void onApplied(AppliedChanges changes) {}

    @Override
    public void onReset(ReadView view, SortedMap<String, IndexDefinition> definitions) {}
  };

  /** The entry at {@code changes.index()} was applied (indexes only grow; a replayed entry may repeat one). */
  void onApplied(AppliedChanges changes);

  /**
   * The replica's state is {@code view} (at {@code view.appliedIndex()}) with these index definitions:
   * at start, and after a snapshot install. Everything derived before is void. The listener owns
   * {@code view} and closes it when done with it; it turns unreadable if the state is replaced again.
   */
  void onReset(ReadView view, SortedMap<String, IndexDefinition> definitions);
}
