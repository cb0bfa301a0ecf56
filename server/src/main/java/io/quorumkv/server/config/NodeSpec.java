package io.quorumkv.server.config;

import java.nio.file.Path;

/**
 * One member of the cluster as listed in the cluster file.
 *
 * @param id         member id, unique in the cluster (letters, digits, '-' and '_')
 * @param host       address the member binds and is reached at
 * @param raftPort   port of the Raft peer service (replication, elections)
 * @param clientPort port of the QuorumKV gRPC service (KV, Cluster)
 * @param dataDir    where the member keeps its Raft log and database
 * @param metricsPort port of the member's Prometheus metrics endpoint (HTTP, {@code /metrics}); 0 for none
 */
public record NodeSpec(String id, String host, int raftPort, int clientPort, Path dataDir, int metricsPort) {

  /** A member without a metrics endpoint. */
  public NodeSpec(String id, String host, int raftPort, int clientPort, Path dataDir) {
    this(id, host, raftPort, clientPort, dataDir, 0);
  }

  public String raftAddress() {
    return host + ":" + raftPort;
  }

  public String clientAddress() {
    return host + ":" + clientPort;
  }
}
