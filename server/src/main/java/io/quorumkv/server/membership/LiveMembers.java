package io.quorumkv.server.membership;

import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.NodeSpec;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;

/**
 * The cluster's membership as this member's Raft configuration holds it, with each member's addresses.
 * A configuration entry written without a client address (the bootstrap entry of a cluster created
 * before addresses travelled in it) takes it from the cluster file.
 */
public final class LiveMembers {
  private final Supplier<RaftConfiguration> raftConf;
  private final ClusterConfig cluster;

  public LiveMembers(Supplier<RaftConfiguration> raftConf, ClusterConfig cluster) {
    this.raftConf = raftConf;
    this.cluster = cluster;
  }

  /** The current configuration (the new one, while a change is being committed). */
  public Configuration current() {
    RaftConfiguration conf = raftConf.get();
    boolean changing = !conf.getPreviousPeers().isEmpty() || !conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
    return new Configuration(entries(conf.getCurrentPeers(RaftPeerRole.FOLLOWER), true),
        entries(conf.getCurrentPeers(RaftPeerRole.LISTENER), false), conf.getLogEntryIndex(), changing);
  }

  /**
   * The client address of member {@code id}: from the current or the previous configuration, else from
   * the cluster file.
   */
  public Optional<String> clientAddress(String id) {
    RaftConfiguration conf = raftConf.get();
    RaftPeer peer = conf.getPeer(RaftPeerId.valueOf(id), RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER);
    return Optional.ofNullable(peer).flatMap(PeerAddresses::clientAddress)
        .or(() -> cluster.node(id).map(NodeSpec::clientAddress));
  }

  private List<MemberEntry> entries(Collection<RaftPeer> peers, boolean voters) {
    return peers.stream()
        .map(peer -> new MemberEntry(peer.getId().toString(), peer.getAddress(),
            PeerAddresses.clientAddress(peer)
                .or(() -> cluster.node(peer.getId().toString()).map(NodeSpec::clientAddress)).orElse(""),
            voters))
        .sorted(Comparator.comparing(MemberEntry::id))
        .toList();
  }

  /** The bootstrap configuration of a fresh cluster: every member of the cluster file votes. */
  public static List<RaftPeer> bootstrapPeers(ClusterConfig cluster) {
    return cluster.nodes().stream()
        .map(n -> PeerAddresses.peer(n.id(), n.raftAddress(), n.clientAddress())).toList();
  }
}
