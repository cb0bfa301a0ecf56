package io.quorumkv.server.launch;

import io.quorumkv.client.Batch;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.ScanOptions;
import io.quorumkv.client.Values;
import io.quorumkv.server.QuorumKvNode;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.ClusterConfigReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run the {@code quorumkv} launcher records the members' class-data sharing archive from
 * ({@code -XX:ArchiveClassesAtExit}). Three members in this JVM, on free loopback ports under a temporary
 * directory, take writes, reads, a scan, a batch and a snapshot; then one is stopped, misses writes and is
 * started again from its log. The archive so holds the classes of a leader, of a follower and of a member
 * recovering at start, which a member started with it maps instead of loading and verifying: most of a
 * member's start on a busy machine. Not a command of the server; the directory is removed afterwards.
 */
public final class MemberCdsTraining {
  private static final int MEMBERS = 3;
  private static final int WRITES = 200;

  private MemberCdsTraining() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("quorumkv-cds-training-");
    int status = 0;
    try {
      train(dir);
    } catch (Exception | Error e) {
      e.printStackTrace();
      status = 1;
    } finally {
      deleteRecursively(dir);
    }
    // Ratis leaves non-daemon threads behind its closed servers: exit explicitly, also after a failure, so
    // that the launcher waiting for the recording never hangs. The archive is written at exit.
    System.exit(status);
  }

  /**
   * Runs the training cluster under {@code dir}.
   *
   * @return the applied index every member reached, the restarted one included
   */
  static long train(Path dir) throws IOException, InterruptedException {
    ClusterConfig cluster = ClusterConfigReader.read(writeClusterFile(dir));
    List<QuorumKvNode> members = new ArrayList<>();
    try {
      for (int i = 1; i <= MEMBERS; i++) {
        members.add(QuorumKvNode.start(cluster, "n" + i));
      }
      List<String> endpoints = members.stream().map(QuorumKvNode::clientAddress).toList();
      try (QuorumKvClient kv = QuorumKvClient.builder().endpoints(endpoints)
          .overallTimeout(Duration.ofSeconds(30)).build()) {
        write(kv, "a/");
        kv.get("a/0");
        kv.get("a/1", ReadOptions.stale(0));
        kv.increment("counter", 1);
        kv.batch(Batch.builder().put("b/0", Values.text("x")).put("b/1", Values.json("{\"n\":1}")).build());
        kv.scanAll(ScanOptions.prefix("a/")).count();
        kv.delete("a/0");
        kv.admin().snapshot(endpoints.get(0));

        QuorumKvNode last = members.remove(MEMBERS - 1);
        last.close();
        write(kv, "c/");
        members.add(QuorumKvNode.start(cluster, last.id()));
        return awaitCaughtUp(members);
      }
    } finally {
      members.forEach(QuorumKvNode::close);
    }
  }

  private static void write(QuorumKvClient kv, String prefix) {
    for (int i = 0; i < WRITES; i++) {
      kv.put(prefix + i, Values.text("value-" + i));
    }
  }

  private static long awaitCaughtUp(List<QuorumKvNode> members) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      long highest = members.stream().mapToLong(QuorumKvNode::appliedIndex).max().orElse(0);
      if (members.stream().allMatch(m -> m.appliedIndex() == highest)) {
        return highest;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the restarted member did not catch up within 30 s");
  }

  private static Path writeClusterFile(Path dir) throws IOException {
    int[] ports = freePorts(3 * MEMBERS);
    StringBuilder yaml = new StringBuilder("cluster:\n  name: cds-training\n  data-dir: " + dir.resolve("data")
        + "\nnodes:\n");
    for (int i = 0; i < MEMBERS; i++) {
      yaml.append("  - id: n").append(i + 1).append("\n    host: 127.0.0.1\n    raft-port: ").append(ports[3 * i])
          .append("\n    client-port: ").append(ports[3 * i + 1]).append("\n    metrics-port: ")
          .append(ports[3 * i + 2]).append('\n');
    }
    return Files.writeString(dir.resolve("cluster.yaml"), yaml);
  }

  /** Distinct free ports: every socket stays open until all are chosen. */
  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("could not remove " + dir + ": " + e);
    }
  }
}
