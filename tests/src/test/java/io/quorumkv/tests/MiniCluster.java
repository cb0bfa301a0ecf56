package io.quorumkv.tests;

import io.quorumkv.server.QuorumKvNode;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.LogSettings;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.config.RaftSettings;
import io.quorumkv.server.config.SessionSettings;
import io.quorumkv.server.config.TlsSettings;
import io.quorumkv.server.config.WriteSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * N real QuorumKV members (real Ratis, RocksDB and gRPC over loopback) in this JVM, on ephemeral ports
 * and temporary data dirs, with stop / restart of single members. Close it to stop everything.
 */
public final class MiniCluster implements AutoCloseable {
  /** Short election timeouts keep failover tests quick; generous enough for a loaded 2-core machine. */
  public static final RaftSettings TEST_RAFT = new RaftSettings(Duration.ofMillis(400), Duration.ofMillis(800),
      Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(10));

  private final ClusterConfig config;
  private final Map<String, QuorumKvNode> running = new LinkedHashMap<>();

  private MiniCluster(ClusterConfig config) {
    this.config = config;
  }

  /** Starts {@code size} members named n1..nN and waits until one of them leads. */
  public static MiniCluster start(int size) throws IOException, InterruptedException {
    return start(size, Limits.DEFAULTS);
  }

  public static MiniCluster start(int size, Limits limits) throws IOException, InterruptedException {
    return start(size, limits, LogSettings.DEFAULTS);
  }

  public static MiniCluster start(int size, Limits limits, LogSettings log) throws IOException, InterruptedException {
    return start(size, limits, log, SessionSettings.DEFAULTS);
  }

  public static MiniCluster start(int size, Limits limits, LogSettings log, SessionSettings sessions)
      throws IOException, InterruptedException {
    return start(size, limits, log, sessions, TlsSettings.NONE);
  }

  /** Members n1..nN with TLS as {@code tls} says (its files must exist). */
  public static MiniCluster start(int size, TlsSettings tls) throws IOException, InterruptedException {
    return start(size, Limits.DEFAULTS, LogSettings.DEFAULTS, SessionSettings.DEFAULTS, tls);
  }

  /** Members n1..nN with these limits and TLS as {@code tls} says (its files must exist). */
  public static MiniCluster start(int size, Limits limits, TlsSettings tls) throws IOException, InterruptedException {
    return start(size, limits, LogSettings.DEFAULTS, SessionSettings.DEFAULTS, tls);
  }

  private static MiniCluster start(int size, Limits limits, LogSettings log, SessionSettings sessions,
      TlsSettings tls) throws IOException, InterruptedException {
    Path root = TestSupport.newTestDir("minicluster-");
    List<NodeSpec> nodes = new ArrayList<>();
    Set<Integer> ports = new HashSet<>();
    for (int i = 1; i <= size; i++) {
      nodes.add(new NodeSpec("n" + i, "127.0.0.1", distinctFreePort(ports), distinctFreePort(ports),
          root.resolve("n" + i), distinctFreePort(ports)));
    }
    MiniCluster cluster = new MiniCluster(new ClusterConfig("mini-" + root.getFileName(), nodes, limits, TEST_RAFT, log,
        sessions, WriteSettings.DEFAULTS, tls));
    try {
      for (NodeSpec n : nodes) {
        cluster.startNode(n.id());
      }
      cluster.awaitLeader(Duration.ofSeconds(30));
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** A free port not among {@code taken} (the OS may hand out a just-closed port again), added to it. */
  private static int distinctFreePort(Set<Integer> taken) {
    while (true) {
      int port = TestSupport.freePort();
      if (taken.add(port)) {
        return port;
      }
    }
  }

  public ClusterConfig config() {
    return config;
  }

  /** Client endpoints of every member, running or not, in member order. */
  public List<String> endpoints() {
    return config.nodes().stream().map(NodeSpec::clientAddress).toList();
  }

  public String endpoint(String nodeId) {
    return config.requireNode(nodeId).clientAddress();
  }

  public synchronized QuorumKvNode node(String nodeId) {
    QuorumKvNode node = running.get(nodeId);
    if (node == null) {
      throw new IllegalStateException(nodeId + " is not running");
    }
    return node;
  }

  public synchronized List<String> runningIds() {
    return List.copyOf(running.keySet());
  }

  /** Stops a member cleanly (its data stays; {@link #restart} brings it back). */
  public synchronized void stop(String nodeId) {
    QuorumKvNode node = running.remove(nodeId);
    if (node != null) {
      node.close();
    }
  }

  /** The member's data dir (holds ratis/ and db/); stop the member before touching it. */
  public Path dataDir(String nodeId) {
    return config.requireNode(nodeId).dataDir();
  }

  /** Starts a stopped member again on its data dir. */
  public synchronized void start(String nodeId) throws IOException {
    if (!running.containsKey(nodeId)) {
      startNode(nodeId);
    }
  }

  public synchronized void restart(String nodeId) throws IOException {
    stop(nodeId);
    startNode(nodeId);
  }

  public synchronized Optional<String> leaderId() {
    return running.values().stream().filter(QuorumKvNode::isLeader).map(QuorumKvNode::id).findFirst();
  }

  /**
   * A running follower of the current leader (waiting up to {@code timeout} for one), other than
   * {@code avoid} when there is a choice: rounds of a test then hit different members.
   */
  public String aFollower(String avoid, Duration timeout) throws InterruptedException {
    String leader = awaitLeader(timeout);
    return runningIds().stream().filter(id -> !id.equals(leader))
        .min(Comparator.comparing((String id) -> id.equals(avoid))).orElseThrow();
  }

  /** Waits until a running member is leader and ready to accept writes. */
  public String awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> leader = leaderId();
      if (leader.isPresent()) {
        return leader.get();
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no leader within " + timeout + " among " + runningIds());
  }

  /** Waits until the member's applied index reaches {@code index}. */
  public void awaitApplied(String nodeId, long index, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (node(nodeId).appliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(nodeId + " applied " + node(nodeId).appliedIndex() + " < " + index
            + " after " + timeout);
      }
      Thread.sleep(TimeUnit.MILLISECONDS.toMillis(20));
    }
  }

  @Override
  public synchronized void close() {
    for (String id : List.copyOf(running.keySet())) {
      stop(id);
    }
  }

  private synchronized void startNode(String nodeId) throws IOException {
    running.put(nodeId, QuorumKvNode.start(config, nodeId));
  }


}
