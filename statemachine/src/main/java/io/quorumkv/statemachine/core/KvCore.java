package io.quorumkv.statemachine.core;

import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.CoalescedOp;
import io.quorumkv.proto.internal.CoalescedResult;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.DeleteOp;
import io.quorumkv.proto.internal.DeleteResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.PutOp;
import io.quorumkv.proto.internal.PutResult;
import io.quorumkv.proto.internal.SessionRules;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.statemachine.AppliedChanges;
import io.quorumkv.statemachine.AppliedListener;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.SessionWrites;
import io.quorumkv.statemachine.storage.WriteSet;
import java.util.List;
import java.util.function.Function;

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
 *   <li>A coalesced entry applies its writes one after the other as above, each as if it were an entry
 *       of its own at the same index, and commits them together.</li>
 *   <li>Business failures (wrong type, unknown command, refused by the session) are
 *       {@link CommandResult#hasFailure() failure results}: the key space is unchanged but the entry
 *       still counts as applied.</li>
 *   <li>Each entry is committed to the store atomically with its session changes, its (term, index) and
 *       the log clock.</li>
 *   <li>Replay-safe: an entry whose index is at or below the store's applied index was applied before
 *       (Ratis replays its log after a restart) and is not applied again. Its reply is what a retry of it
 *       would get now: the kept result of its write, or a failure saying why there is none.</li>
 *   <li>After each entry (also one that changed nothing, or a replayed one) the {@link AppliedListener}
 *       hears what it changed, on the applying thread.</li>
 *   <li>Storage errors propagate as {@link io.quorumkv.statemachine.storage.StorageException}.</li>
 * </ul>
 * Not thread-safe: one thread applies (the Ratis apply thread).
 */
public final class KvCore {

  private final KvStore store;
  private final ClientSessions sessions;
  private final AppliedListener listener;
  private final KeyVersions keyVersions;

  /** A core over {@code store}, loading the store's client sessions, telling {@code listener} of changes. */
  public KvCore(KvStore store, AppliedListener listener) {
    this(store, listener, KeyVersions.defaultBudgetBytes());
  }

  /** As {@link #KvCore(KvStore, AppliedListener)}, caching key versions in about {@code keyVersionBytes} of heap. */
  KvCore(KvStore store, AppliedListener listener, long keyVersionBytes) {
    this.store = store;
    this.sessions = ClientSessions.load(store);
    this.listener = listener;
    this.keyVersions = new KeyVersions(keyVersionBytes);
  }

  /** A core over {@code store} that tells no one of its changes. */
  public KvCore(KvStore store) {
    this(store, AppliedListener.NONE);
  }

  /** Number of client sessions the replica holds. */
  public int sessionCount() {
    return sessions.size();
  }

  /**
   * Applies the entry at ({@code term}, {@code index}) carrying {@code command}: one client write, or the
   * writes of a {@link CoalescedOp} one after the other, each with its own session check and result.
   *
   * @return the entry's result (a {@link CoalescedResult} for a coalesced entry); for a replayed entry,
   *     the result a retry of it would get now
   */
  public CommandResult apply(Command command, long term, long index) {
    if (index <= store.applied().getIndex()) {
      CommandResult result = command.hasCoalesced() ? eachOf(command.getCoalesced(), this::replayed) : replayed(command);
      listener.onApplied(AppliedChanges.none(term, index));
      return result;
    }
    long clock = Math.max(store.logClockMillis(), command.getLeaderTimeMillis());
    SessionRules rules = command.getSessionRules();
    SessionWrites sessionWrites = new SessionWrites();
    sessions.expireIdle(clock, rules, sessionWrites);
    WriteSet entryWrites = new WriteSet();
    EntryReads committed = EntryReads.prefetch(store, keyVersions, command);
    CommandResult result = command.hasCoalesced()
        ? eachOf(command.getCoalesced(),
            write -> applyWrite(write, index, clock, rules, committed, entryWrites, sessionWrites))
        : applyWrite(command, index, clock, rules, committed, entryWrites, sessionWrites);
    store.commit(entryWrites, sessionWrites, AppliedIndex.newBuilder().setTerm(term).setIndex(index).build(), clock);
    List<WriteSet.Write> committedWrites = entryWrites.writes();
    keyVersions.committed(committedWrites);
    listener.onApplied(entryWrites.isEmpty()
        ? AppliedChanges.none(term, index)
        : new AppliedChanges(term, index, committedWrites, entryWrites.definitionChanges(), store::openView));
    return result;
  }

  /**
   * Applies one client write of the entry at {@code index}: checks its session, then stages its key
   * changes into {@code entryWrites} unless it fails or is not applied (a failed write changes no key:
   * whatever its handler staged before failing is dropped).
   */
  private CommandResult applyWrite(Command write, long index, long clock, SessionRules rules, EntryReads committed,
      WriteSet entryWrites, SessionWrites sessionWrites) {
    if (!ClientSessions.hasClient(write)) {
      return execute(write, index, committed, entryWrites);
    }
    WriteId id = write.getWriteId();
    long fingerprint = ClientSessions.fingerprint(write);
    ClientSessions.Check check = sessions.check(id, fingerprint, sessionWrites);
    if (check instanceof ClientSessions.Fresh) {
      CommandResult result = execute(write, index, committed, entryWrites);
      sessions.recordApplied(id, fingerprint, index, result, clock, rules, sessionWrites);
      return result;
    }
    if (check instanceof ClientSessions.Repeat repeat) {
      sessions.recordRepeat(id, clock, sessionWrites);
      return repeat.result();
    }
    return ((ClientSessions.Refused) check).failure();
  }

  private CommandResult execute(Command write, long index, EntryReads committed, WriteSet entryWrites) {
    WriteSet writes = new WriteSet();
    CommandResult result = execute(write, new StagedState(store, committed, entryWrites, writes, index));
    if (!result.hasFailure()) {
      entryWrites.addAll(writes);
    }
    return result;
  }

  private CommandResult replayed(Command command) {
    if (ClientSessions.hasClient(command)) {
      ClientSessions.Check check = sessions.check(command.getWriteId(), ClientSessions.fingerprint(command),
          new SessionWrites());
      if (check instanceof ClientSessions.Repeat repeat) {
        return repeat.result();
      }
      if (check instanceof ClientSessions.Refused refused) {
        return refused.failure();
      }
    }
    return Results.failure(Failure.Code.NOT_RETAINED, "replayed entry: its result is not kept");
  }

  /** The results of a coalesced entry's writes, in order. */
  private static CommandResult eachOf(CoalescedOp op, Function<Command, CommandResult> each) {
    CoalescedResult.Builder results = CoalescedResult.newBuilder();
    for (Command write : op.getWritesList()) {
      results.addResults(each.apply(write));
    }
    return CommandResult.newBuilder().setCoalesced(results).build();
  }

  /** The one place that dispatches on the command type. */
  private static CommandResult execute(Command command, StagedState state) {
    return switch (command.getOpCase()) {
      case PUT -> put(command.getPut(), state);
      case DELETE -> delete(command.getDelete(), state);
      case INCREMENT -> IncrementHandler.apply(command.getIncrement(), state);
      case BATCH -> BatchHandler.apply(command.getBatch(), state);
      case CREATE_INDEX -> IndexDefinitionHandler.create(command.getCreateIndex(), state);
      case DROP_INDEX -> IndexDefinitionHandler.drop(command.getDropIndex(), state);
      case ATTACH_EMBEDDINGS -> IndexDefinitionHandler.attach(command.getAttachEmbeddings(), state);
      case COALESCED -> Results.failure(Failure.Code.UNKNOWN_COMMAND, "a coalesced write may not be coalesced itself");
      case OP_NOT_SET -> Results.failure(Failure.Code.UNKNOWN_COMMAND,
          "command type not known to this version");
    };
  }
  private static CommandResult put(PutOp op, StagedState state) {
    boolean created = state.put(op.getKey(), op.getValue(), op.getEmbeddingsList());
    return CommandResult.newBuilder().setPut(PutResult.newBuilder().setCreated(created)).build();
  }

  private static CommandResult delete(DeleteOp op, StagedState state) {
    boolean deleted = state.delete(op.getKey());
    return CommandResult.newBuilder().setDelete(DeleteResult.newBuilder().setDeleted(deleted)).build();
  }
}
