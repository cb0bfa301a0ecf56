package io.quorumkv.client;

import io.grpc.MethodDescriptor;
import io.quorumkv.proto.v1.AddMemberRequest;
import io.quorumkv.proto.v1.AddMemberResponse;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.ListMembersRequest;
import io.quorumkv.proto.v1.ListMembersResponse;
import io.quorumkv.proto.v1.PromoteMemberRequest;
import io.quorumkv.proto.v1.PromoteMemberResponse;
import io.quorumkv.proto.v1.RemoveMemberRequest;
import io.quorumkv.proto.v1.RemoveMemberResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Membership changes (see the Cluster service in cluster.proto): list, add, promote and remove members.
 * Obtained from {@link QuorumKvClient#membership()}. Changes go to the leader (following NOT_LEADER
 * hints) and are retried like writes on UNAVAILABLE; a repeated add or promote that already took effect
 * answers {@code changed = false}. A change waits up to its {@code timeout} (an add waits for the new
 * member to catch up, which can take as long as copying the whole state).
 */
public final class MembershipClient {
  private final ChannelPool channels;
  private final RetryingCaller caller;

  MembershipClient(ChannelPool channels, RetryingCaller caller) {
    this.channels = channels;
    this.caller = caller;
  }

  /** The configuration as the answering member (any) knows it. */
  public ListMembersResponse list() {
    return join(caller.call(CallKind.READ, "ListMembers", attempt(ClusterGrpc.getListMembersMethod(),
        ListMembersRequest.getDefaultInstance())));
  }

  /**
   * Adds member {@code id}, which must run already ({@code quorumkv node --join}): as a learner, then, unless
   * {@code asLearner}, as a voter once it has caught up.
   */
  public AddMemberResponse add(String id, String raftAddress, String clientAddress, boolean asLearner,
      Duration timeout) {
    AddMemberRequest request = AddMemberRequest.newBuilder().setId(id).setRaftAddress(raftAddress)
        .setClientAddress(clientAddress).setAsLearner(asLearner).build();
    return join(caller.call(CallKind.WRITE, "AddMember", attempt(ClusterGrpc.getAddMemberMethod(), request), timeout));
  }

  /** Makes learner {@code id} a voter; refused unless it has caught up. */
  public PromoteMemberResponse promote(String id, Duration timeout) {
    return join(caller.call(CallKind.WRITE, "PromoteMember",
        attempt(ClusterGrpc.getPromoteMemberMethod(), PromoteMemberRequest.newBuilder().setId(id).build()), timeout));
  }

  /** Removes member {@code id} (the leader too: it hands leadership over first). */
  public RemoveMemberResponse remove(String id, Duration timeout) {
    return join(caller.call(CallKind.WRITE, "RemoveMember",
        attempt(ClusterGrpc.getRemoveMemberMethod(), RemoveMemberRequest.newBuilder().setId(id).build()), timeout));
  }

  private <Req, Resp> RetryingCaller.Attempt<Resp> attempt(MethodDescriptor<Req, Resp> method, Req request) {
    return (endpoint, timeoutNanos) -> UnaryCalls.call(channels.channel(endpoint), method, request, timeoutNanos);
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }
}
