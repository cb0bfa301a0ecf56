package io.quorumkv.server.raft;

import io.quorumkv.client.AdminClient;
import io.quorumkv.client.BackupProgress;
import io.quorumkv.client.BackupResult;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.server.tls.MemberTls;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.membership.PeerAddresses;
import io.quorumkv.statemachine.snapshot.SnapshotFetcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a snapshot for a member that fell behind the leader's log by taking a backup of the leader over
 * the public Cluster.Backup stream: a fresh checkpoint of the leader's store, sent file by file under gRPC
 * flow control, so neither side holds more than a few chunks in memory whatever the store's size (the
 * leader-sent install of Ratis buffered whole snapshots on the leader's heap). The read is STALE with the
 * leader's log start as minimum index: no extra Raft round, and the copy is recent enough to continue
 * from the leader's log. Progress is logged every few seconds.
 */
public final class LeaderCheckpointFetcher implements SnapshotFetcher {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderCheckpointFetcher.class);
  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final ClusterConfig cluster;
  private final MemberTls tls;

  public LeaderCheckpointFetcher(ClusterConfig cluster, MemberTls tls) {
    this.cluster = cluster;
    this.tls = tls;
  }

  @Override
  public void fetch(RaftPeer leader, long minIndex, Path targetDir) throws IOException {
    RaftPeerId source = leader.getId();
    String endpoint = PeerAddresses.clientAddress(leader)
        .or(() -> cluster.node(source.toString()).map(NodeSpec::clientAddress))
        .orElseThrow(() -> new IOException("the client address of member " + source + " is unknown: it is "
            + "neither in the cluster configuration entry nor in the cluster file"));
    long start = System.nanoTime();
    BackupResult result;
    QuorumKvClient.Builder builder = QuorumKvClient.builder().endpoints(List.of(endpoint));
    tls.asClient().ifPresent(builder::tls);
    try (QuorumKvClient client = builder.build()) {
      result = client.admin().backup(endpoint, targetDir, ReadOptions.stale(minIndex), progressLog(source));
    } catch (QuorumKvException | UncheckedIOException e) {
      throw new IOException("copying the state of " + source + " at " + endpoint + " failed: " + e.getMessage(), e);
    }
    if (!result.clusterId().equals(cluster.clusterId().toString())) {
      throw new IOException(endpoint + " serves cluster " + result.clusterId() + ", not " + cluster.clusterId()
          + " ('" + cluster.name() + "'): check the cluster config");
    }
    // What stays is a plain store checkpoint; the backup's manifest described the transfer only.
    Files.delete(targetDir.resolve(AdminClient.MANIFEST_FILE));
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    LOG.info("copied the state of {} at index {}: {} files, {} in {} ms ({} MB/s)", source, result.appliedIndex(),
        result.files(), String.format("%.1f MB", result.bytes() / 1e6), millis, result.bytes() / 1_000 / millis);
  }

  private static Consumer<BackupProgress> progressLog(RaftPeerId source) {
    long[] lastReport = {System.nanoTime()};
    return progress -> {
      long now = System.nanoTime();
      if (now - lastReport[0] >= PROGRESS_EVERY_NANOS) {
        lastReport[0] = now;
        LOG.info("copying the state of {}: {}", source, progress);
      }
    };
  }
}
