package io.quorumkv.server.config;

import java.util.Objects;

/**
 * Snapshots and Raft log retention, the same on every member.
 *
 * @param snapshotEveryEntries take a snapshot once this many log entries were applied since the last one
 * @param snapshotEveryBytes   ... or once the entries applied since the last one reach this many bytes
 * @param snapshotsRetained    snapshots kept on disk (the newest ones); at least 2, since a leader may
 *                             still be sending the older one to a follower
 * @param purgeKeepsEntries    log entries kept behind the latest snapshot, so a follower lagging by fewer
 *                             entries catches up from the log instead of a full snapshot install
 * @param segmentBytes         size of one Raft log segment file; the log is purged whole segments at a time
 * @param snapshotInstall      how a member behind the leader's log gets the leader's state
 */
public record LogSettings(long snapshotEveryEntries, long snapshotEveryBytes, int snapshotsRetained,
    long purgeKeepsEntries, long segmentBytes, SnapshotInstall snapshotInstall) {

  /**
   * A restart replays the log since the last snapshot, so the interval bounds restart time: 20,000
   * entries replay in a few seconds on a loaded 2-core machine, and a checkpoint costs ~100 ms. Entries
   * of coalesced writes can be large: the byte bound keeps what a restart replays (and Ratis holds in
   * memory meanwhile) to 64 MiB.
   */
  private static final long DEFAULTS_SNAPSHOT_EVERY_BYTES = 64L * 1024 * 1024;
  public static final LogSettings DEFAULTS =
      new LogSettings(20_000, DEFAULTS_SNAPSHOT_EVERY_BYTES, 2, 10_000, 16L * 1024 * 1024, SnapshotInstall.LEADER_SENDS);

  /** Settings with the default snapshot byte bound and install mode. */
  public LogSettings(long snapshotEveryEntries, int snapshotsRetained, long purgeKeepsEntries, long segmentBytes) {
    this(snapshotEveryEntries, snapshotsRetained, purgeKeepsEntries, segmentBytes, SnapshotInstall.LEADER_SENDS);
  }

  /** Settings with the default snapshot byte bound. */
  public LogSettings(long snapshotEveryEntries, int snapshotsRetained, long purgeKeepsEntries, long segmentBytes,
      SnapshotInstall snapshotInstall) {
    this(snapshotEveryEntries, DEFAULTS_SNAPSHOT_EVERY_BYTES, snapshotsRetained, purgeKeepsEntries, segmentBytes,
        snapshotInstall);
  }

  public LogSettings {
    if (snapshotEveryEntries < 1) {
      throw new ConfigException("log.snapshot-every-entries must be at least 1");
    }
    if (snapshotEveryBytes < 1024 * 1024) {
      throw new ConfigException("log.snapshot-every-bytes must be at least 1048576");
    }
    if (snapshotsRetained < 2) {
      throw new ConfigException("log.snapshots-retained must be at least 2 (a leader may still be sending the older one)");
    }
    if (purgeKeepsEntries < 0) {
      throw new ConfigException("log.purge-keeps-entries must not be negative");
    }
    if (segmentBytes < 64 * 1024) {
      throw new ConfigException("log.segment-bytes must be at least 65536");
    }
    Objects.requireNonNull(snapshotInstall, "snapshotInstall");
  }
}
