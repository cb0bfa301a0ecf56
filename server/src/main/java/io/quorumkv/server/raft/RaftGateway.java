package io.quorumkv.server.raft;

import io.quorumkv.proto.internal.CoalescedOp;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.SessionRules;
import io.quorumkv.server.config.SessionSettings;
import io.quorumkv.server.errors.ErrorCatalog;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.server.errors.KvError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import io.quorumkv.server.membership.Configuration;
import io.quorumkv.server.membership.MemberEntry;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Hands requests to the local Raft server in-process: writes (only on the leader) and linearizable read
 * barriers (on any member). Every failure comes back as a {@link KvError}.
 *
 * <p>A write's command gets the leader's context here: its wall clock and the session rules, which the
 * state machine applies it with. Every request goes to Ratis under this member's own ClientId and a new
 * callId, never the client's write id: Ratis' retry cache would answer a repeated id with the first reply
 * without looking at the content, so a write id reused for another write would not be caught. Repeats are
 * therefore logged again and answered by the client's session in the state machine.
 *
 * <p>Owns one small thread (waiting for the new leader after a transfer): {@link #close} it when the member
 * stops.
 */
public final class RaftGateway implements WriteProposer, AutoCloseable {
  private final RaftServer server;
  private final RaftServer.Division division;
  private final Function<String, Optional<String>> clientEndpointOf;
  /** This member's identity towards Ratis, with a new callId for every request: nothing is deduplicated. */
  private final ClientId ownClientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final SessionRules sessionRules;
  private final LeaderChangeWatch leaderChanges;

  /**
   * @param clientEndpointOf member id → its client endpoint, for NOT_LEADER hints
   * @param sessions the session rules this member's writes carry while it leads
   */
  public RaftGateway(RaftServer server, RaftServer.Division division,
      Function<String, Optional<String>> clientEndpointOf, SessionSettings sessions) {
    this.server = server;
    this.division = division;
    this.clientEndpointOf = clientEndpointOf;
    this.sessionRules = SessionRules.newBuilder().setExpireAfterMillis(sessions.expireAfter().toMillis())
        .setMaxSessions(sessions.maxSessions()).build();
    this.leaderChanges = new LeaderChangeWatch(() -> division.getInfo().getLeaderId(),
        "qkv-" + server.getId() + "-leader-watch");
  }

  /**
   * Replicates and applies one command (its op and write id set by the caller). Fails fast with
   * NOT_LEADER (naming the leader if known) when this member is not the leader.
   */
  @Override
  public CompletableFuture<WriteOutcome> write(Command.Builder command) {
    return submitWrite(command).thenApply(reply -> toOutcome(resultOf(reply), reply.getLogIndex()));
  }

  /**
   * Replicates and applies several client writes (each with its op and write id) as one coalesced entry,
   * and completes with their outcomes in the same order. Fails as {@link #write} does.
   */
  @Override
  public CompletableFuture<List<WriteOutcome>> writeCoalesced(List<Command> writes) {
    Command.Builder entry = Command.newBuilder().setCoalesced(CoalescedOp.newBuilder().addAllWrites(writes));
    return submitWrite(entry).thenApply(reply -> {
      CommandResult result = resultOf(reply);
      if (result.getCoalesced().getResultsCount() != writes.size()) {
        throw new KvError(ErrorCode.INTERNAL_ERROR, "the coalesced entry at index " + reply.getLogIndex()
            + " of " + writes.size() + " writes was answered with " + result.getCoalesced().getResultsCount()
            + " results");
      }
      List<WriteOutcome> outcomes = new ArrayList<>(writes.size());
      for (CommandResult each : result.getCoalesced().getResultsList()) {
        outcomes.add(toOutcome(each, reply.getLogIndex()));
      }
      return outcomes;
    });
  }

  private CompletableFuture<RaftClientReply> submitWrite(Command.Builder command) {
    DivisionInfo info = division.getInfo();
    if (!info.isLeader()) {
      return CompletableFuture.failedFuture(ErrorCatalog.notLeader(leaderHint().orElse(null)));
    }
    byte[] entry = command.setLeaderTimeMillis(System.currentTimeMillis()).setSessionRules(sessionRules).build()
        .toByteArray();
    RaftClientRequest request = newRequest(ownClientId, callIds.incrementAndGet(),
        Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)), RaftClientRequest.writeRequestType());
    return submit(request);
  }

  /**
   * Completes once this member has applied everything committed before the call (Raft ReadIndex, confirmed
   * with the leader when called on a follower). A local read after it is linearizable.
   */
  public CompletableFuture<Void> readBarrier() {
    RaftClientRequest request = newRequest(ownClientId, callIds.incrementAndGet(), Message.EMPTY,
        RaftClientRequest.readRequestType(false, false, true));
    return submit(request).thenApply(reply -> null);
  }

  /** The leader this member believes in, with its client endpoint. */
  public Optional<KvError.LeaderHint> leaderHint() {
    RaftPeerId leader = division.getInfo().getLeaderId();
    if (leader == null) {
      return Optional.empty();
    }
    String id = leader.toString();
    return Optional.of(new KvError.LeaderHint(id, clientEndpointOf.apply(id).orElse(null)));
  }

  /**
   * Takes a snapshot on this member now, unless nothing was applied since the latest one, and completes
   * with the snapshot's index (Ratis then purges the log up to it).
   */
  public CompletableFuture<Long> takeSnapshot(long timeoutMillis) {
    return successful(() -> server.snapshotManagementAsync(SnapshotManagementRequest.newCreate(ownClientId,
        server.getId(), division.getGroup().getGroupId(), callIds.incrementAndGet(), timeoutMillis, 1)))
        .thenApply(RaftClientReply::getLogIndex);
  }

  /**
   * Hands leadership over to {@code toMember} and completes with the new leader's id. Ratis first brings
   * the member's log up to date, then asks it to run an election. Fails with NOT_LEADER on a follower.
   * (Ratis' "no target" mode only steps down, and the old leader, whose log is the newest, often wins
   * again: callers choose a target.)
   */
  public CompletableFuture<String> transferLeadership(String toMember, long timeoutMillis) {
    if (!division.getInfo().isLeader()) {
      return CompletableFuture.failedFuture(ErrorCatalog.notLeader(leaderHint().orElse(null)));
    }
    RaftPeerId oldLeader = server.getId();
    return successful(() -> server.transferLeadershipAsync(new TransferLeadershipRequest(ownClientId,
        server.getId(), division.getGroup().getGroupId(), callIds.incrementAndGet(),
        RaftPeerId.valueOf(toMember), timeoutMillis)))
        .thenCompose(reply -> leaderChanges.leaderOtherThan(oldLeader, timeoutMillis));
  }

  /**
   * Replaces the configuration {@code current} with {@code next} (Ratis compares the current one first, so
   * a change made meanwhile by another leader fails instead of being overwritten). Ratis first brings new
   * members up to date, then commits the change by joint consensus. Completes once it is committed; fails
   * with MEMBERSHIP_CHANGE_IN_PROGRESS, MEMBERSHIP_CHANGE_REFUSED (e.g. a new member did not answer) or
   * NOT_LEADER.
   */
  public CompletableFuture<Void> changeConfiguration(Configuration current, Configuration next) {
    if (!division.getInfo().isLeader()) {
      return CompletableFuture.failedFuture(ErrorCatalog.notLeader(leaderHint().orElse(null)));
    }
    SetConfigurationRequest.Arguments arguments = SetConfigurationRequest.Arguments.newBuilder()
        .setServersInCurrentConf(peers(current.voters()))
        .setListenersInCurrentConf(peers(current.learners()))
        .setServersInNewConf(peers(next.voters()))
        .setListenersInNewConf(peers(next.learners()))
        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
        .build();
    return successful(() -> server.setConfigurationAsync(new SetConfigurationRequest(ownClientId, server.getId(),
        division.getGroup().getGroupId(), callIds.incrementAndGet(), arguments))).thenApply(reply -> null);
  }

  private static List<RaftPeer> peers(List<MemberEntry> members) {
    return members.stream().map(MemberEntry::toPeer).toList();
  }

  /** Leader only: each member's commit index as the leader knows it (its own included); empty elsewhere. */
  public Map<String, Long> commitIndexes() {
    if (!division.getInfo().isLeader()) {
      return Map.of();
    }
    return division.getCommitInfos().stream().collect(Collectors.toMap(
        info -> info.getServer().getId().toStringUtf8(), CommitInfoProto::getCommitIndex, Math::max));
  }

  /** False once the Raft member has shut down (closed, or removed from the configuration). */
  public boolean alive() {
    return division.getInfo().isAlive();
  }

  public String memberId() {
    return server.getId().toString();
  }

  /** Index of this member's latest snapshot, 0 if it has none. */
  public long snapshotIndex() {
    SnapshotInfo latest = division.getStateMachine().getLatestSnapshot();
    return latest == null ? 0 : Math.max(0, latest.getIndex());
  }

  /** Total size of the files of this member's latest snapshot, 0 if it has none. */
  public long snapshotBytes() {
    SnapshotInfo latest = division.getStateMachine().getLatestSnapshot();
    return latest == null ? 0 : latest.getFiles().stream().mapToLong(FileInfo::getFileSize).sum();
  }

  /**
   * Index of the first entry still in this member's Raft log; for an empty log (e.g. just after a snapshot
   * install, before the next entry arrives), the index its next entry will have.
   */
  public long logStartIndex() {
    RaftLog log = division.getRaftLog();
    long start = log.getStartIndex();
    return start >= 0 ? start : Math.max(0, log.getSnapshotIndex() + 1);
  }

  public DivisionInfo info() {
    return division.getInfo();
  }

  /** Ids of the voting members of the current configuration, this one included if it votes. */
  public Set<String> voters() {
    return division.getRaftConf().getCurrentPeers().stream().map(peer -> peer.getId().toString())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Index of the last entry in this member's Raft log (committed or not); 0 if it is empty. */
  public long lastLogIndex() {
    var last = division.getRaftLog().getLastEntryTermIndex();
    return last == null ? 0 : Math.max(0, last.getIndex());
  }

  public long commitIndex() {
    return division.getRaftLog().getLastCommittedIndex();
  }

  /** Stops the gateway's own thread and fails transfers still waiting for a new leader; not the Raft server. */
  @Override
  public void close() {
    leaderChanges.close();
  }

  private CompletableFuture<RaftClientReply> submit(RaftClientRequest request) {
    return successful(() -> server.submitClientRequestAsync(request));
  }

  /** Runs a Ratis call and turns every way it can fail (thrown, exceptional, unsuccessful reply) into a KvError. */
  private CompletableFuture<RaftClientReply> successful(RatisCall call) {
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = call.send();
    } catch (Exception e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((reply, error) -> {
      if (error != null) {
        throw ErrorCatalog.fromRatis(error, this::endpointOf);
      }
      if (!reply.isSuccess()) {
        throw ErrorCatalog.fromRatis(ErrorCatalog.failureOf(reply), this::endpointOf);
      }
      return reply;
    });
  }

  /** A request to the local Ratis server; its methods may throw as well as fail their future. */
  @FunctionalInterface
  private interface RatisCall {
    CompletableFuture<RaftClientReply> send() throws Exception;
  }

  private RaftClientRequest newRequest(ClientId clientId, long callId, Message message, RaftClientRequest.Type type) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(server.getId())
        .setGroupId(division.getGroup().getGroupId())
        .setCallId(callId)
        .setMessage(message)
        .setType(type)
        .build();
  }

  private Optional<String> endpointOf(String memberId) {
    return clientEndpointOf.apply(memberId);
  }

  private static CommandResult resultOf(RaftClientReply reply) {
    try {
      return CommandResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new KvError(ErrorCode.INTERNAL_ERROR,
          "state machine returned an unreadable result at index " + reply.getLogIndex(), null, e);
    }
  }

  /** A repeated write is answered with the index that first applied it. */
  private static WriteOutcome toOutcome(CommandResult result, long entryIndex) {
    return new WriteOutcome(result, result.getOriginalIndex() != 0 ? result.getOriginalIndex() : entryIndex);
  }
}
