package io.quorumkv.server.membership;

import org.apache.ratis.protocol.RaftPeer;

/**
 * One member of a Raft configuration.
 *
 * @param clientAddress "host:port" of its client (gRPC) service
 * @param voter true for a voting member, false for a learner
 */
public record MemberEntry(String id, String raftAddress, String clientAddress, boolean voter) {

  /** The Raft configuration entry for it. */
  public RaftPeer toPeer() {
    return PeerAddresses.peer(id, raftAddress, clientAddress);
  }

  public MemberEntry asVoter() {
    return new MemberEntry(id, raftAddress, clientAddress, true);
  }

  public boolean sameAddresses(MemberEntry other) {
    return raftAddress.equals(other.raftAddress) && clientAddress.equals(other.clientAddress);
  }
}
