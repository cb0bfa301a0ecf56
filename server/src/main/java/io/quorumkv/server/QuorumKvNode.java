package io.quorumkv.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.server.api.BackupStaging;
import io.quorumkv.server.api.ClusterService;
import io.quorumkv.server.api.EmbeddingBackfill;
import io.quorumkv.server.api.Headers;
import io.quorumkv.server.api.KvService;
import io.quorumkv.server.api.SearchService;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.config.SnapshotInstall;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.health.MemberHealth;
import io.quorumkv.server.membership.LiveMembers;
import io.quorumkv.server.membership.MembershipChanges;
import io.quorumkv.server.membership.RemovedMemberGuard;
import io.quorumkv.server.metrics.NodeMetrics;
import io.quorumkv.server.raft.LeaderCheckpointFetcher;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.server.raft.RaftLogDiagnosis;
import io.quorumkv.server.raft.RaftPropertiesFactory;
import io.quorumkv.server.raft.SnapshotBySize;
import io.quorumkv.server.raft.SnapshotReceiveProgress;
import io.quorumkv.server.raft.WriteCoalescer;
import io.quorumkv.server.tls.MemberTls;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.search.SearchIndexes;
import io.quorumkv.statemachine.search.embed.BatchingEmbedder;
import io.quorumkv.statemachine.search.embed.LazyEmbedder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running QuorumKV member: a Ratis server applying commands to a {@link KvStateMachine}, and the
 * QuorumKV gRPC services on the member's client port.
 *
 * <p>Data layout under the member's data dir: {@code ratis/} (Raft log, Ratis storage), {@code db/}
 * (the live RocksDB) and {@code backup-tmp/} (checkpoints of running backups, cleared at start). Starting
 * again on the same data dir recovers the member.
 */
public final class QuorumKvNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuorumKvNode.class);
  /** How long an added member may take to catch up (a state copy included) before its promotion is tried. */
  private static final long MEMBER_CATCH_UP_MILLIS = 600_000;

  private final NodeSpec self;
  private final RaftServer raftServer;
  private final KvStateMachine stateMachine;
  private final RaftGateway gateway;
  private final Server grpcServer;
  private final ClusterService clusterService;
  private final ExecutorService requestExecutor;
  /** Set when close() begins: a Raft member shut down after that was stopped, not removed. */
  private final AtomicBoolean stopping;
  private final HealthStatusManager health;
  private final Monitoring monitoring;
  private final SnapshotDuties snapshotDuties;
  private final SearchResources search;
  private boolean closed;

  /** Snapshot housekeeping beside Ratis': the size trigger, and install progress (leader-sent installs). */
  private record SnapshotDuties(SnapshotBySize bySize, SnapshotReceiveProgress receiveProgress)
      implements AutoCloseable {
    @Override
    public void close() {
      if (bySize != null) {
        bySize.close();
      }
      if (receiveProgress != null) {
        receiveProgress.close();
      }
    }
  }

  /** The member's health checks and metrics (either may be absent if the start failed before it). */
  private record Monitoring(MemberHealth health, NodeMetrics metrics) implements AutoCloseable {
    @Override
    public void close() {
      if (health != null) {
        health.close();
      }
      if (metrics != null) {
        metrics.close();
      }
    }
  }

  /** What search adds to a member; closed after the Raft server, which feeds the indexes. */
  private record SearchResources(EmbeddingBackfill backfill, SearchIndexes indexes, BatchingEmbedder embedder,
      LazyEmbedder model) implements AutoCloseable {
    @Override
    public void close() {
      if (backfill != null) {
        backfill.close();
      }
      indexes.close();
      embedder.close();
      try {
        model.close();
      } catch (Exception e) {
        LOG.warn("error while closing the embedding model", e);
      }
    }
  }

  private QuorumKvNode(NodeSpec self, RaftServer raftServer, KvStateMachine stateMachine, RaftGateway gateway,
      Server grpcServer, ClusterService clusterService, ExecutorService requestExecutor, AtomicBoolean stopping,
      HealthStatusManager health, Monitoring monitoring, SnapshotDuties snapshotDuties, SearchResources search) {
    this.stopping = stopping;
    this.self = self;
    this.raftServer = raftServer;
    this.stateMachine = stateMachine;
    this.gateway = gateway;
    this.grpcServer = grpcServer;
    this.clusterService = clusterService;
    this.requestExecutor = requestExecutor;
    this.health = health;
    this.monitoring = monitoring;
    this.snapshotDuties = snapshotDuties;
    this.search = search;
  }

  /**
   * Starts member {@code nodeId} of {@code cluster}; returns once both servers listen. A member without
   * Raft storage yet starts a fresh cluster with every member of the cluster file as a voter.
   */
  public static QuorumKvNode start(ClusterConfig cluster, String nodeId) throws IOException {
    return start(cluster, nodeId, false);
  }

  /**
   * Starts member {@code nodeId}; with {@code join}, a member without Raft storage yet starts with an
   * empty configuration and waits to be added to a running cluster (AddMember). A member that has storage
   * starts from it either way: its configuration is in its log.
   */
  public static QuorumKvNode start(ClusterConfig cluster, String nodeId, boolean join) throws IOException {
    long startNanos = System.nanoTime();
    NodeSpec self = cluster.requireNode(nodeId);
    MemberTls tls = new MemberTls(cluster, nodeId);
    Path raftDir = Files.createDirectories(self.dataDir().resolve("ratis"));
    Path groupDir = raftDir.resolve(cluster.clusterId().toString());
    refuseDatabaseWithoutItsLog(self, groupDir);
    boolean joining = join && !Files.exists(groupDir);
    BackupStaging backupStaging = new BackupStaging(self.dataDir());
    int leftovers = backupStaging.removeLeftovers();
    if (leftovers > 0) {
      LOG.info("member {}: removed {} checkpoint(s) of interrupted backups under {}", nodeId, leftovers, backupStaging);
    }
    boolean fetches = cluster.log().snapshotInstall() == SnapshotInstall.MEMBER_FETCHES;
    SearchIndexes searchIndexes = new SearchIndexes(self.dataDir().resolve("search"));
    KvStateMachine stateMachine = new KvStateMachine(self.dataDir().resolve("db"),
        fetches ? new LeaderCheckpointFetcher(cluster, tls) : null, searchIndexes);
    LazyEmbedder model = LazyEmbedder.miniLm();
    BatchingEmbedder embedder = new BatchingEmbedder(model);
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(cluster.clusterId()),
        joining ? List.of() : LiveMembers.bootstrapPeers(cluster));
    RaftServer raftServer = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(nodeId))
        .setGroup(group)
        .setProperties(RaftPropertiesFactory.create(cluster, self, raftDir))
        .setParameters(tls.raftParameters())
        .setStateMachine(stateMachine)
        // FORMAT (the default) refuses to start on an existing log; RECOVER starts fresh or recovers.
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
    RaftGateway gateway = null;
    ExecutorService requestExecutor = null;
    ClusterService clusterService = null;
    EmbeddingBackfill backfill = null;
    SnapshotBySize snapshotBySize = null;
    HealthStatusManager health = new HealthStatusManager();
    AtomicBoolean stopping = new AtomicBoolean();
    MemberHealth memberHealth = null;
    NodeMetrics metrics = null;
    try {
      raftServer.start();
      RaftServer.Division division = raftServer.getDivision(group.getGroupId());
      LiveMembers members = new LiveMembers(division::getRaftConf, cluster);
      gateway = new RaftGateway(raftServer, division, members::clientAddress, cluster.sessions());
      RemovedMemberGuard removedGuard = new RemovedMemberGuard(gateway, members, stopping::get);
      snapshotBySize = SnapshotBySize.start(gateway, stateMachine::logBytesSinceSnapshot,
          cluster.log().snapshotEveryBytes());
      requestExecutor = Executors.newFixedThreadPool(
          Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), daemonThreads("qkv-" + nodeId + "-req-"));
      Headers headers = new Headers(cluster.clusterId().toString(), nodeId, gateway);
      long contactMillis = 2 * cluster.raft().electionTimeoutMax().toMillis();
      memberHealth = new MemberHealth(gateway, stateMachine, searchIndexes, health, contactMillis,
          removedGuard::removal);
      MembershipChanges changes = new MembershipChanges(gateway, members, cluster.minVoters(), contactMillis,
          MEMBER_CATCH_UP_MILLIS, requestExecutor);
      clusterService = new ClusterService(self, gateway, members, changes, stateMachine, memberHealth, tls,
          headers, requestExecutor, backupStaging);
      metrics = new NodeMetrics(gateway, stateMachine, searchIndexes, memberHealth);
      if (self.metricsPort() > 0) {
        metrics.serve(self.host(), self.metricsPort());
      }
      WriteCoalescer writes = new WriteCoalescer(gateway, cluster.writes(),
          RaftPropertiesFactory.maxLogEntryBytes(cluster), requestExecutor);
      backfill = EmbeddingBackfill.start(gateway, writes, stateMachine, searchIndexes, embedder);
      Server grpcServer = tls.secure(NettyServerBuilder.forAddress(new InetSocketAddress(self.host(), self.clientPort())))
          .maxInboundMessageSize(cluster.limits().maxMessageBytes())
          // Clients (the Java client, members fetching snapshots) ping idle long calls every 10 s.
          .permitKeepAliveTime(5, TimeUnit.SECONDS)
          .executor(requestExecutor)
          .intercept(removedGuard)
          .intercept(metrics.interceptor())
          .addService(new KvService(gateway, writes, stateMachine, headers, cluster.limits(), cluster.sessions(),
              embedder, requestExecutor))
          .addService(new SearchService(gateway, writes, stateMachine, searchIndexes, embedder, headers,
              cluster.limits(), cluster.sessions(), requestExecutor))
          .addService(clusterService)
          .addService(health.getHealthService())
          .addService(ProtoReflectionServiceV1.newInstance())
          .build()
          .start();
      memberHealth.start();
      if (joining) {
        LOG.info("member {} starts with an empty configuration: add it to the cluster with `quorumkv member add"
            + " {} --raft-address {} --client-address {}`", nodeId, nodeId, self.raftAddress(), self.clientAddress());
      }
      LOG.info("member {} of cluster '{}' serving clients on {} (raft {}, {}data {}); started in {} ms at applied"
          + " index {}", nodeId, cluster.name(), self.clientAddress(), self.raftAddress(),
          self.metricsPort() > 0 ? "metrics http://" + self.host() + ":" + self.metricsPort() + "/metrics, " : "",
          self.dataDir(), (System.nanoTime() - startNanos) / 1_000_000, stateMachine.lastAppliedIndex());
      // Leader-sent installs log nothing of their own while the chunks arrive (member-fetches logs its copy).
      SnapshotReceiveProgress receiveProgress = fetches ? null : new SnapshotReceiveProgress(
          raftDir.resolve(cluster.clusterId().toString()).resolve("tmp"), leaderSnapshotBytes(gateway, clusterService))
          .start();
      return new QuorumKvNode(self, raftServer, stateMachine, gateway, grpcServer, clusterService, requestExecutor,
          stopping, health, new Monitoring(memberHealth, metrics), new SnapshotDuties(snapshotBySize, receiveProgress),
          new SearchResources(backfill, searchIndexes, embedder, model));
    } catch (IOException | RuntimeException e) {
      new SnapshotDuties(snapshotBySize, null).close();
      new Monitoring(memberHealth, metrics).close();
      closeQuietly(raftServer, gateway, clusterService, requestExecutor);
      new SearchResources(backfill, searchIndexes, embedder, model).close();
      // A Raft server that failed to start does not close its state machine; its RocksDB lock would
      // otherwise outlive the failure.
      stateMachine.close();
      Optional<String> corrupt = RaftLogDiagnosis.findCorruptSegment(raftDir, RaftPropertiesFactory.maxLogEntryBytes(cluster));
      if (corrupt.isPresent()) {
        throw new IOException("member " + nodeId + " cannot start: " + corrupt.get() + ". The member refuses to"
            + " skip log entries it may have acknowledged. Remedy: if the other members are healthy, delete "
            + self.dataDir() + " and start the member again: it re-syncs from the leader (see README,"
            + " 'Damaged Raft log').", e);
      }
      throw e;
    }
  }

  /**
   * A database whose Raft log is gone would silently skip the new log's first entries (their indexes
   * look applied already), so a member never starts that way.
   */
  private static void refuseDatabaseWithoutItsLog(NodeSpec self, Path raftGroupDir) throws IOException {
    Path db = self.dataDir().resolve("db");
    if (!Files.exists(raftGroupDir) && !Directories.isAbsentOrEmpty(db)) {
      throw new IOException("member " + self.id() + " cannot start: " + db + " holds data but its Raft log ("
          + raftGroupDir + ") is missing. Restore the Raft log, or move " + self.dataDir()
          + " aside to start the member empty, or restore a backup with `quorumkv restore`.");
    }
  }

  public String id() {
    return self.id();
  }

  public String clientAddress() {
    return self.clientAddress();
  }

  public boolean isLeader() {
    return gateway.info().isLeader() && gateway.info().isLeaderReady();
  }

  public long appliedIndex() {
    return stateMachine.lastAppliedIndex();
  }

  /** Stops serving clients first, then Raft (which applies what is committed), then the store. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopping.set(true);
    snapshotDuties.close();
    // Load balancers and probes stop sending work before the listener goes away.
    monitoring.close();
    health.enterTerminalState();
    grpcServer.shutdown();
    try {
      if (!grpcServer.awaitTermination(2, TimeUnit.SECONDS)) {
        grpcServer.shutdownNow();
      }
    } catch (InterruptedException e) {
      grpcServer.shutdownNow();
      Thread.currentThread().interrupt();
    }
    closeQuietly(raftServer, gateway, clusterService, requestExecutor);
    search.close();
    LOG.info("member {} stopped", self.id());
  }

  private static void closeQuietly(RaftServer raftServer, RaftGateway gateway, ClusterService clusterService,
      ExecutorService executor) {
    if (clusterService != null) {
      clusterService.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    try {
      // Closing the Raft server also closes the state machine.
      raftServer.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("error while closing the Raft server", e);
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  /** Asks the leader (if known and not this member) for the size of its latest snapshot. */
  private static Supplier<OptionalLong> leaderSnapshotBytes(RaftGateway gateway, ClusterService clusterService) {
    return () -> {
      Optional<String> leader = gateway.leaderHint().map(KvError.LeaderHint::id);
      if (leader.isEmpty() || gateway.info().isLeader()) {
        return OptionalLong.empty();
      }
      try {
        Member member = clusterService.askPeer(leader.get()).get(2, TimeUnit.SECONDS);
        return member.getReachable() ? OptionalLong.of(member.getSnapshotBytes()) : OptionalLong.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return OptionalLong.empty();
      } catch (ExecutionException | TimeoutException e) {
        return OptionalLong.empty();
      }
    };
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
