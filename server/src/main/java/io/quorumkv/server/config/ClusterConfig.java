package io.quorumkv.server.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A whole cluster file: the members and the settings they share. Every member must be started with the
 * same file. Read one with {@link ClusterConfigReader#read(Path)}; build one in code (tests) with the
 * canonical constructor.
 *
 * @param name  cluster name; the cluster id (and Raft group id) is derived from it, so it must never change
 * @param nodes the members, in the order the file lists them: the voting members of a fresh cluster, and
 *              the members a member started with {@code --join} may be found among. Once a cluster
 *              runs, its membership is what its Raft configuration holds
 */
public record ClusterConfig(String name, List<NodeSpec> nodes, Limits limits, RaftSettings raft, LogSettings log,
    SessionSettings sessions, WriteSettings writes, TlsSettings tls, MembershipSettings membership) {

  /** A cluster with the default membership rules. */
  public ClusterConfig(String name, List<NodeSpec> nodes, Limits limits, RaftSettings raft, LogSettings log,
      SessionSettings sessions, WriteSettings writes, TlsSettings tls) {
    this(name, nodes, limits, raft, log, sessions, writes, tls, MembershipSettings.DEFAULTS);
  }

  /** A cluster without TLS. */
  public ClusterConfig(String name, List<NodeSpec> nodes, Limits limits, RaftSettings raft, LogSettings log,
      SessionSettings sessions, WriteSettings writes) {
    this(name, nodes, limits, raft, log, sessions, writes, TlsSettings.NONE);
  }

  /** A cluster with default log and session settings. */
  public ClusterConfig(String name, List<NodeSpec> nodes, Limits limits, RaftSettings raft) {
    this(name, nodes, limits, raft, LogSettings.DEFAULTS);
  }

  /** A cluster with default session and write settings. */
  public ClusterConfig(String name, List<NodeSpec> nodes, Limits limits, RaftSettings raft, LogSettings log) {
    this(name, nodes, limits, raft, log, SessionSettings.DEFAULTS);
  }

  /** A cluster with default write settings. */
  public ClusterConfig(String name, List<NodeSpec> nodes, Limits limits, RaftSettings raft, LogSettings log,
      SessionSettings sessions) {
    this(name, nodes, limits, raft, log, sessions, WriteSettings.DEFAULTS);
  }

  public ClusterConfig {
    if (name == null || name.isBlank()) {
      throw new ConfigException("cluster.name must be set");
    }
    if (nodes.isEmpty()) {
      throw new ConfigException("nodes: at least one node is required");
    }
    nodes = List.copyOf(nodes);
    Set<String> ids = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (NodeSpec n : nodes) {
      if (!ids.add(n.id())) {
        throw new ConfigException("nodes: duplicate id '" + n.id() + "'");
      }
      if (!addresses.add(n.raftAddress()) || !addresses.add(n.clientAddress())) {
        throw new ConfigException("nodes: node '" + n.id() + "' reuses an address of another port: "
            + n.raftAddress() + " / " + n.clientAddress());
      }
    }
  }

  /** Stable cluster id: a name-based UUID, also used as the Raft group id. */
  public UUID clusterId() {
    return clusterIdOf(name);
  }

  /** The cluster id of a cluster with this name. */
  public static UUID clusterIdOf(String name) {
    return UUID.nameUUIDFromBytes(("quorumkv:" + name).getBytes(StandardCharsets.UTF_8));
  }

  /** The fewest voting members a removal may leave. */
  public int minVoters() {
    return membership.minVotersFor(nodes.size());
  }

  public Optional<NodeSpec> node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  public NodeSpec requireNode(String id) {
    return node(id).orElseThrow(() -> new ConfigException(
        "node '" + id + "' is not in cluster '" + name + "' (members: "
            + nodes.stream().map(NodeSpec::id).toList() + ")"));
  }
}
