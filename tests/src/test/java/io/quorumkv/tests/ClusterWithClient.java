package io.quorumkv.tests;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.LogSettings;
import java.io.IOException;
import java.time.Duration;

/** A 3-member MiniCluster and a client of all its members, closed together. */
record ClusterWithClient(MiniCluster cluster, QuorumKvClient kv) implements AutoCloseable {

  static ClusterWithClient start(LogSettings log) throws IOException, InterruptedException {
    MiniCluster cluster = MiniCluster.start(3, Limits.DEFAULTS, log);
    return new ClusterWithClient(cluster, QuorumKvClient.builder().endpoints(cluster.endpoints())
        .overallTimeout(Duration.ofSeconds(30)).build());
  }

  @Override
  public void close() {
    kv.close();
    cluster.close();
  }
}
