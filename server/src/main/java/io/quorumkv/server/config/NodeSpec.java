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
 */
public record NodeSpec(String id, String host, int raftPort, int clientPort, Path dataDir) {

  public String raftAddress() {
    return host + ":" + raftPort;
  }

  public String clientAddress() {
    return host + ":" + clientPort;
  }
}
