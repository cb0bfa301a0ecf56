package io.quorumkv.server.raft;

import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.LogSettings;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.config.RaftSettings;
import io.quorumkv.server.config.SnapshotInstall;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Every Ratis property QuorumKV sets, in one place, derived from the typed cluster config. Where a value
 * departs from Ratis' default for a reason that is not obvious, the comment next to it says why.
 */
public final class RaftPropertiesFactory {
  private static final long MIB = 1024 * 1024;
  /** Leader-sent snapshot files are streamed in chunks of this size; the gRPC message limit must exceed it. */
  private static final long SNAPSHOT_CHUNK_BYTES = MIB;
  private static final long STAGING_TIMEOUT_SECONDS = 30;

  private RaftPropertiesFactory() {}

  public static RaftProperties create(ClusterConfig cluster, NodeSpec node, Path raftStorageDir) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    RaftServerConfigKeys.setStorageDir(p, List.of(raftStorageDir.toFile()));
    // The default lives under /tmp/raft-server and would be shared by every node on the machine.
    RaftServerConfigKeys.setRemovedGroupsDir(p, new File(raftStorageDir.toFile(), "removed-groups"));
    // The default port is 0 (ephemeral): peers could never reach us.
    GrpcConfigKeys.Server.setHost(p, node.host());
    GrpcConfigKeys.Server.setPort(p, node.raftPort());

    RaftSettings raft = cluster.raft();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(raft.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(raft.electionTimeoutMax()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(raft.requestTimeout()));
    RaftServerConfigKeys.RetryCache.setExpiryTime(p, millis(raft.retryCacheExpiry()));
    // How long a leader waits before contacting an unreachable member again. Ratis' default grows to 5 s
    // after 20 s of failures, so a member restarted after a longer outage sat idle for up to 5 s before
    // the leader noticed it (measured: 6 s); a retry every 500 ms costs a refused connection.
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms,20, 500ms,1000000000");
    // A member being added is dropped when it has not answered the leader for this long. Ratis' default
    // (3 election timeouts) is shorter than a just-started member's first answers while it installs the
    // leader's state on a busy machine (seen: the add of a member answering its client port failed).
    RaftServerConfigKeys.setStagingTimeout(p, TimeDuration.valueOf(STAGING_TIMEOUT_SECONDS, TimeUnit.SECONDS));

    // Reads are linearizable on every member; the leader lease saves a heartbeat round per read.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Read.setTimeout(p, millis(raft.readTimeout()));

    // The largest accepted request must fit in one log entry and one replication message. Ratis rejects
    // entries above the appender byte limit; its write buffer and gRPC limit must exceed that limit.
    long entryLimit = roundUpToMib(cluster.limits().maxCommandBytes()) + MIB;
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entryLimit));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entryLimit + 64 * 1024));
    RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf(SNAPSHOT_CHUNK_BYTES));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(Math.max(entryLimit, SNAPSHOT_CHUNK_BYTES) + MIB));

    // No metadata entry after each commit-index change: it doubled the entries the leader logs, fsyncs and
    // replicates (docs/performance.md section 10: put @ 1 p50 3.9 -> 2.8 ms, put @ 64 +24 %). A restarted
    // member then applies its log's committed tail once a leader reports the commit index (its first
    // AppendEntries) instead of at start; nothing acknowledged depends on it.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);

    setSnapshotsAndPurging(p, cluster.log());
    setMemoryBounds(p);
    return p;
  }

  /**
   * Snapshots every N applied entries; the log is purged up to the latest snapshot even while a member is
   * down (purge.upto.snapshot.index), keeping a tail for slightly lagging members. A torn last entry is
   * always dropped by Ratis; any other corruption of a log segment stops the member with an error naming
   * the file (EXCEPTION), because skipping entries that were fsynced and acknowledged could lose data.
   */
  private static void setSnapshotsAndPurging(RaftProperties p, LogSettings log) {
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, log.snapshotEveryEntries());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, log.snapshotsRetained());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, log.purgeKeepsEntries());
    // Ratis only purges when the snapshot moved this far past the last purge; keep it below the snapshot interval.
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024, log.snapshotEveryEntries() / 2)));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(log.segmentBytes()));
    RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(4 * MIB, log.segmentBytes())));
    RaftServerConfigKeys.Log.setCorruptionPolicy(p, RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
    // Leader-sent installs, or notification mode where a member behind the leader's log fetches the
    // leader's state itself (LeaderCheckpointFetcher). Must be equal on every member.
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(
        p, log.snapshotInstall() == SnapshotInstall.LEADER_SENDS);
  }

  /**
   * Heap bounds. Ratis caches up to 6 log segments / 200 MB of entries on the heap and streams up to 8
   * snapshot chunks at once by default; with a few hundred MB of heap a large leader-sent install then
   * ran the leader out of memory. Recent entries are what followers need; older ones are re-read from disk.
   */
  private static void setMemoryBounds(RaftProperties p) {
    RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 2);
    RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf(64 * MIB));
    GrpcConfigKeys.Server.setInstallSnapshotRequestElementLimit(p, 2);
  }

  /** The largest log entry Ratis will accept with this config. */
  public static long maxLogEntryBytes(ClusterConfig cluster) {
    return roundUpToMib(cluster.limits().maxCommandBytes()) + MIB;
  }

  private static long roundUpToMib(long bytes) {
    return (bytes + MIB - 1) / MIB * MIB;
  }

  private static TimeDuration millis(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
