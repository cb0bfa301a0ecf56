package io.quorumkv.server.membership;

import java.util.Optional;
import org.apache.ratis.protocol.RaftPeer;

/**
 * How a member's two addresses travel in the Raft configuration, so that every member (also one that has
 * just joined and knows nothing else) learns them with the membership itself: the Raft address is the
 * peer's address, the client (gRPC) address is carried in the peer's client-address field. Ratis itself
 * reads that field only in its own client, which QuorumKV does not use: members hand requests to Ratis
 * in-process.
 */
public final class PeerAddresses {

  private PeerAddresses() {}

  /** The configuration entry of a member. */
  public static RaftPeer peer(String id, String raftAddress, String clientAddress) {
    return RaftPeer.newBuilder().setId(id).setAddress(raftAddress).setClientAddress(clientAddress).build();
  }

  /** The client address a configuration entry carries; empty for entries written without one. */
  public static Optional<String> clientAddress(RaftPeer peer) {
    String address = peer.getClientAddress();
    return address == null || address.isEmpty() ? Optional.empty() : Optional.of(address);
  }
}
