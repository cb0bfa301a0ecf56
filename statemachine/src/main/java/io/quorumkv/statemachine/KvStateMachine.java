package io.quorumkv.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.statemachine.core.KvCore;
import io.quorumkv.statemachine.read.PointRead;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.statemachine.snapshot.BackupCheckpoint;
import io.quorumkv.statemachine.snapshot.CheckpointSnapshotStorage;
import io.quorumkv.statemachine.snapshot.FetchedInstalls;
import io.quorumkv.statemachine.snapshot.LiveDbSwap;
import io.quorumkv.statemachine.snapshot.SnapshotFetcher;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.RocksKvStore;
import io.quorumkv.statemachine.storage.StorageException;
import io.quorumkv.statemachine.storage.StoreStats;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.ProtoUtils;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
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
 * <p>Snapshots are checkpoints of the store in Ratis' state-machine directory (see
 * {@link CheckpointSnapshotStorage}); the live store stays at the directory given to the constructor,
 * outside Ratis' storage, because Ratis deletes its state-machine directory when it installs a snapshot
 * sent by a leader. Ratis' properties decide when snapshots are taken and how many are kept.
 *
 * <p>Restart: the live store is rebuilt from the latest snapshot if it is missing or behind it, then
 * Ratis replays its log after the snapshot; entries the store already holds are not applied again (see
 * {@link KvCore}); a replayed write is answered from its client's session, as a retry of it would be.
 *
 * <p>Snapshot install, when this member's log ends before the leader's starts, in either of Ratis' modes:
 * <ul>
 *   <li>fetched (Ratis' notification mode; needs a {@link SnapshotFetcher}): the leader only says where
 *       its log starts, and {@link #notifyInstallSnapshotFromLeader} fetches a checkpoint of the leader's
 *       store in the background (see {@link FetchedInstalls}) while this store keeps serving;</li>
 *   <li>leader-sent (Ratis' default): Ratis receives the leader's snapshot files itself.</li>
 * </ul>
 * Then {@link #pause()} stops local reads, and {@link #reinitialize()} publishes the fetched checkpoint (if
 * any) as the newest snapshot and swaps a copy of the newest snapshot in as the live store, so the replica
 * equals it and continues from its index.
 *
 * <p>Reads do not go through Ratis' {@code query}: callers use {@link #openReadView()} after whatever
 * barrier their consistency level needs (e.g. a ReadIndex "dummy" read, or {@link #awaitApplied}).
 */
public final class KvStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);

  /** The live store and the core that applies to it; replaced together. */
  private record Replica(KvStore store, KvCore core) {}

  private final Path dbDir;
  private final CheckpointSnapshotStorage snapshots = new CheckpointSnapshotStorage();
  private final FetchedInstalls fetchedInstalls;
  private final AppliedIndexWaiters waiters = new AppliedIndexWaiters();
  private final AtomicLong logBytesSinceSnapshot = new AtomicLong();
  private final ActivityCounters activity = new ActivityCounters();
  private final AppliedListener listener;
  // Held while a snapshot is taken, and by pause(), so Ratis never moves the snapshot directory away
  // (install) under a snapshot being written; after pause() no snapshot starts until RUNNING again.
  private final ReentrantLock snapshotting = new ReentrantLock();
  private volatile Replica replica;

  /**
   * @param dbDir directory of the live RocksDB; created if absent. It must lie outside Ratis' storage
   *     directory, and should share its filesystem: snapshots and installs then hard-link SST files
   *     instead of copying them. Siblings {@code <dbDir>.restore-tmp} and {@code <dbDir>.old} are used
   *     while the store is replaced from a snapshot.
   * @param fetcher copies a checkpoint from the leader when Ratis runs in notification mode
   *     ({@code raft.server.log.appender.install.snapshot.enabled=false}); null if only leader-sent
   *     installs happen (Ratis' default mode)
   * @param listener told of every applied entry, and of the whole state at start and after an install
   *     (the search indexes)
   */
  public KvStateMachine(Path dbDir, SnapshotFetcher fetcher, AppliedListener listener) {
    this.dbDir = Objects.requireNonNull(dbDir, "dbDir");
    this.fetchedInstalls = fetcher == null ? null : new FetchedInstalls(this, fetcher, snapshots);
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** A state machine without derived state. */
  public KvStateMachine(Path dbDir, SnapshotFetcher fetcher) {
    this(dbDir, fetcher, AppliedListener.NONE);
  }

  /** A state machine for leader-sent snapshot installs only (Ratis' default mode). */
  public KvStateMachine(Path dbDir) {
    this(dbDir, null);
  }

  /**
   * Opens a consistent read-only view of the local state (a RocksDB snapshot). The caller must close it.
   *
   * @throws IllegalStateException if the state machine is not RUNNING (e.g. paused or closed)
   */
  public ReadView openReadView() {
    return servingReplica().store().openView();
  }

  /**
   * Reads one key of the local state, with the applied index of exactly the state read; cheaper than a
   * view (see {@link KvStore#readKey}).
   *
   * @throws IllegalStateException if the state machine is not RUNNING (e.g. paused or closed)
   */
  public PointRead readKey(com.google.protobuf.ByteString key, boolean keysOnly) {
    return servingReplica().store().readKey(key, keysOnly);
  }

  private Replica servingReplica() {
    LifeCycle.State state = getLifeCycleState();
    Replica current = replica;
    if (state != LifeCycle.State.RUNNING || current == null) {
      throw new IllegalStateException("state machine is " + state + ", not serving reads");
    }
    return current;
  }

  /**
   * The search index definitions as of the last applied entry (empty while no store is open, e.g. during
   * a snapshot install).
   */
  public SortedMap<String, IndexDefinition> indexDefinitions() {
    Replica current = replica;
    return current == null ? Collections.emptySortedMap() : current.store().indexDefinitions();
  }

  /**
   * Index of the last log entry applied locally, including Raft configuration and metadata entries; 0
   * before any. After a restart it starts from the latest snapshot's index while Ratis replays the log
   * after it, although the data (and {@link ReadView#appliedIndex()}) may already reflect more.
   */
  public long lastAppliedIndex() {
    return Math.max(0, getLastAppliedTermIndex().getIndex());
  }

  /** Cumulative counts of what this state machine did since the process started (metrics). */
  public ActivityCounters activity() {
    return activity;
  }

  /** The live store's engine figures (metrics); all zero while no store is open (during an install). */
  public StoreStats storeStats() {
    Replica current = replica;
    return current == null ? StoreStats.NONE : current.store().stats();
  }

  /**
   * Bytes of the log entries applied since the latest snapshot (since this start, if it took none yet):
   * about what a restart now would replay.
   */
  public long logBytesSinceSnapshot() {
    return logBytesSinceSnapshot.get();
  }

  /**
   * Completes normally once {@link #lastAppliedIndex()} {@code >= index}: at once if it already is, else
   * on a small internal thread, never on the apply thread, so callers may chain (light) work on it; chain
   * heavy work with an executor of your own. Completes exceptionally with {@link IllegalStateException}
   * if the state machine closes first, or at once with {@link TooManyWaitersException} if too many
   * distinct indexes are awaited already. Never times out: callers add their own timeout.
   */
  public CompletableFuture<Void> awaitApplied(long index) {
    return waiters.await(index);
  }

  /**
   * Takes a consistent copy of the live store for an online backup, without stopping the apply thread:
   * entries keep being applied while the copy is made, and the copy holds some prefix of them. May be
   * called from any thread, concurrently with applies and other backups. A snapshot install or close that
   * starts meanwhile waits for the copy to finish.
   *
   * @param targetDir directory to create for the copy; it must not exist and its parent must. On the live
   *     store's filesystem, SST files are hard-linked rather than copied (fast, little extra space).
   * @return the copy and the (term, index) recorded inside it: it holds every entry up to that index and
   *     none after
   * @throws IllegalStateException if the state machine is not RUNNING (paused for an install, or closed)
   * @throws FileAlreadyExistsException if {@code targetDir} exists
   * @throws IOException if the copy fails; a partial {@code targetDir} may be left behind
   */
  public BackupCheckpoint checkpointForBackup(Path targetDir) throws IOException {
    Path target = targetDir.toAbsolutePath();
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Replica current = replica;
    if (getLifeCycleState() != LifeCycle.State.RUNNING || current == null) {
      throw new IllegalStateException("state machine is " + getLifeCycleState() + ", not taking backups");
    }
    try {
      AppliedIndex applied = current.store().checkpoint(target);
      LOG.info("{}: backup checkpoint {} at (t:{}, i:{})", this, target, applied.getTerm(), applied.getIndex());
      return new BackupCheckpoint(target, applied.getTerm(), applied.getIndex());
    } catch (StorageException e) {
      throw new IOException("backup checkpoint to " + target + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    getLifeCycle().startAndTransition(() -> {
      LiveDbSwap.recover(dbDir);
      loadReplica();
    });
    resetListener();
    // Only once RUNNING: a reader woken by the snapshot's index opens a view at once.
    waiters.advance(lastAppliedIndex());
  }

  /**
   * Stops serving reads and taking snapshots (waiting for one in progress). Ratis calls this on the
   * snapshot-install thread before it replaces the snapshot directory, then {@link #reinitialize()}.
   */
  @Override
  public void pause() {
    snapshotting.lock();
    try {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    } finally {
      snapshotting.unlock();
    }
  }

  /**
   * Runs on the apply thread after a snapshot install: publishes the fetched checkpoint (notification
   * mode; in leader-sent mode Ratis already put the snapshot in place), replaces the live store with a
   * copy of the newest snapshot if the store is behind it (as it always is after an install), reopens it
   * and serves again from the snapshot's index. Views opened before fail from here on.
   */
  @Override
  public void reinitialize() throws IOException {
    if (fetchedInstalls != null) {
      fetchedInstalls.publishFetched();
    }
    snapshots.reload();
    getLifeCycle().startAndTransition(() -> {
      closeStore();
      loadReplica();
    });
    LOG.info("{}: installed snapshot {}; following the log from there", this, getLastAppliedTermIndex());
    resetListener();
    // Only once RUNNING: a reader woken by the snapshot's index opens a view at once.
    waiters.advance(lastAppliedIndex());
  }

  /**
   * Writes a checkpoint of the store at the last applied entry into a new snapshot directory. Runs on the
   * apply thread once every earlier apply is done. Configuration entries advance the applied index
   * without a store write, so their (term, index) is first recorded in the store: the checkpoint's own
   * applied index then equals the snapshot's.
   *
   * @return the index of the newest snapshot, new or not; -1 if there is none
   * @throws IOException if the snapshot could not be written (Ratis logs it and carries on)
   */
  @Override
  public long takeSnapshot() throws IOException {
    snapshotting.lock();
    try {
      SnapshotInfo latest = snapshots.getLatestSnapshot();
      long latestIndex = latest == null ? RaftLog.INVALID_LOG_INDEX : latest.getIndex();
      TermIndex applied = getLastAppliedTermIndex();
      Replica current = replica;
      if (getLifeCycleState() != LifeCycle.State.RUNNING || current == null || applied.getIndex() <= latestIndex) {
        return latestIndex;
      }
      if (current.store().applied().getIndex() > applied.getIndex()) {
        // Replaying entries the store already holds: a checkpoint now would hold more than its name says.
        return latestIndex;
      }
      return writeSnapshot(current.store(), applied);
    } finally {
      snapshotting.unlock();
    }
  }

  private long writeSnapshot(KvStore store, TermIndex applied) throws IOException {
    long start = System.nanoTime();
    AppliedIndex expected = AppliedIndex.newBuilder().setTerm(applied.getTerm()).setIndex(applied.getIndex()).build();
    Path staging = snapshots.stagingDir(applied);
    try {
      if (!store.applied().equals(expected)) {
        store.advanceApplied(expected);
      }
      AppliedIndex inCheckpoint = store.checkpoint(staging);
      if (!inCheckpoint.equals(expected)) {
        throw new IOException("checkpoint records (t:" + inCheckpoint.getTerm() + ", i:" + inCheckpoint.getIndex()
            + "), expected " + applied);
      }
    } catch (StorageException e) {
      throw new IOException("snapshot " + applied + " failed: " + e.getMessage(), e);
    }
    SnapshotInfo snapshot = snapshots.publish(applied, staging);
    // On the apply thread: no entry was applied since the checkpoint.
    logBytesSinceSnapshot.set(0);
    activity.snapshotTaken(System.nanoTime() - start);
    long bytes = snapshot.getFiles().stream().mapToLong(FileInfo::getFileSize).sum();
    LOG.info("{}: snapshot (t:{}, i:{}): {} files, {} bytes in {} ms", this, applied.getTerm(), applied.getIndex(),
        snapshot.getFiles().size(), bytes, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    return applied.getIndex();
  }

  /**
   * Rejects, before it is logged, a request whose content is not a {@link Command} with an operation (for
   * a coalesced one: whose writes do not each carry one, or are coalesced themselves). The parsed command
   * stays with the transaction, so the leader applies it without parsing it again.
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext trx = super.startTransaction(request);
    try {
      Command command = Command.parseFrom(request.getMessage().getContent().asReadOnlyByteBuffer());
      String invalid = invalidity(command);
      if (invalid != null) {
        trx.setException(new IllegalArgumentException(invalid));
      } else {
        trx.setStateMachineContext(command);
      }
    } catch (InvalidProtocolBufferException e) {
      trx.setException(new IllegalArgumentException("request content is not a quorumkv Command", e));
    }
    return trx;
  }

  /** Why {@code command} may not be logged, or null if it may. */
  private static String invalidity(Command command) {
    if (command.getOpCase() == Command.OpCase.OP_NOT_SET) {
      return "command has no operation";
    }
    if (command.hasCoalesced()) {
      for (Command write : command.getCoalesced().getWritesList()) {
        if (write.getOpCase() == Command.OpCase.OP_NOT_SET || write.hasCoalesced()) {
          return "a coalesced write must have an operation and not be coalesced itself";
        }
      }
    }
    return null;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    logBytesSinceSnapshot.addAndGet(entry.getSerializedSize());
    Command command = trx.getStateMachineContext() instanceof Command parsed ? parsed : decode(entry);
    CommandResult result;
    long start = System.nanoTime();
    try {
      result = replica.core().apply(command, entry.getTerm(), entry.getIndex());
    } catch (RuntimeException e) {
      // StorageException or a bug: the entry's effect is unknown, so this replica must stop applying.
      LOG.error("{}: failed to apply entry (t:{}, i:{}); stopping", this, entry.getTerm(), entry.getIndex(), e);
      throw e;
    }
    activity.applied(System.nanoTime() - start);
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    waiters.advance(entry.getIndex());
    return CompletableFuture.completedFuture(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray())));
  }

  /**
   * Ratis' notification-mode install: the leader's log starts at {@code firstTermIndexInLog}, after this
   * member's log ends. The future completes with the (term, index) of a checkpoint fetched from the
   * leader once it is staged and verified; Ratis then calls {@link #pause()} and {@link #reinitialize()}.
   * If the fetch fails, Ratis asks again. Without a fetcher the answer is "no snapshot available".
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto roleInfo,
      TermIndex firstTermIndexInLog) {
    if (fetchedInstalls == null) {
      LOG.error("{}: the leader asks this member to fetch a snapshot, but it has no fetcher: "
          + "install.snapshot.enabled must be equal on every member", this);
      return CompletableFuture.completedFuture(null);
    }
    RaftPeer leader = ProtoUtils.toRaftPeer(roleInfo.getFollowerInfo().getLeaderInfo().getId());
    return fetchedInstalls.fetch(leader, Math.max(0, firstTermIndexInLog.getIndex() - 1));
  }

  /** One line per leadership change: the operator's view of elections (Ratis' own logs are muted). */
  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    activity.leaderChanged();
    LOG.info("{}: leader is now {}", groupMemberId.getPeerId(), newLeaderId == null ? "unknown" : newLeaderId);
  }

  /** Configuration and metadata entries: they advance the applied index without touching the store. */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    super.notifyTermIndexUpdated(term, index);
    listener.onApplied(AppliedChanges.none(term, index));
    waiters.advance(index);
  }

  /** Hands the listener the whole state the replica starts from (at start, after an install). */
  private void resetListener() {
    KvStore store = replica.store();
    listener.onReset(store.openView(), store.indexDefinitions());
  }

  /** Not supported: QuorumKV reads use {@link #openReadView()}. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return unsupportedQuery();
  }

  /**
   * Not supported, and overridden because Ratis 3.3.0's BaseStateMachine.queryStale waits on futures that
   * complete only when the applied index does not change, so a stale read above the applied index hangs.
   */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    return unsupportedQuery();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  /** Closes the store and fails pending {@link #awaitApplied} futures. Safe to call more than once. */
  @Override
  public void close() {
    if (fetchedInstalls != null) {
      fetchedInstalls.close();
    }
    getLifeCycle().checkStateAndClose(this::closeStore);
    waiters.close();
  }

  /**
   * Opens the live store, first rebuilding it from the latest snapshot if it is missing or behind it, and
   * sets the applied index to the snapshot's: Ratis replays its log from there, and the store's own
   * applied index only decides which replayed entries to skip.
   */
  private void loadReplica() throws IOException {
    SnapshotInfo snapshot = snapshots.getLatestSnapshot();
    openStore();
    if (snapshot == null) {
      return;
    }
    long storeIndex = replica.store().applied().getIndex();
    if (storeIndex < snapshot.getIndex()) {
      closeStore();
      long start = System.nanoTime();
      LiveDbSwap.replace(snapshots.directoryOf(snapshot), dbDir);
      LOG.info("{}: replaced the store (applied {}) with snapshot {} in {} ms", this, storeIndex,
          snapshot.getTermIndex(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      openStore();
    }
    setLastAppliedTermIndex(snapshot.getTermIndex());
  }

  private void openStore() throws IOException {
    KvStore store;
    try {
      store = RocksKvStore.open(dbDir);
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    }
    replica = new Replica(store, new KvCore(store, listener));
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
