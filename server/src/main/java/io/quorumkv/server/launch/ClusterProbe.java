package io.quorumkv.server.launch;

import io.grpc.ManagedChannel;
import io.quorumkv.server.tls.MemberTls;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.MemberStatusRequest;
import io.quorumkv.proto.v1.Role;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.NodeSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Asks members for their status over the client API, as an operator's tool would. */
public final class ClusterProbe implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final ClusterConfig cluster;

  /**
   * A probe of every member. With TLS it connects as the first member of the cluster file (its certificate
   * and key must be readable): the probe runs beside the members, as local-cluster and the tests do.
   */
  public ClusterProbe(ClusterConfig cluster) {
    this.cluster = cluster;
    MemberTls tls = new MemberTls(cluster, cluster.nodes().get(0).id());
    for (NodeSpec node : cluster.nodes()) {
      channels.put(node.id(), tls.channelTo(node));
    }
  }

  /** The member's own status, or empty if it does not answer within 500 ms. */
  public Optional<Member> status(String nodeId) {
    try {
      return Optional.of(ClusterGrpc.newBlockingStub(channels.get(nodeId))
          .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
          .memberStatus(MemberStatusRequest.getDefaultInstance()).getMember());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The id of a member that reports itself leader, if any answers so. */
  public Optional<String> leader() {
    for (NodeSpec node : cluster.nodes()) {
      Optional<Member> m = status(node.id());
      if (m.isPresent() && m.get().getRole() == Role.LEADER) {
        return Optional.of(node.id());
      }
    }
    return Optional.empty();
  }

  /** Polls until some member is leader, or the timeout passes. */
  public Optional<String> awaitLeader(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      Optional<String> leader = leader();
      if (leader.isPresent()) {
        return leader;
      }
      Thread.sleep(100);
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
