package io.quorumkv.server.api;

import io.grpc.ManagedChannel;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quorumkv.proto.v1.BackupChunk;
import io.quorumkv.proto.v1.BackupManifest;
import io.quorumkv.proto.v1.BackupRequest;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.MemberStatusRequest;
import io.quorumkv.proto.v1.MemberStatusResponse;
import io.quorumkv.proto.v1.Role;
import io.quorumkv.proto.v1.SnapshotRequest;
import io.quorumkv.proto.v1.SnapshotResponse;
import io.quorumkv.proto.v1.StatusRequest;
import io.quorumkv.proto.v1.StatusResponse;
import io.quorumkv.proto.v1.TransferLeadershipRequest;
import io.quorumkv.proto.v1.TransferLeadershipResponse;
import io.quorumkv.server.Directories;
import io.quorumkv.proto.v1.AddMemberRequest;
import io.quorumkv.proto.v1.AddMemberResponse;
import io.quorumkv.proto.v1.ListMembersRequest;
import io.quorumkv.proto.v1.ListMembersResponse;
import io.quorumkv.proto.v1.Membership;
import io.quorumkv.proto.v1.PromoteMemberRequest;
import io.quorumkv.proto.v1.PromoteMemberResponse;
import io.quorumkv.proto.v1.RemoveMemberRequest;
import io.quorumkv.proto.v1.RemoveMemberResponse;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.membership.Configuration;
import io.quorumkv.server.membership.LiveMembers;
import io.quorumkv.server.membership.MemberEntry;
import io.quorumkv.server.membership.MembershipChanges;
import io.quorumkv.server.errors.ErrorCatalog;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.snapshot.BackupCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import io.quorumkv.server.health.HealthRules;
import io.quorumkv.server.health.MemberHealth;
import io.quorumkv.server.tls.MemberTls;
import org.apache.ratis.server.DivisionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cluster gRPC service: this member's status and the whole cluster's as this member can see it,
 * snapshots, backups, leadership transfer and membership changes.
 */
public final class ClusterService extends ClusterGrpc.ClusterImplBase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterService.class);
  private static final long PEER_TIMEOUT_MILLIS = 1000;
  /** A member to be added may have been started a moment ago: its port is tried until then. */
  private static final long CANDIDATE_TIMEOUT_MILLIS = 10_000;
  private static final long SNAPSHOT_TIMEOUT_MILLIS = 120_000;
  private static final long TRANSFER_TIMEOUT_MILLIS = 10_000;

  private final NodeSpec self;
  private final RaftGateway raft;
  private final KvStateMachine stateMachine;
  private final MemberHealth health;
  private final MemberTls tls;
  private final Headers headers;
  private final Executor executor;
  private final LocalReads reads;
  private final BackupStaging backupStaging;
  private final LiveMembers members;
  private final MembershipChanges changes;
  /** By client address: a member re-added at another address gets a new channel. */
  private final Map<String, ManagedChannel> peerChannels = new ConcurrentHashMap<>();

  public ClusterService(NodeSpec self, RaftGateway raft, LiveMembers members, MembershipChanges changes,
      KvStateMachine stateMachine, MemberHealth health, MemberTls tls, Headers headers, Executor executor,
      BackupStaging backupStaging) {
    this.self = self;
    this.members = members;
    this.changes = changes;
    this.raft = raft;
    this.stateMachine = stateMachine;
    this.health = health;
    this.tls = tls;
    this.headers = headers;
    this.executor = executor;
    this.reads = new LocalReads(raft, stateMachine, executor);
    this.backupStaging = backupStaging;
  }

  @Override
  public void memberStatus(MemberStatusRequest request, StreamObserver<MemberStatusResponse> response) {
    response.onNext(MemberStatusResponse.newBuilder()
        .setHeader(headers.at(stateMachine.lastAppliedIndex())).setMember(localMember()).build());
    response.onCompleted();
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    Configuration configuration = members.current();
    List<CompletableFuture<Member>> answers = new ArrayList<>();
    for (MemberEntry member : configuration.all()) {
      answers.add(member.id().equals(self.id()) ? CompletableFuture.completedFuture(localMember())
          : askPeer(member).thenApply(m -> m.toBuilder().setMembership(membershipOf(member)).build()));
    }
    if (configuration.member(self.id()).isEmpty()) {
      answers.add(CompletableFuture.completedFuture(localMember()));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenCompleteAsync((ignored, error) -> {
      try {
        StatusResponse.Builder reply = StatusResponse.newBuilder()
            .setHeader(headers.at(stateMachine.lastAppliedIndex()))
            .setClusterId(headers.clusterId())
            .setTerm(raft.info().getCurrentTerm());
        raft.leaderHint().ifPresent(leader -> reply.setLeaderId(leader.id())
            .setLeaderClientAddress(leader.clientEndpoint() == null ? "" : leader.clientEndpoint()));
        answers.forEach(m -> reply.addMembers(m.join()));
        response.onNext(reply.build());
        response.onCompleted();
      } catch (RuntimeException e) {
        response.onError(ErrorCatalog.toStatus(e));
      }
    }, executor);
  }

  @Override
  public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> response) {
    raft.takeSnapshot(SNAPSHOT_TIMEOUT_MILLIS).whenCompleteAsync((index, error) -> {
      if (error != null) {
        response.onError(ErrorCatalog.toStatus(error));
        return;
      }
      response.onNext(SnapshotResponse.newBuilder().setHeader(headers.at(stateMachine.lastAppliedIndex()))
          .setSnapshotIndex(index).build());
      response.onCompleted();
    }, executor);
  }

  @Override
  public void transferLeadership(TransferLeadershipRequest request,
      StreamObserver<TransferLeadershipResponse> response) {
    String to = request.getToMember();
    // A follower answers NOT_LEADER whatever the target, so only the leader looks for one.
    CompletableFuture<String> target = to.isEmpty() && raft.info().isLeader()
        ? mostUpToDatePeer(members.current().voterIds()) : CompletableFuture.completedFuture(to);
    target.thenCompose(member -> raft.transferLeadership(member, TRANSFER_TIMEOUT_MILLIS))
        .whenCompleteAsync((leader, error) -> {
          if (error != null) {
            response.onError(ErrorCatalog.toStatus(error));
            return;
          }
          response.onNext(TransferLeadershipResponse.newBuilder()
              .setHeader(headers.at(stateMachine.lastAppliedIndex())).setNewLeaderId(leader).build());
          response.onCompleted();
        }, executor);
  }

  @Override
  public void listMembers(ListMembersRequest request, StreamObserver<ListMembersResponse> response) {
    Configuration configuration = members.current();
    response.onNext(ListMembersResponse.newBuilder().setHeader(headers.at(stateMachine.lastAppliedIndex()))
        .addAllMembers(toMembers(configuration)).setConfigurationIndex(Math.max(0, configuration.index()))
        .setChanging(configuration.changing()).build());
    response.onCompleted();
  }

  @Override
  public void addMember(AddMemberRequest request, StreamObserver<AddMemberResponse> response) {
    MemberEntry candidate = new MemberEntry(request.getId(), request.getRaftAddress(), request.getClientAddress(), false);
    CompletableFuture<MembershipChanges.Outcome> added = changes.add(candidate, request.getAsLearner(), this::askCandidate);
    reply(added, response, outcome -> AddMemberResponse.newBuilder()
        .setHeader(headers.at(stateMachine.lastAppliedIndex()))
        .addAllMembers(toMembers(outcome.configuration())).setChanged(outcome.changed()).build());
  }

  @Override
  public void promoteMember(PromoteMemberRequest request, StreamObserver<PromoteMemberResponse> response) {
    reply(changes.promote(request.getId()), response, outcome -> PromoteMemberResponse.newBuilder()
        .setHeader(headers.at(stateMachine.lastAppliedIndex()))
        .addAllMembers(toMembers(outcome.configuration())).setChanged(outcome.changed()).build());
  }

  /**
   * Removes a member. The leader does not remove itself: it checks that the removal is allowed, hands
   * leadership to the most up-to-date other voter and forwards the request to it, so that clients wait
   * for one leader transfer instead of an election.
   */
  @Override
  public void removeMember(RemoveMemberRequest request, StreamObserver<RemoveMemberResponse> response) {
    String id = request.getId();
    CompletableFuture<RemoveMemberResponse> removed;
    if (id.equals(self.id()) && raft.info().isLeader()) {
      Optional<KvError> refusal = changes.checkRemove(id);
      removed = refusal.isPresent() ? CompletableFuture.failedFuture(refusal.get())
          : mostUpToDatePeer(members.current().voterIds())
              .thenCompose(target -> raft.transferLeadership(target, TRANSFER_TIMEOUT_MILLIS))
              .thenCompose(newLeader -> forwardRemoval(newLeader, request));
    } else {
      removed = changes.remove(id).thenApply(outcome -> RemoveMemberResponse.newBuilder()
          .setHeader(headers.at(stateMachine.lastAppliedIndex()))
          .addAllMembers(toMembers(outcome.configuration())).build());
    }
    reply(removed, response, r -> r);
  }

  private CompletableFuture<RemoveMemberResponse> forwardRemoval(String newLeader, RemoveMemberRequest request) {
    LOG.info("handed leadership to {} to be removed; forwarding the removal to it", newLeader);
    Optional<String> address = members.clientAddress(newLeader);
    if (address.isEmpty()) {
      return CompletableFuture.failedFuture(new KvError(ErrorCode.NODE_UNAVAILABLE,
          "the new leader " + newLeader + " has no known client address; retry the removal there"));
    }
    CompletableFuture<RemoveMemberResponse> result = new CompletableFuture<>();
    ClusterGrpc.newStub(channelTo(address.get())).withDeadlineAfter(TRANSFER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .removeMember(request, new StreamObserver<>() {
          @Override
          public void onNext(RemoveMemberResponse value) {
            result.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            result.completeExceptionally(new KvError(ErrorCode.INTERNAL_ERROR, newLeader + " sent no answer"));
          }
        });
    return result;
  }

  private <T, R> void reply(CompletableFuture<T> outcome, StreamObserver<R> response,
      Function<T, R> toResponse) {
    outcome.whenCompleteAsync((value, error) -> {
      if (error != null) {
        response.onError(ErrorCatalog.toStatus(error));
        return;
      }
      response.onNext(toResponse.apply(value));
      response.onCompleted();
    }, executor);
  }

  private static List<Member> toMembers(Configuration configuration) {
    return configuration.all().stream().map(m -> base(m).setMembership(membershipOf(m)).build()).toList();
  }

  private static Membership membershipOf(MemberEntry member) {
    return member.voter() ? Membership.VOTER : Membership.LEARNER;
  }

  /** Checkpoints the local state (after a read barrier for LINEARIZABLE) and streams it; see cluster.proto. */
  @Override
  public void backup(BackupRequest request, StreamObserver<BackupChunk> response) {
    ServerCallStreamObserver<BackupChunk> call = (ServerCallStreamObserver<BackupChunk>) response;
    BackupStreamer streamer = BackupStreamer.attach(call);
    reads.ready(request.getRead()).thenRunAsync(() -> {
      Path dir = null;
      try {
        dir = backupStaging.newCheckpointDir();
        BackupCheckpoint checkpoint = stateMachine.checkpointForBackup(dir);
        streamer.begin(checkpoint.dir(), BackupManifest.newBuilder()
            .setClusterId(headers.clusterId()).setMemberId(headers.memberId())
            .setAppliedTerm(checkpoint.term()).setAppliedIndex(checkpoint.index()));
      } catch (IOException | RuntimeException e) {
        if (dir != null) {
          deleteQuietly(dir);
        }
        call.onError(ErrorCatalog.toStatus(e instanceof IllegalStateException
            ? new KvError(ErrorCode.NODE_UNAVAILABLE, "cannot back up now: " + e.getMessage()) : e));
      }
    }, executor).exceptionally(error -> {
      call.onError(ErrorCatalog.toStatus(error));
      return null;
    });
  }

  private static void deleteQuietly(Path dir) {
    try {
      Directories.deleteRecursively(dir);
    } catch (IOException e) {
      LOG.warn("could not delete backup checkpoint {}", dir, e);
    }
  }

  private Member localMember() {
    DivisionInfo info = raft.info();
    Member.Builder member = Member.newBuilder().setId(self.id()).setClientAddress(self.clientAddress())
        .setRaftAddress(self.raftAddress()).setReachable(true)
        .setRole(roleOf(info))
        .setTerm(info.getCurrentTerm())
        .setCommitIndex(Math.max(0, raft.commitIndex()))
        .setAppliedIndex(Math.max(0, stateMachine.lastAppliedIndex()))
        .setSnapshotIndex(raft.snapshotIndex())
        .setSnapshotBytes(raft.snapshotBytes())
        .setLogStartIndex(raft.logStartIndex());
    HealthRules.Verdict verdict = health.current();
    member.setServing(verdict.serving()).addAllNotServingReasons(verdict.searchReasons());
    members.current().member(self.id()).ifPresent(m -> member.setMembership(membershipOf(m)));
    if (info.getLeaderId() != null) {
      member.setLeaderId(info.getLeaderId().toString());
    }
    return member.build();
  }

  /**
   * The reachable other member that has applied the most entries: the one a transfer waits least for.
   * Not merely the most responsive one: after the damaged-log procedure (README) that is often the member
   * that was just wiped, whose election the others would refuse.
   */
  private CompletableFuture<String> mostUpToDatePeer(Set<String> among) {
    Configuration configuration = members.current();
    List<CompletableFuture<Member>> peers = configuration.voters().stream()
        .filter(m -> !m.id().equals(self.id()) && among.contains(m.id())).map(this::askPeer).toList();
    return CompletableFuture.allOf(peers.toArray(CompletableFuture[]::new)).thenApply(ignored -> peers.stream()
        .map(CompletableFuture::join).filter(Member::getReachable)
        .max(Comparator.comparingLong(Member::getAppliedIndex).thenComparing(Member::getId, Comparator.reverseOrder()))
        .map(Member::getId)
        .orElseThrow(() -> new KvError(ErrorCode.NODE_UNAVAILABLE, "no other member is reachable to take over")));
  }

  /** Asks member {@code nodeId} (another one) for its status; see {@link #askPeer}. */
  public CompletableFuture<Member> askPeer(String nodeId) {
    Optional<MemberEntry> member = members.current().member(nodeId);
    if (member.isEmpty()) {
      return CompletableFuture.completedFuture(Member.newBuilder().setId(nodeId).setReachable(false)
          .setError(nodeId + " is not in the configuration").build());
    }
    return askPeer(member.get());
  }

  /** Asks a peer for its own status; never fails: an unreachable peer is reported as such. */
  private CompletableFuture<Member> askPeer(MemberEntry node) {
    return askStatus(node, ClusterGrpc.newStub(channelTo(node.clientAddress()))
        .withDeadlineAfter(PEER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
  }

  /**
   * As {@link #askPeer}, for a member to be added: waits for it to come up, for a while. On a channel of
   * its own, closed after the answer, so that refused addresses leave no channel behind.
   */
  private CompletableFuture<Member> askCandidate(MemberEntry candidate) {
    ManagedChannel channel = tls.channelTo(candidate.clientAddress());
    return askStatus(candidate, ClusterGrpc.newStub(channel).withWaitForReady()
        .withDeadlineAfter(CANDIDATE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS))
        .whenComplete((answer, error) -> channel.shutdown());
  }

  private static CompletableFuture<Member> askStatus(MemberEntry node, ClusterGrpc.ClusterStub stub) {
    CompletableFuture<Member> result = new CompletableFuture<>();
    stub.memberStatus(MemberStatusRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(MemberStatusResponse value) {
        result.complete(value.getMember());
      }

      @Override
      public void onError(Throwable t) {
        result.complete(base(node).setReachable(false).setError(t.getMessage()).build());
      }

      @Override
      public void onCompleted() {
        result.complete(base(node).setReachable(false).setError("no answer").build());
      }
    });
    return result;
  }

  private ManagedChannel channelTo(String clientAddress) {
    return peerChannels.computeIfAbsent(clientAddress, tls::channelTo);
  }

  private static Member.Builder base(MemberEntry node) {
    return Member.newBuilder().setId(node.id()).setClientAddress(node.clientAddress())
        .setRaftAddress(node.raftAddress());
  }

  private static Role roleOf(DivisionInfo info) {
    return switch (info.getCurrentRole()) {
      case LEADER -> Role.LEADER;
      case FOLLOWER -> Role.FOLLOWER;
      case CANDIDATE -> Role.CANDIDATE;
      case LISTENER -> Role.LISTENER;
      default -> Role.ROLE_UNSPECIFIED;
    };
  }

  @Override
  public void close() {
    peerChannels.values().forEach(ManagedChannel::shutdownNow);
    peerChannels.clear();
  }
}
