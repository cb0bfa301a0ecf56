package io.quorumkv.server.metrics;

import io.grpc.ServerInterceptor;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.SummaryWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.quorumkv.server.health.MemberHealth;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.statemachine.ActivityCounters;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.search.IndexStats;
import io.quorumkv.statemachine.search.SearchIndexes;
import io.quorumkv.statemachine.storage.StoreStats;
import java.io.IOException;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;

/**
 * A member's metrics in the Prometheus text format, served over HTTP at {@code /metrics}: its gRPC calls
 * ({@link #interceptor()}), Raft, the state machine, RocksDB, search indexes, health and the JVM. Every
 * metric but the calls is read when scraped, from the parts that own it; the README lists them all.
 */
public final class NodeMetrics implements AutoCloseable {
  private static final double NANOS = 1e9;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final RpcMetrics rpcs = new RpcMetrics(registry);
  private HTTPServer server;

  public NodeMetrics(RaftGateway raft, KvStateMachine stateMachine, SearchIndexes indexes, MemberHealth health) {
    JvmMetrics.builder().register(registry);
    registerRaft(raft, stateMachine);
    registerStateMachine(stateMachine.activity(), raft);
    registerStore(stateMachine);
    registerSearch(stateMachine, indexes);
    GaugeWithCallback.builder().name("quorumkv_serving")
        .help("1 if the member serves the service (kv: key-value requests; all: also searches), else 0;"
            + " see the health service")
        .labelNames("service")
        .callback(cb -> {
          cb.call(health.current().servesKv() ? 1 : 0, "kv");
          cb.call(health.current().serving() ? 1 : 0, "all");
        }).register(registry);
  }

  /** Serves {@code /metrics} on {@code host:port}; returns this. */
  public NodeMetrics serve(String host, int port) throws IOException {
    try {
      server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    } catch (IOException e) {
      throw new IOException("cannot serve metrics on " + host + ":" + port + " (metrics-port): " + e.getMessage(), e);
    }
    return this;
  }

  /** The port {@code /metrics} is served on (useful when asked for port 0). */
  public int port() {
    return server.getPort();
  }

  /** Records every gRPC call of the member's server. */
  public ServerInterceptor interceptor() {
    return rpcs;
  }

  private void registerRaft(RaftGateway raft, KvStateMachine stateMachine) {
    gauge("quorumkv_raft_term", "The member's current Raft term", () -> raft.info().getCurrentTerm());
    GaugeWithCallback.builder().name("quorumkv_raft_role").help("1 for the member's current Raft role, else 0")
        .labelNames("role")
        .callback(cb -> {
          RaftPeerRole current = raft.info().getCurrentRole();
          for (RaftPeerRole role : new RaftPeerRole[] {
              RaftPeerRole.LEADER, RaftPeerRole.FOLLOWER, RaftPeerRole.CANDIDATE, RaftPeerRole.LISTENER}) {
            cb.call(role == current ? 1 : 0, role.name().toLowerCase(Locale.ROOT));
          }
        }).register(registry);
    counter("quorumkv_raft_leader_changes", "Leader changes the member saw (an election's start counts too)",
        () -> stateMachine.activity().leaderChanges());
    gauge("quorumkv_raft_commit_index", "Commit index the member knows", () -> Math.max(0, raft.commitIndex()));
    gauge("quorumkv_raft_applied_index", "Last log index applied by the state machine",
        () -> stateMachine.lastAppliedIndex());
    gauge("quorumkv_raft_log_start_index", "First index still in the member's Raft log", () -> raft.logStartIndex());
    gauge("quorumkv_raft_log_entries", "Entries in the member's Raft log (last index - start index + 1)",
        () -> Math.max(0, raft.lastLogIndex() - raft.logStartIndex() + 1));
    gauge("quorumkv_raft_log_bytes_since_snapshot",
        "Bytes of the entries applied since the latest snapshot (about what a restart replays)",
        () -> stateMachine.logBytesSinceSnapshot());
    gauge("quorumkv_snapshot_index", "Log index of the member's latest snapshot (0 if none)",
        () -> raft.snapshotIndex());
    gauge("quorumkv_snapshot_bytes", "Size of the files of the member's latest snapshot", () -> raft.snapshotBytes());
  }

  private void registerStateMachine(ActivityCounters activity, RaftGateway raft) {
    SummaryWithCallback.builder().name("quorumkv_apply_duration_seconds")
        .help("Time the state machine spent applying log entries (count: entries applied)")
        .callback(cb -> cb.call(activity.appliedEntries(), activity.applyNanos() / NANOS, Quantiles.EMPTY))
        .register(registry);
    SummaryWithCallback.builder().name("quorumkv_snapshot_duration_seconds")
        .help("Time spent writing snapshots (count: snapshots taken since the member started)")
        .callback(cb -> cb.call(activity.snapshots(), activity.snapshotNanos() / NANOS, Quantiles.EMPTY))
        .register(registry);
  }

  private void registerStore(KvStateMachine stateMachine) {
    GaugeWithCallback.builder().name("quorumkv_rocksdb")
        .help("RocksDB figures of the live store: sst_bytes, live_data_bytes, memtable_bytes,"
            + " pending_compaction_bytes, running_compactions, level0_files")
        .labelNames("figure")
        .callback(cb -> {
          StoreStats s = stateMachine.storeStats();
          cb.call(s.sstBytes(), "sst_bytes");
          cb.call(s.liveDataBytes(), "live_data_bytes");
          cb.call(s.memtableBytes(), "memtable_bytes");
          cb.call(s.pendingCompactionBytes(), "pending_compaction_bytes");
          cb.call(s.runningCompactions(), "running_compactions");
          cb.call(s.level0Files(), "level0_files");
        }).register(registry);
  }

  private void registerSearch(KvStateMachine stateMachine, SearchIndexes indexes) {
    gauge("quorumkv_search_index_lag_entries",
        "Log entries the member applied but its search indexes have not indexed yet",
        () -> Math.max(0, stateMachine.lastAppliedIndex() - indexes.position()));
    GaugeWithCallback.builder().name("quorumkv_search_index_documents")
        .help("Keys in each search index as of its last refresh").labelNames("index")
        .callback(cb -> indexes.list().forEach(i -> cb.call(i.documents(), name(i)))).register(registry);
    GaugeWithCallback.builder().name("quorumkv_search_index_segments")
        .help("Lucene segments of each search index (k-NN searches explore each)").labelNames("index")
        .callback(cb -> indexes.list().forEach(i -> cb.call(i.segments(), name(i)))).register(registry);
    GaugeWithCallback.builder().name("quorumkv_search_index_state")
        .help("1 for each search index's state (building, ready, failed), else 0").labelNames("index", "state")
        .callback(cb -> indexes.list().forEach(i -> {
          for (IndexStats.State state : IndexStats.State.values()) {
            cb.call(i.state() == state ? 1 : 0, name(i), state.name().toLowerCase(Locale.ROOT));
          }
        })).register(registry);
    GaugeWithCallback.builder().name("quorumkv_search_index_pending_embeddings")
        .help("Keys of each semantic index waiting for their embedding").labelNames("index")
        .callback(cb -> indexes.list().forEach(i -> cb.call(i.pendingEmbeddings(), name(i)))).register(registry);
  }

  private static String name(IndexStats index) {
    return index.definition().getSpec().getName();
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
        .register(registry);
  }

  private void counter(String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong()))
        .register(registry);
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
