package io.quorumkv.statemachine.core;

import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.DeleteOp;
import io.quorumkv.proto.internal.DeleteResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.PutOp;
import io.quorumkv.proto.internal.PutResult;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.SessionWrites;
import io.quorumkv.statemachine.storage.WriteSet;

/**
 * The deterministic heart of the replica: applies one committed log entry to a {@link KvStore} and says
 * what it produced.
 *
 * <p>Contract:
 * <ul>
 *   <li>Deterministic: the same entries applied in the same order to equal stores give equal stores and
 *       equal results. No local clock, no randomness, no state outside the store: time is the log clock,
 *       the maximum of the entries' leader timestamps.</li>
 *   <li>Exactly once: an entry with a client id is checked against its client's session (see
 *       {@link ClientSessions}); a repeat of an applied write answers the first result and changes no
 *       key, and a write its session refuses changes nothing.</li>
 *   <li>Business failures (wrong type, unknown command, refused by the session) are
 *       {@link CommandResult#hasFailure() failure results}: the key space is unchanged but the entry
 *       still counts as applied.</li>
 *   <li>Each entry is committed to the store atomically with its session changes, its (term, index) and
 *       the log clock.</li>
 *   <li>Replay-safe: an entry whose index is at or below the store's applied index was applied before
 *       (Ratis replays its log after a restart) and is not applied again. Its reply is what a retry of it
 *       would get now: the kept result of its write, or a failure saying why there is none.</li>
 *   <li>Storage errors propagate as {@link io.quorumkv.statemachine.storage.StorageException}.</li>
 * </ul>
 * Not thread-safe: one thread applies (the Ratis apply thread).
 */
public final class KvCore {

  private final KvStore store;
  private final ClientSessions sessions;

  /** A core over {@code store}, loading the store's client sessions. */
  public KvCore(KvStore store) {
    this.store = store;
    this.sessions = ClientSessions.load(store);
  }

  /** Number of client sessions the replica holds. */
  public int sessionCount() {
    return sessions.size();
  }

  /**
   * Applies the entry at ({@code term}, {@code index}) carrying {@code command}.
   *
   * @return the entry's result; for a replayed entry, the result a retry of it would get now
   */
  public CommandResult apply(Command command, long term, long index) {
    if (index <= store.applied().getIndex()) {
      return replayed(command);
    }
    long clock = Math.max(store.logClockMillis(), command.getLeaderTimeMillis());
    SessionWrites sessionWrites = new SessionWrites();
    sessions.expireIdle(clock, command.getSessionRules(), sessionWrites);
    WriteSet writes = new WriteSet();
    CommandResult result;
    boolean applied;
    if (!ClientSessions.hasClient(command)) {
      result = execute(command, new StagedState(store, writes, index));
      applied = true;
    } else {
      WriteId id = command.getWriteId();
      long fingerprint = ClientSessions.fingerprint(command);
      ClientSessions.Check check = sessions.check(id, fingerprint);
      if (check instanceof ClientSessions.Fresh) {
        result = execute(command, new StagedState(store, writes, index));
        sessions.recordApplied(id, fingerprint, index, result, clock, command.getSessionRules(), sessionWrites);
        applied = true;
      } else if (check instanceof ClientSessions.Repeat repeat) {
        result = repeat.result();
        sessions.recordRepeat(id, clock, sessionWrites);
        applied = false;
      } else {
        result = ((ClientSessions.Refused) check).failure();
        applied = false;
      }
    }
    // A failed command changes no key: whatever a handler staged before failing is dropped.
    store.commit(applied && !result.hasFailure() ? writes : new WriteSet(), sessionWrites,
        AppliedIndex.newBuilder().setTerm(term).setIndex(index).build(), clock);
    return result;
  }

  private CommandResult replayed(Command command) {
    if (ClientSessions.hasClient(command)) {
      ClientSessions.Check check = sessions.check(command.getWriteId(), ClientSessions.fingerprint(command));
      if (check instanceof ClientSessions.Repeat repeat) {
        return repeat.result();
      }
      if (check instanceof ClientSessions.Refused refused) {
        return refused.failure();
      }
    }
    return Results.failure(Failure.Code.NOT_RETAINED, "replayed entry: its result is not kept");
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
