package io.quorumkv.statemachine.core;

import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.DeleteOp;
import io.quorumkv.proto.internal.DeleteResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.PutOp;
import io.quorumkv.proto.internal.PutResult;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.WriteSet;

/**
 * The deterministic heart of the replica: applies one committed log entry to a {@link KvStore} and says
 * what it produced.
 *
 * <p>Contract:
 * <ul>
 *   <li>Deterministic: the same entries applied in the same order to equal stores give equal stores and
 *       equal results. No clock, no randomness, no state outside the store.</li>
 *   <li>Business failures (wrong type, unknown command) are {@link CommandResult#hasFailure() failure
 *       results}: the key space is unchanged but the entry still counts as applied.</li>
 *   <li>Each entry is committed to the store atomically with its result and its (term, index).</li>
 *   <li>Replay-safe: an entry whose index is at or below the store's applied index was applied before
 *       (Ratis replays its log after a restart) and is not applied again; its stored result is returned,
 *       or a {@link Failure.Code#CODE_UNSPECIFIED} failure if that result is no longer retained.</li>
 *   <li>Storage errors propagate as {@link io.quorumkv.statemachine.storage.StorageException}.</li>
 * </ul>
 * Not thread-safe: one thread applies (the Ratis apply thread).
 */
public final class KvCore {

  private final KvStore store;

  public KvCore(KvStore store) {
    this.store = store;
  }

  /**
   * Applies the entry at ({@code term}, {@code index}) carrying {@code command}.
   *
   * @return the entry's result; for a replayed entry, the result it produced the first time
   */
  public CommandResult apply(Command command, long term, long index) {
    if (index <= store.applied().getIndex()) {
      return store.resultAt(index).orElseGet(() -> Results.failure(Failure.Code.CODE_UNSPECIFIED,
          "result of replayed entry " + index + " no longer retained"));
    }
    WriteSet writes = new WriteSet();
    CommandResult result = execute(command, new StagedState(store, writes, index));
    // A failed command changes no key: whatever a handler staged before failing is dropped.
    store.commit(result.hasFailure() ? new WriteSet() : writes,
        AppliedIndex.newBuilder().setTerm(term).setIndex(index).build(), result);
    return result;
  }

  /** The one place that dispatches on the command type. */
  private static CommandResult execute(Command command, StagedState state) {
    return switch (command.getOpCase()) {
      case PUT -> put(command.getPut(), state);
      case DELETE -> delete(command.getDelete(), state);
      case INCREMENT -> IncrementHandler.apply(command.getIncrement(), state);
      case BATCH -> BatchHandler.apply(command.getBatch(), state);
      case OP_NOT_SET -> Results.failure(Failure.Code.UNKNOWN_COMMAND,
          "command type not known to this version");
    };
  }

  private static CommandResult put(PutOp op, StagedState state) {
    boolean created = state.put(op.getKey(), op.getValue());
    return CommandResult.newBuilder().setPut(PutResult.newBuilder().setCreated(created)).build();
  }

  private static CommandResult delete(DeleteOp op, StagedState state) {
    boolean deleted = state.delete(op.getKey());
    return CommandResult.newBuilder().setDelete(DeleteResult.newBuilder().setDeleted(deleted)).build();
  }
}
