package io.quorumkv.server.launch;

import io.quorumkv.server.QuorumKvNode;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.ClusterConfigReader;
import io.quorumkv.server.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorumkv node}: runs one member in the foreground until SIGTERM/SIGINT. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one cluster member in the foreground. Stops cleanly on SIGTERM or Ctrl-C.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped cleanly", "1:failed to start (bad config, port in use, storage error)"})
final class NodeCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "Cluster file (YAML), e.g. cluster-config/single.yaml.")
  Path config;

  @Option(names = "--node", required = true, description = "Id of this member in the cluster file.")
  String nodeId;

  @Option(names = "--join", description = {
      "Join a running cluster: on its first start (no data yet) the member starts with an empty",
      "configuration and waits until `quorumkv member add` adds it. Without it, a member without data",
      "starts a fresh cluster with every member of the cluster file. Ignored once the member has data."})
  boolean join;

  @Override
  public Integer call() throws Exception {
    // The gRPC inside Ratis logs through java.util.logging; route it to our logging config.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    QuorumKvNode node;
    try {
      ClusterConfig cluster = ClusterConfigReader.read(config);
      node = QuorumKvNode.start(cluster, nodeId, join);
    } catch (ConfigException e) {
      System.err.println("quorumkv node: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "quorumkv-shutdown"));
    stopped.await();
    return 0;
  }
}
