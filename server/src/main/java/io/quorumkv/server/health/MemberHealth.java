package io.quorumkv.server.health;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.SearchGrpc;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.search.SearchIndexes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.server.DivisionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges this member's health every {@value #CHECK_EVERY_MILLIS} ms ({@link HealthRules}) and publishes it
 * through the standard {@code grpc.health.v1} service: the whole member (service name "") and
 * {@code quorumkv.v1.KV} are SERVING when key-value requests can be served, {@code quorumkv.v1.Search}
 * when searches can too; "" requires both. The verdicts of consecutive checks are steadied ({@link
 * SteadyHealth}) so that a delay hovering around its limit does not make the status flap. Logs each change of
 * the published verdict.
 */
public final class MemberHealth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MemberHealth.class);
  static final long CHECK_EVERY_MILLIS = 500;
  /** Committed entries a serving member may have left to apply (it applies thousands per second). */
  static final long MAX_APPLY_LAG = 1000;
  /** Applied entries a member serving searches may have left to index. */
  static final long MAX_INDEX_LAG = 1000;

  private final RaftGateway raft;
  private final KvStateMachine stateMachine;
  private final SearchIndexes indexes;
  private final HealthStatusManager published;
  private final HealthRules.Limits limits;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "quorumkv-health");
    thread.setDaemon(true);
    return thread;
  });
  private final Supplier<Optional<String>> removal;
  private final SteadyHealth steady = new SteadyHealth();
  private volatile HealthRules.Verdict current = HealthRules.Verdict.STARTING;

  /**
   * @param contactMillis longest silence between leader and follower that still counts as contact: a
   *     few heartbeat intervals, not less than the election timeout
   * @param removal why the member serves nothing any more (removed from the cluster), if it does not
   */
  public MemberHealth(RaftGateway raft, KvStateMachine stateMachine, SearchIndexes indexes,
      HealthStatusManager published, long contactMillis, Supplier<Optional<String>> removal) {
    this.removal = removal;
    this.raft = raft;
    this.stateMachine = stateMachine;
    this.indexes = indexes;
    this.published = published;
    this.limits = new HealthRules.Limits(contactMillis, MAX_APPLY_LAG, MAX_INDEX_LAG);
    publish(current);
  }

  /** Checks now, then every {@value #CHECK_EVERY_MILLIS} ms. */
  public MemberHealth start() {
    timer.scheduleWithFixedDelay(this::check, 0, CHECK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** The verdict of the latest check. */
  public HealthRules.Verdict current() {
    return current;
  }

  private void check() {
    HealthRules.Verdict verdict;
    try {
      Optional<String> removed = removal.get();
      verdict = removed.isPresent() ? HealthRules.Verdict.notServing(removed.get())
          : HealthRules.judge(observe(), limits);
    } catch (RuntimeException e) {
      verdict = HealthRules.Verdict.notServing("health check failed: " + e);
    }
    HealthRules.Verdict before = current;
    verdict = steady.next(verdict);
    current = verdict;
    publish(verdict);
    if (before.serving() != verdict.serving()) {
      if (verdict.serving()) {
        LOG.info("health: SERVING");
      } else if (verdict.servesKv()) {
        // Only the indexes (e.g. one being built after CreateIndex): expected, not a fault of the member.
        LOG.info("health: NOT_SERVING: {}", String.join("; ", verdict.searchReasons()));
      } else {
        LOG.warn("health: NOT_SERVING: {}", String.join("; ", verdict.searchReasons()));
      }
    }
  }

  private HealthRules.Observation observe() {
    DivisionInfo info = raft.info();
    RoleInfoProto role = info.getRoleInfoProto();
    Set<String> voters = raft.voters();
    HealthRules.Role kind = switch (info.getCurrentRole()) {
      case LEADER -> HealthRules.Role.LEADER;
      case FOLLOWER -> HealthRules.Role.FOLLOWER;
      case CANDIDATE -> HealthRules.Role.CANDIDATE;
      case LISTENER -> HealthRules.Role.LEARNER;
      default -> HealthRules.Role.OTHER;
    };
    List<Long> followers = role.hasLeaderInfo()
        ? role.getLeaderInfo().getFollowerInfoList().stream()
            .filter(f -> voters.contains(f.getId().getId().toStringUtf8()))
            .map(f -> f.getLastRpcElapsedTimeMs()).toList()
        : List.of();
    long leaderContact = role.hasFollowerInfo() ? role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs()
        : Long.MAX_VALUE;
    // Read the applied index before the commit index: the lag is then never understated.
    long applied = stateMachine.lastAppliedIndex();
    long indexed = indexes.position();
    return new HealthRules.Observation(kind, info.getLeaderId() != null, leaderContact, followers,
        Math.max(1, voters.size()), raft.commitIndex(), applied, indexed, indexes.list());
  }

  private void publish(HealthRules.Verdict verdict) {
    published.setStatus(KVGrpc.SERVICE_NAME, status(verdict.servesKv()));
    published.setStatus(SearchGrpc.SERVICE_NAME, status(verdict.serving()));
    published.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status(verdict.serving()));
  }

  private static ServingStatus status(boolean serving) {
    return serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
