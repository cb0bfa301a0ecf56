package io.quorumkv.server.membership;

import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.server.errors.ErrorCatalog;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.RaftGateway;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes membership changes on the leader, one at a time, each checked by {@link MembershipRules} against
 * what the leader sees at that moment and then proposed to Ratis as a compare-and-set of the whole
 * configuration. An added member joins as a learner; it is promoted once the leader sees it caught up.
 */
public final class MembershipChanges {
  private static final Logger LOG = LoggerFactory.getLogger(MembershipChanges.class);
  /** Entries a learner may be behind the leader's commit index to be promoted (Ratis' staging gap too). */
  static final long MAX_PROMOTION_LAG = 1000;
  private static final long CATCH_UP_POLL_MILLIS = 100;

  /** The configuration after a request, and whether the request changed it. */
  public record Outcome(Configuration configuration, boolean changed) {}

  private final RaftGateway raft;
  private final LiveMembers members;
  private final int minVoters;
  private final long contactMillis;
  private final long catchUpMillis;
  /** Runs what follows a Ratis change: never on Ratis' own threads, which the next change would block. */
  private final Executor executor;
  private final AtomicReference<String> underWay = new AtomicReference<>();

  /**
   * @param minVoters the fewest voters a removal may leave
   * @param contactMillis a member that answered the leader within this is responsive
   * @param catchUpMillis how long an added member may take to join as a learner (Ratis brings it up to
   *     date first), and then again to come within reach of promotion
   * @param executor runs the steps that follow a committed change
   */
  public MembershipChanges(RaftGateway raft, LiveMembers members, int minVoters, long contactMillis, long catchUpMillis,
      Executor executor) {
    this.executor = executor;
    this.raft = raft;
    this.members = members;
    this.minVoters = minVoters;
    this.contactMillis = contactMillis;
    this.catchUpMillis = catchUpMillis;
  }

  /**
   * Adds {@code candidate} as a learner, then (if {@code asLearner} is false) promotes it.
   *
   * @param askCandidate asks the candidate's client address for its MemberStatus (never fails: an
   *     unreachable member is reported as such); a member that is not running is refused before Ratis
   *     would stage it
   */
  public CompletableFuture<Outcome> add(MemberEntry candidate, boolean asLearner,
      Function<MemberEntry, CompletableFuture<Member>> askCandidate) {
    return exclusively("add " + candidate.id(), () -> {
      Configuration current = members.current();
      MembershipRules.Decision decision = MembershipRules.addLearner(current, candidate, view());
      CompletableFuture<Boolean> joined = switch (decision.kind()) {
        case CHANGE -> askCandidate.apply(candidate).thenCompose(answer -> {
          Optional<String> refusal = JoiningMember.refusal(candidate, answer);
          if (refusal.isPresent()) {
            return CompletableFuture.failedFuture(new KvError(ErrorCode.MEMBERSHIP_CHANGE_REFUSED, refusal.get()));
          }
          LOG.info("adding {} (raft {}, client {}) as a learner; the leader brings it up to date first",
              candidate.id(), candidate.raftAddress(), candidate.clientAddress());
          return raft.changeConfiguration(current, decision.next())
              .orTimeout(catchUpMillis, TimeUnit.MILLISECONDS)
              .exceptionallyCompose(error -> CompletableFuture.failedFuture(notJoinedInTime(candidate, error)))
              .thenApply(ignored -> true);
        });
        case NO_CHANGE -> CompletableFuture.completedFuture(false);
        default -> CompletableFuture.failedFuture(refusal(decision));
      };
      return joined.thenComposeAsync(changed -> {
        boolean voter = members.current().member(candidate.id()).map(MemberEntry::voter).orElse(false);
        if (asLearner || voter) {
          return CompletableFuture.completedFuture(new Outcome(members.current(), changed));
        }
        return promoteOnceCaughtUp(candidate.id(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(catchUpMillis));
      }, executor);
    });
  }

  /** Makes learner {@code id} a voter, if it has caught up. */
  public CompletableFuture<Outcome> promote(String id) {
    return exclusively("promote " + id, () -> promoteNow(id));
  }

  /** Removes member {@code id}. The caller hands leadership away first if {@code id} is this member. */
  public CompletableFuture<Outcome> remove(String id) {
    return exclusively("remove " + id, () -> {
      Configuration current = members.current();
      MembershipRules.Decision decision = MembershipRules.remove(current, id, view(), minVoters);
      if (decision.kind() != MembershipRules.Kind.CHANGE) {
        return CompletableFuture.failedFuture(refusal(decision));
      }
      LOG.info("removing {}: voters {} -> {}", id, current.voterIds(), decision.next().voterIds());
      return raft.changeConfiguration(current, decision.next())
          .thenApply(ignored -> new Outcome(members.current(), true));
    });
  }

  /** Whether removing {@code id} would be allowed now; empty if so, else the refusal. */
  public Optional<KvError> checkRemove(String id) {
    MembershipRules.Decision decision = MembershipRules.remove(members.current(), id, view(), minVoters);
    return decision.kind() == MembershipRules.Kind.CHANGE ? Optional.empty()
        : Optional.of(refusal(decision));
  }

  private CompletableFuture<Outcome> promoteNow(String id) {
    Configuration current = members.current();
    MembershipRules.Decision decision = MembershipRules.promote(current, id, view());
    return switch (decision.kind()) {
      case CHANGE -> {
        LOG.info("promoting {} to a voter", id);
        yield raft.changeConfiguration(current, decision.next())
            .thenApply(ignored -> new Outcome(members.current(), true));
      }
      case NO_CHANGE -> CompletableFuture.completedFuture(new Outcome(current, false));
      default -> CompletableFuture.failedFuture(refusal(decision));
    };
  }

  /** Promotes {@code id} once it is within reach; a refusal for another reason ends the wait at once. */
  private CompletableFuture<Outcome> promoteOnceCaughtUp(String id, long deadlineNanos) {
    MembershipRules.Decision decision = MembershipRules.promote(members.current(), id, view());
    boolean waitable = decision.kind() == MembershipRules.Kind.IN_PROGRESS
        || (decision.kind() == MembershipRules.Kind.REFUSED && !caughtUp(id));
    if (!waitable || System.nanoTime() > deadlineNanos) {
      return promoteNow(id);
    }
    Executor later = CompletableFuture.delayedExecutor(CATCH_UP_POLL_MILLIS, TimeUnit.MILLISECONDS, executor);
    return CompletableFuture.supplyAsync(() -> id, later).thenCompose(ignored -> promoteOnceCaughtUp(id, deadlineNanos));
  }

  private boolean caughtUp(String id) {
    MembershipRules.View view = view();
    return view.responsive().contains(id)
        && view.commitIndex() - view.progress().getOrDefault(id, 0L) <= MAX_PROMOTION_LAG;
  }

  /** What the leader sees now; on a follower nobody is responsive, so every change is refused there. */
  MembershipRules.View view() {
    Set<String> responsive = new HashSet<>();
    Map<String, Long> progress = new HashMap<>(raft.commitIndexes());
    RoleInfoProto role = raft.info().getRoleInfoProto();
    if (role.hasLeaderInfo()) {
      responsive.add(raft.memberId());
      for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
        if (follower.getLastRpcElapsedTimeMs() <= contactMillis) {
          responsive.add(follower.getId().getId().toStringUtf8());
        }
      }
    }
    progress.putIfAbsent(raft.memberId(), raft.commitIndex());
    return new MembershipRules.View(responsive, progress, raft.commitIndex(), MAX_PROMOTION_LAG);
  }

  /** Runs one change at a time on this member: a second one fails with MEMBERSHIP_CHANGE_IN_PROGRESS. */
  private CompletableFuture<Outcome> exclusively(String change, Supplier<CompletableFuture<Outcome>> body) {
    if (!raft.info().isLeader()) {
      return CompletableFuture.failedFuture(ErrorCatalog.notLeader(raft.leaderHint().orElse(null)));
    }
    String other = underWay.compareAndExchange(null, change);
    if (other != null) {
      return CompletableFuture.failedFuture(new KvError(ErrorCode.MEMBERSHIP_CHANGE_IN_PROGRESS,
          "another membership change is under way on the leader (" + other + "); retry once it is done"));
    }
    CompletableFuture<Outcome> result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result.whenComplete((outcome, error) -> {
      underWay.set(null);
      if (error == null && outcome.changed()) {
        LOG.info("{} done: {}", change, outcome.configuration().describe());
      }
    });
  }

  /**
   * Ratis' staging of a new member has no deadline while writes keep the leader busy: after the catch-up
   * time the wait ends (so other changes are not refused for ever); Ratis may still finish the add.
   */
  private Throwable notJoinedInTime(MemberEntry candidate, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (!(cause instanceof TimeoutException)) {
      return cause;
    }
    return new KvError(ErrorCode.MEMBERSHIP_CHANGE_IN_PROGRESS, candidate.id() + " has not caught up within "
        + catchUpMillis / 1000 + " s; the leader keeps bringing it up to date and adds it once it has"
        + " (`quorumkv member list` shows it then)");
  }

  private static KvError refusal(MembershipRules.Decision decision) {
    ErrorCode code = decision.kind() == MembershipRules.Kind.IN_PROGRESS
        ? ErrorCode.MEMBERSHIP_CHANGE_IN_PROGRESS : ErrorCode.MEMBERSHIP_CHANGE_REFUSED;
    return new KvError(code, decision.message());
  }
}
