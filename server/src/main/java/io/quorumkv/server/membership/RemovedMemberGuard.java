package io.quorumkv.server.membership;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.server.errors.ErrorCatalog;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.RaftGateway;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Once this member's Raft member has shut down while the process runs on (Ratis shuts down a member
 * removed from the configuration), every request fails with MEMBER_REMOVED, which clients retry on
 * another member. Only the calls that describe the member still answer: its status, the membership it
 * last knew, and the health service (NOT_SERVING).
 */
public final class RemovedMemberGuard implements ServerInterceptor {
  private static final Set<String> STILL_ANSWERED = Set.of(
      ClusterGrpc.getMemberStatusMethod().getFullMethodName(),
      ClusterGrpc.getStatusMethod().getFullMethodName(),
      ClusterGrpc.getListMembersMethod().getFullMethodName());

  private final RaftGateway raft;
  private final LiveMembers members;
  private final BooleanSupplier stopping;

  /** @param stopping true once this process stops the member itself (then nothing was removed) */
  public RemovedMemberGuard(RaftGateway raft, LiveMembers members, BooleanSupplier stopping) {
    this.raft = raft;
    this.members = members;
    this.stopping = stopping;
  }

  /** Why this member serves nothing any more, if it does not. */
  public Optional<String> removal() {
    if (raft.alive() || stopping.getAsBoolean()) {
      return Optional.empty();
    }
    String id = raft.memberId();
    boolean inConfiguration = members.current().member(id).isPresent();
    return Optional.of("member " + id + (inConfiguration
        ? " has shut down its Raft member: it was removed from the cluster (told so by the leader), or hit a"
            + " fatal error (see its log)"
        : " was removed from the cluster (members now: " + members.current().describe() + ")")
        + "; it serves nothing. To add it back, stop it, wipe its data directory, start it with --join and"
        + " add it with `quorumkv member add`");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Optional<String> removal = removal();
    String method = call.getMethodDescriptor().getFullMethodName();
    if (removal.isEmpty() || STILL_ANSWERED.contains(method) || method.startsWith("grpc.")) {
      return next.startCall(call, headers);
    }
    StatusRuntimeException status = ErrorCatalog.toStatus(new KvError(ErrorCode.MEMBER_REMOVED, removal.get()));
    call.close(status.getStatus(), status.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
