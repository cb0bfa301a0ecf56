package io.quorumkv.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.statemachine.core.KvCore;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.snapshot.NoSnapshotStorage;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.RocksKvStore;
import io.quorumkv.statemachine.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin Ratis adapter over {@link KvCore} and a {@link RocksKvStore}. One instance per node.
 *
 * <p>Log entries carry a serialized {@link Command}; each apply answers with a serialized
 * {@link CommandResult}. Entries are applied synchronously on Ratis' apply thread and their futures
 * returned completed, so they complete in log order. A storage failure is thrown from
 * {@link #applyTransaction}, which makes Ratis stop this division (fail-stop) rather than let the replica
 * diverge.
 *
 * <p>Restart: no snapshots exist yet, so Ratis replays the whole log; entries the live DB already holds
 * are not applied again (see {@link KvCore}), and their replies are the stored original results.
 *
 * <p>Reads do not go through Ratis' {@code query}: callers use {@link #openReadView()} after whatever
 * barrier their consistency level needs (e.g. a ReadIndex "dummy" read, or {@link #awaitApplied}).
 */
public final class KvStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);

  /** The live store and the core that applies to it; replaced together. */
  private record Replica(KvStore store, KvCore core) {}

  private final Path dbDir;
  private final StateMachineStorage snapshotStorage = new NoSnapshotStorage();
  private final AppliedIndexWaiters waiters = new AppliedIndexWaiters();
  private volatile Replica replica;

  /** @param dbDir directory of the live RocksDB (outside Ratis' storage dir); created if absent. */
  public KvStateMachine(Path dbDir) {
    this.dbDir = Objects.requireNonNull(dbDir, "dbDir");
  }

  /**
   * Opens a consistent read-only view of the local state (a RocksDB snapshot). The caller must close it.
   *
   * @throws IllegalStateException if the state machine is not RUNNING (e.g. paused or closed)
   */
  public ReadView openReadView() {
    LifeCycle.State state = getLifeCycleState();
    Replica current = replica;
    if (state != LifeCycle.State.RUNNING || current == null) {
      throw new IllegalStateException("state machine is " + state + ", not serving reads");
    }
    return current.store().openView();
  }

  /**
   * Index of the last log entry applied locally, including Raft configuration and metadata entries; 0
   * before any. After a restart it starts from 0 again while Ratis replays the log, although the data
   * (and {@link ReadView#appliedIndex()}) already reflect what was applied before.
   */
  public long lastAppliedIndex() {
    return Math.max(0, getLastAppliedTermIndex().getIndex());
  }

  /**
   * Completes normally once {@link #lastAppliedIndex()} {@code >= index}: at once if it already is, else
   * on a small internal thread, never on the apply thread, so callers may chain (light) work on it; chain
   * heavy work with an executor of your own. Completes exceptionally with {@link IllegalStateException}
   * if the state machine closes first. Never times out: callers add their own timeout.
   */
  public CompletableFuture<Void> awaitApplied(long index) {
    return waiters.await(index);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    // lastAppliedTermIndex is left at its initial value, the TermIndex of the (absent) latest snapshot:
    // Ratis replays from there and the DB's applied index only decides which entries to skip.
    getLifeCycle().startAndTransition(this::openStore);
  }

  /** Stops serving reads. Ratis calls this before installing a snapshot, then {@link #reinitialize()}. */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /**
   * Reloads the store from disk and serves again. Views opened before fail from here on. (When snapshots
   * exist, this is where an installed snapshot replaces the live DB.)
   */
  @Override
  public void reinitialize() throws IOException {
    getLifeCycle().startAndTransition(() -> {
      closeStore();
      openStore();
    });
  }

  /** Rejects, before it is logged, a request whose content is not a {@link Command} with an operation. */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext trx = super.startTransaction(request);
    try {
      Command command = Command.parseFrom(request.getMessage().getContent().asReadOnlyByteBuffer());
      if (command.getOpCase() == Command.OpCase.OP_NOT_SET) {
        trx.setException(new IllegalArgumentException("command has no operation"));
      }
    } catch (InvalidProtocolBufferException e) {
      trx.setException(new IllegalArgumentException("request content is not a quorumkv Command", e));
    }
    return trx;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    Command command = decode(entry);
    CommandResult result;
    try {
      result = replica.core().apply(command, entry.getTerm(), entry.getIndex());
    } catch (RuntimeException e) {
      // StorageException or a bug: the entry's effect is unknown, so this replica must stop applying.
      LOG.error("{}: failed to apply entry (t:{}, i:{}); stopping", this, entry.getTerm(), entry.getIndex(), e);
      throw e;
    }
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    waiters.advance(entry.getIndex());
    return CompletableFuture.completedFuture(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray())));
  }

  /** Configuration and metadata entries: they advance the applied index without touching the store. */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    super.notifyTermIndexUpdated(term, index);
    waiters.advance(index);
  }

  /** Not supported: QuorumKV reads use {@link #openReadView()}. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return unsupportedQuery();
  }

  /** Not supported, and overridden because the inherited version can hang (see ratis-notes §2.1). */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    return unsupportedQuery();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshotStorage;
  }

  /** Closes the store and fails pending {@link #awaitApplied} futures. Safe to call more than once. */
  @Override
  public void close() {
    getLifeCycle().checkStateAndClose(this::closeStore);
    waiters.close();
  }

  private void openStore() throws IOException {
    KvStore store;
    try {
      store = RocksKvStore.open(dbDir);
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
    replica = new Replica(store, new KvCore(store));
    LOG.info("{}: opened {} at applied {}", this, dbDir, store.applied().getIndex());
  }

  private void closeStore() {
    Replica current = replica;
    replica = null;
    if (current != null) {
      current.store().close();
    }
  }

  /**
   * The entry's command. Content that does not parse cannot come from {@link #startTransaction}; should
   * it appear anyway, it is applied as an empty command (UNKNOWN_COMMAND, no change), the same on every
   * replica, instead of stopping them all on the same entry.
   */
  private Command decode(LogEntryProto entry) {
    ByteString data = entry.getStateMachineLogEntry().getLogData();
    try {
      return Command.parseFrom(data.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("{}: entry (t:{}, i:{}) is not a Command; applying it as an unknown command",
          this, entry.getTerm(), entry.getIndex(), e);
      return Command.getDefaultInstance();
    }
  }

  private static CompletableFuture<Message> unsupportedQuery() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("QuorumKV reads use openReadView"));
  }
}
