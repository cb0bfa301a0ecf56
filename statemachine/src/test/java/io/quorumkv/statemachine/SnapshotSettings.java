package io.quorumkv.statemachine;

import java.util.function.Consumer;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;

/** Ratis settings that make snapshots and log purges happen within a few hundred small entries. */
final class SnapshotSettings {

  private SnapshotSettings() {}

  /** Auto-snapshot every {@code entries} applied entries, keep 2, purge the log up to each snapshot. */
  static Consumer<RaftProperties> snapshotEvery(long entries) {
    return properties -> {
      RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
      RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, entries);
      RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
      RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
      RaftServerConfigKeys.Log.setPurgeGap(properties, 1);
      // Purges remove closed segments only: keep segments small so that some close.
      RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("8KB"));
      RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf("8KB"));
    };
  }
}
