package io.quorumkv.server.launch;

import io.quorumkv.server.Directories;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.ClusterConfigReader;
import io.quorumkv.server.config.NodeSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumkv local-cluster}: starts every member of a cluster file as a child process, reports the
 * endpoints and the leader, watches the members, and stops them all on Ctrl-C.
 */
@Command(name = "local-cluster", mixinStandardHelpOptions = true,
    description = {"Start every member of a cluster file on this machine as child processes, in the foreground.",
        "Run again to restart on the same data; Ctrl-C stops all members cleanly."})
final class LocalClusterCommand implements Callable<Integer> {
  private static final long LEADER_TIMEOUT_MILLIS = 60_000;
  private static final long STOP_GRACE_MILLIS = 15_000;

  @Option(names = "--config", defaultValue = "cluster-config/local-3.yaml",
      description = "Cluster file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--fresh", description = "Delete the members' data dirs first (start an empty cluster).")
  boolean fresh;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    ClusterConfig cluster = ClusterConfigReader.read(config);
    if (fresh) {
      for (NodeSpec node : cluster.nodes()) {
        Directories.deleteRecursively(node.dataDir());
      }
    }
    long startNanos = System.nanoTime();
    List<NodeProcess> members = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(members), "local-cluster-stop"));
    for (NodeSpec node : cluster.nodes()) {
      NodeProcess p = NodeProcess.start(config, node.id(), node.dataDir().resolve("node.log"));
      synchronized (members) {
        members.add(p);
      }
      out.printf("started %-6s pid %-7d client %-21s raft %-21s log %s%n", node.id(), p.pid(),
          node.clientAddress(), node.raftAddress(), p.logFile());
    }
    try (ClusterProbe probe = new ClusterProbe(cluster)) {
      Optional<String> leader = probe.awaitLeader(LEADER_TIMEOUT_MILLIS);
      if (leader.isEmpty()) {
        out.println("no leader after " + LEADER_TIMEOUT_MILLIS / 1000 + " s; see the members' logs above");
      } else {
        out.printf("cluster '%s' ready in %d ms; leader %s at %s%n", cluster.name(),
            (System.nanoTime() - startNanos) / 1_000_000, leader.get(),
            cluster.requireNode(leader.get()).clientAddress());
        out.println("endpoints: " + String.join(",", cluster.nodes().stream().map(NodeSpec::clientAddress).toList()));
        out.println("press Ctrl-C to stop all members");
      }
    }
    watch(members);
    return 0;
  }

  /** Reports members that exit on their own (e.g. kill -9) until all are gone. */
  private void watch(List<NodeProcess> members) throws InterruptedException {
    List<NodeProcess> running = new ArrayList<>(members);
    while (!running.isEmpty()) {
      for (NodeProcess p : List.copyOf(running)) {
        if (!p.isAlive()) {
          out.printf("member %s (pid %d) exited with code %d; the others keep running%n", p.nodeId(), p.pid(),
              p.process().exitValue());
          running.remove(p);
        }
      }
      Thread.sleep(200);
    }
  }

  private void stopAll(List<NodeProcess> members) {
    List<NodeProcess> snapshot;
    synchronized (members) {
      snapshot = List.copyOf(members);
    }
    snapshot.stream().filter(NodeProcess::isAlive).forEach(p -> p.process().destroy());
    for (NodeProcess p : snapshot) {
      try {
        int code = p.stop(STOP_GRACE_MILLIS);
        out.printf("stopped %s (exit %d)%n", p.nodeId(), code);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
