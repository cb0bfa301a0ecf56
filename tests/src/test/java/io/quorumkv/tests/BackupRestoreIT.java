package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.client.BackupResult;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.Values;
import io.quorumkv.server.QuorumKvNode;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.launch.ServerCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * An online backup taken from a follower while clients write, restored offline into a fresh single-member
 * cluster: the restored data equals the source exactly at the backup's applied index, and the restored
 * cluster takes new writes after it.
 */
class BackupRestoreIT {
  private static final int WRITERS = 3;

  @Test
  void aBackupDuringWritesRestoresToExactlyTheStateAtItsIndex() throws Exception {
    Map<String, Long> ackedAt = new ConcurrentHashMap<>();
    Map<Long, Long> incrementsAckedAt = new ConcurrentHashMap<>();
    Path backupDir = TestSupport.newTestDir("backup-").resolve("b1");
    BackupResult backup;
    try (MiniCluster source = MiniCluster.start(3);
         QuorumKvClient kv = QuorumKvClient.builder().endpoints(source.endpoints()).build()) {
      AtomicBoolean running = new AtomicBoolean(true);
      ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.submit(() -> {
          for (long i = 0; running.get(); i++) {
            String key = "w" + writer + "/" + i;
            ackedAt.put(key, kv.put(key, Values.text(key)).index());
            if (i % 3 == 0) {
              long value = kv.increment("counter", 1);
              incrementsAckedAt.put(value, kv.get("counter").orElseThrow().modIndex());
            }
          }
          return null;
        });
      }
      Thread.sleep(1500);
      String leader = source.awaitLeader(Duration.ofSeconds(10));
      String follower = source.runningIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
      backup = kv.admin().backup(source.endpoint(follower), backupDir, ReadOptions.linearizable(), progress -> { });
      Thread.sleep(1000);
      running.set(false);
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(backup.appliedIndex()).isPositive();
    assertThat(Files.exists(backupDir.resolve("backup.json"))).isTrue();
    long n = backup.appliedIndex();
    assertThat(ackedAt.values()).as("writes on both sides of the backup").anyMatch(i -> i <= n).anyMatch(i -> i > n);

    Path restoredData = TestSupport.newTestDir("restored-").resolve("n1");
    String restoredName = "restored-" + restoredData.getParent().getFileName();
    int exit = new CommandLine(new ServerCli()).execute("restore", "--from", backupDir.toString(),
        "--data", restoredData.toString(), "--cluster", restoredName);
    assertThat(exit).isZero();

    ClusterConfig restoredCluster = new ClusterConfig(restoredName, List.of(new NodeSpec("n1", "127.0.0.1",
        TestSupport.freePort(), TestSupport.freePort(), restoredData)), Limits.DEFAULTS, MiniCluster.TEST_RAFT);
    try (QuorumKvNode node = QuorumKvNode.start(restoredCluster, "n1");
         QuorumKvClient restored = QuorumKvClient.builder().endpoints(node.clientAddress()).build()) {
      Map<String, String> data = Replicas.dump(node.clientAddress(), 0);
      for (Map.Entry<String, Long> write : ackedAt.entrySet()) {
        if (write.getValue() <= n) {
          assertThat(data).as("write at index %d <= backup %d", write.getValue(), n)
              .containsEntry(write.getKey(), write.getKey());
        } else {
          assertThat(data).as("write at index %d > backup %d", write.getValue(), n).doesNotContainKey(write.getKey());
        }
      }
      long countedBefore = incrementsAckedAt.values().stream().filter(i -> i <= n).count();
      assertThat(Long.parseLong(data.getOrDefault("counter", "0"))).isEqualTo(countedBefore);

      long next = restored.put("after/restore", Values.text("new")).index();
      assertThat(next).isGreaterThan(n);
      assertThat(restored.increment("counter", 1)).isEqualTo(countedBefore + 1);
    }
  }
}
