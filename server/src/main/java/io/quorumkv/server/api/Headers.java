package io.quorumkv.server.api;

import io.quorumkv.proto.v1.ResponseHeader;
import io.quorumkv.server.raft.RaftGateway;

/** Builds the header every response carries. */
public final class Headers {
  private final String clusterId;
  private final String memberId;
  private final RaftGateway raft;

  public Headers(String clusterId, String memberId, RaftGateway raft) {
    this.clusterId = clusterId;
    this.memberId = memberId;
    this.raft = raft;
  }

  public ResponseHeader at(long appliedIndex) {
    return ResponseHeader.newBuilder()
        .setClusterId(clusterId)
        .setMemberId(memberId)
        .setRaftTerm(raft.info().getCurrentTerm())
        .setAppliedIndex(appliedIndex)
        .build();
  }

  public String clusterId() {
    return clusterId;
  }

  public String memberId() {
    return memberId;
  }
}
