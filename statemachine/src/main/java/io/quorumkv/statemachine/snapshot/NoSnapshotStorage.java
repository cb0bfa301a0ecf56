package io.quorumkv.statemachine.snapshot;

import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;

/**
 * Snapshot storage for a state machine that takes no snapshots yet: there is never a snapshot to report,
 * so Ratis replays the whole log on restart and never installs one. {@link #getLatestSnapshot()} is on
 * Ratis' hot path (every log appender loop) and answers at no cost.
 */
public final class NoSnapshotStorage implements StateMachineStorage {

  @Override
  public void init(RaftStorage raftStorage) {
    // Nothing to locate: no snapshot files exist.
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return null;
  }

  @Override
  public void format() {
    // Nothing to erase.
  }

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
    // Nothing to clean.
  }
}
