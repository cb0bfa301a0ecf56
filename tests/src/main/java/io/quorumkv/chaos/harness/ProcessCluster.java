package io.quorumkv.chaos.harness;

import io.quorumkv.proto.v1.Member;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.ClusterConfigReader;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.launch.ClusterProbe;
import io.quorumkv.server.launch.NodeProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The members of a cluster file, each run as its own JVM by this process, with the controls a chaos run
 * needs: SIGKILL, SIGSTOP / SIGCONT (pause), restart, and finding the leader. Thread-safe.
 *
 * <p>{@link #close()} kills every member this object started, also paused ones; a JVM shutdown hook does
 * the same if the process exits without closing, so no member outlives the run.
 */
public final class ProcessCluster implements AutoCloseable {
  private final Path configFile;
  private final ClusterConfig config;
  private final Path logDir;
  private final Map<String, NodeProcess> running = new ConcurrentHashMap<>();
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> starts = new ConcurrentHashMap<>();
  /** Members started otherwise than with the cluster file and no options (see {@link #launchWith}). */
  private final Map<String, Launch> launches = new ConcurrentHashMap<>();
  private final ClusterProbe probe;
  private final Thread shutdownHook = new Thread(this::killAll, "chaos-cluster-cleanup");

  /**
   * Starts nothing yet: call {@link #startAll()}.
   *
   * @param configFile the cluster file the members are started with
   * @param logDir where each member's output goes ({@code <id>.log}, appended across restarts)
   */
  public ProcessCluster(Path configFile, Path logDir) {
    this.configFile = configFile.toAbsolutePath();
    this.config = ClusterConfigReader.read(configFile);
    this.logDir = logDir;
    this.probe = new ClusterProbe(config);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public ClusterConfig config() {
    return config;
  }

  /** Member ids in cluster-file order. */
  public List<String> nodeIds() {
    return config.nodes().stream().map(NodeSpec::id).toList();
  }

  /** Client endpoints ("host:port") of every member. */
  public List<String> clientEndpoints() {
    return config.nodes().stream().map(NodeSpec::clientAddress).toList();
  }

  /**
   * Starts every member.
   *
   * @throws PortsInUseException naming the busy addresses if any member's port is already taken (e.g.
   *     by a cluster started by hand), before starting anything
   */
  public void startAll() throws IOException {
    List<String> busy = new ArrayList<>();
    for (NodeSpec n : config.nodes()) {
      for (int port : new int[] {n.raftPort(), n.clientPort()}) {
        if (!isFree(n.host(), port)) {
          busy.add(n.id() + " " + n.host() + ":" + port);
        }
      }
    }
    if (!busy.isEmpty()) {
      throw new PortsInUseException(busy);
    }
    for (String id : nodeIds()) {
      start(id);
    }
  }

  private static boolean isFree(String host, int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(host))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** How one member is started: with which cluster file and which options of {@code quorumkv node}. */
  private record Launch(Path configFile, List<String> options) {}

  /**
   * From now on, starts (and restarts) member {@code id} with {@code memberConfigFile} and {@code options}
   * instead of the cluster's file: e.g. the smaller file of the cluster the member was first part of, or
   * {@code --join} for a member added later. Starts nothing.
   */
  public void launchWith(String id, Path memberConfigFile, String... options) {
    config.requireNode(id);
    launches.put(id, new Launch(memberConfigFile.toAbsolutePath(), List.of(options)));
  }

  private void start(String id) throws IOException {
    Files.createDirectories(logDir);
    Launch launch = launches.getOrDefault(id, new Launch(configFile, List.of()));
    running.put(id, NodeProcess.start(launch.configFile(), id, logDir.resolve(id + ".log"), launch.options()));
    starts.merge(id, 1, Integer::sum);
  }

  /** SIGKILL; the member stays down until {@link #restart}. No-op if it is not running. */
  public void kill(String id) throws InterruptedException {
    NodeProcess p = running.remove(id);
    if (p != null) {
      p.kill();
    }
    paused.remove(id);
  }

  /**
   * SIGKILL of several members at once: every signal is sent before waiting for any process to end. The
   * members stay down until {@link #restart}. Members that are not running are skipped.
   */
  public void killTogether(List<String> ids) throws InterruptedException {
    List<NodeProcess> victims = new ArrayList<>();
    for (String id : ids) {
      NodeProcess p = running.remove(id);
      paused.remove(id);
      if (p != null) {
        p.process().destroyForcibly();
        victims.add(p);
      }
    }
    for (NodeProcess p : victims) {
      p.process().waitFor();
    }
  }

  /** SIGSTOP: the member freezes, its connections stay open. No-op if it is not running. */
  public void pause(String id) throws IOException, InterruptedException {
    NodeProcess p = running.get(id);
    if (p != null && signal("STOP", p.pid())) {
      paused.add(id);
    }
  }

  /** SIGCONT of a paused member. */
  public void resume(String id) throws IOException, InterruptedException {
    NodeProcess p = running.get(id);
    if (p != null && paused.remove(id)) {
      signal("CONT", p.pid());
    }
  }

  /** Starts a member that is down (killed or never started). No-op if it runs. */
  public void restart(String id) throws IOException {
    if (!running.containsKey(id) || !running.get(id).isAlive()) {
      start(id);
    }
  }

  /** Resumes every paused member and restarts every dead one. */
  public void heal() throws IOException, InterruptedException {
    for (String id : nodeIds()) {
      resume(id);
      restart(id);
    }
  }

  public boolean isRunning(String id) {
    NodeProcess p = running.get(id);
    return p != null && p.isAlive();
  }

  public boolean isPaused(String id) {
    return paused.contains(id);
  }

  /**
   * The operating-system pid of the running member, for a process outside this JVM that signals it
   * itself (the Python client check SIGKILLs the leader it wrote to).
   */
  public long pid(String id) {
    NodeProcess p = running.get(id);
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(id + " is not running");
    }
    return p.pid();
  }

  /** How many times the member has been started. */
  public int starts(String id) {
    return starts.getOrDefault(id, 0);
  }

  public Path logFile(String id) {
    return logDir.resolve(id + ".log");
  }

  /** The member that reports itself leader, asking only running, unpaused members. */
  public Optional<String> leader() {
    for (String id : nodeIds()) {
      if (isRunning(id) && !isPaused(id)) {
        Optional<Member> m = probe.status(id);
        if (m.isPresent() && m.get().getRole() == io.quorumkv.proto.v1.Role.LEADER) {
          return Optional.of(id);
        }
      }
    }
    return Optional.empty();
  }

  /** Polls until some member is leader, or the timeout passes. */
  public Optional<String> awaitLeader(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    do {
      Optional<String> leader = leader();
      if (leader.isPresent()) {
        return leader;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  /** Applied index of each member that answers (members that do not are absent). */
  public Map<String, Long> appliedIndexes() {
    Map<String, Long> applied = new LinkedHashMap<>();
    for (String id : nodeIds()) {
      probe.status(id).ifPresent(m -> applied.put(id, m.getAppliedIndex()));
    }
    return applied;
  }

  /** Kills every member this object started (paused ones too: SIGKILL needs no SIGCONT). Idempotent. */
  @Override
  public void close() {
    killAll();
    probe.close();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running or has run
    }
  }

  private void killAll() {
    List<NodeProcess> killed = new ArrayList<>();
    for (String id : new ArrayList<>(running.keySet())) {
      NodeProcess p = running.remove(id);
      if (p != null) {
        p.process().destroyForcibly();
        killed.add(p);
      }
    }
    paused.clear();
    for (NodeProcess p : killed) {
      try {
        // Wait so that the ports are free again when this returns (the next run may reuse them).
        p.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static boolean signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return kill.waitFor() == 0;
  }
}
