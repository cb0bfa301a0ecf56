package io.quorumkv.statemachine.snapshot;

import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.statemachine.storage.RocksKvStore;
import io.quorumkv.statemachine.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageDirectory;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline restore: turns a {@link BackupCheckpoint} into the data layout of a member that starts holding
 * exactly the backup's data and continues the Raft log after it.
 *
 * <p>What {@link #prepare} leaves behind, for a backup at (term T, index N):
 * <ul>
 *   <li>{@code <raftStorageDir>/<groupId>/current/raft-meta}: a Ratis-formatted group directory whose
 *       current term is T and which has voted for nobody. Two Ratis facts make this necessary: RECOVER
 *       formats (and thereby empties {@code sm/} of) a group directory without {@code raft-meta}; and a
 *       candidate refuses votes from peers whose last entry has term 0 once anything is committed (it
 *       takes them for empty logs), so a snapshot labelled term 0 would never let a multi-member group
 *       elect a leader.</li>
 *   <li>{@code <raftStorageDir>/<groupId>/sm/T_N/}: the backup as a Ratis snapshot.</li>
 *   <li>{@code dbDir}: the live store, a copy of that snapshot.</li>
 * </ul>
 * No Raft log and no stored configuration: a member started on this layout (RECOVER) takes its
 * membership from the group it is started with, reports snapshot (T, N), elects in term T+1 or later,
 * and appends from index N+1. Later snapshots and log purges work as on any member.
 *
 * <p>Operator procedure:
 * <ul>
 *   <li>Single node: stop it (or use a new machine), move its data directories aside, run
 *       {@link #prepare} with its db and Ratis directories and the cluster's group id, start it.</li>
 *   <li>Several members (a new seed cluster): stop all of them and prepare <em>every</em> member from the
 *       <em>same</em> backup before starting any, all with the same group id and peer list. A member left
 *       empty could be elected by the other empty ones, and members restored from different backups
 *       would disagree on what index N holds.</li>
 * </ul>
 */
public final class SeedRestore {

  private static final Logger LOG = LoggerFactory.getLogger(SeedRestore.class);

  private SeedRestore() {}

  /**
   * Prepares an empty member layout from a backup checkpoint. On failure, delete {@code dbDir} and
   * {@code <raftStorageDir>/<groupId>} and run it again.
   *
   * @param backupDir a checkpoint written by {@code KvStateMachine.checkpointForBackup}; only read
   * @param dbDir the member's live store directory; must not exist or be empty
   * @param raftStorageDir the member's {@code raft.server.storage.dir}; must not hold {@code groupId}'s
   *     directory yet (other groups are left alone)
   * @param groupId the Raft group the member will serve
   * @return the (term, index) of the restored snapshot: the backup's last applied entry
   * @throws IllegalArgumentException if the layout is not empty or the backup holds no applied entry
   * @throws IOException if a file operation fails or the backup cannot be read
   */
  public static TermIndex prepare(Path backupDir, Path dbDir, Path raftStorageDir, UUID groupId)
      throws IOException {
    requireEmpty(dbDir);
    Path groupDir = raftStorageDir.resolve(groupId.toString());
    if (Files.exists(groupDir)) {
      throw new IllegalArgumentException("group directory already exists: " + groupDir);
    }
    AppliedIndex applied;
    try {
      applied = RocksKvStore.appliedIndexOf(backupDir);
    } catch (StorageException e) {
      throw new IOException("not a readable backup checkpoint: " + backupDir, e);
    }
    if (applied.getIndex() <= 0) {
      throw new IllegalArgumentException("backup " + backupDir + " holds no applied entry; start empty instead");
    }
    TermIndex seed = TermIndex.valueOf(applied.getTerm(), applied.getIndex());

    formatGroup(groupDir, seed.getTerm());
    CheckpointSnapshotStorage snapshots = new CheckpointSnapshotStorage();
    snapshots.initAt(groupDir.resolve(RaftStorageDirectory.STATE_MACHINE_DIR_NAME));
    Path staging = snapshots.stagingDir(seed);
    CheckpointCopier.copy(backupDir, staging, "copying backup " + backupDir);
    Path snapshotDir = snapshots.directoryOf(snapshots.publish(seed, staging));
    LiveDbSwap.replace(snapshotDir, dbDir);
    LOG.info("prepared {} and {} from backup {} at {}", dbDir, groupDir, backupDir, seed);
    return seed;
  }

  /** Formats the group directory with Ratis' own storage code, then sets its current term. */
  private static void formatGroup(Path groupDir, long term) throws IOException {
    try (RaftStorage storage = RaftStorage.newBuilder()
        .setDirectory(groupDir.toFile())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .setStorageFreeSpaceMin(RaftServerConfigKeys.STORAGE_FREE_SPACE_MIN_DEFAULT)
        .build()) {
      storage.initialize();
      storage.getMetadataFile().persist(
          RaftStorageMetadata.valueOf(term, RaftStorageMetadata.getDefault().getVotedFor()));
    }
  }

  private static void requireEmpty(Path dbDir) throws IOException {
    if (!Files.exists(dbDir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(dbDir)) {
      if (entries.findAny().isPresent()) {
        throw new IllegalArgumentException("db directory is not empty: " + dbDir);
      }
    }
  }
}
