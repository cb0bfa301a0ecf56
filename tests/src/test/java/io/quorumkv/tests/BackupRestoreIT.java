package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.client.BackupResult;
import io.quorumkv.client.Entry;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * An online backup taken from a follower while clients write, restored offline into a fresh single-member
 * cluster: the restored data equals the source exactly at the backup's applied index, and the restored
 * cluster takes new writes after it.
 *
 * <p>At {@link TestScale scale} N &gt; 1 more writers run (up to {@value #MAX_WRITERS}), the source holds at
 * least 1,000 N acknowledged writes before the first backup, and {@link TestScale#rounds()} backups (2 up to
 * scale 5, 3 at 10) are taken one after the other under load, alternating between the followers; each is
 * restored and checked on its own.
 */
class BackupRestoreIT {
  private static final int WRITERS = 3;
  private static final int MAX_WRITERS = 6;
  /** Acknowledged writes before each backup's index and after it, so that both sides are checked. */
  private static final int WRITES_AROUND_EACH_BACKUP = 100;

  @Test
  void aBackupDuringWritesRestoresToExactlyTheStateAtItsIndex() throws Exception {
    int writerCount = Math.min(WRITERS + TestScale.scale() - 1, MAX_WRITERS);
    int backupCount = TestScale.rounds();
    int ackedBeforeFirstBackup = TestScale.isLong() ? TestScale.times(1000) : 0;
    Map<String, Long> ackedAt = new ConcurrentHashMap<>();
    // Per writer's counter: the index at which each of its increments was applied.
    Map<String, List<Long>> incrementsAckedAt = new ConcurrentHashMap<>();
    Path backupRoot = TestSupport.newTestDir("backup-");
    List<BackupResult> backups = new ArrayList<>();
    try (MiniCluster source = MiniCluster.start(3);
         QuorumKvClient kv = QuorumKvClient.builder().endpoints(source.endpoints()).build()) {
      AtomicBoolean running = new AtomicBoolean(true);
      ExecutorService writers = Executors.newFixedThreadPool(writerCount);
      List<Future<?>> writing = new ArrayList<>();
      for (int w = 0; w < writerCount; w++) {
        int writer = w;
        // One counter per writer: with a shared one, another writer's increment can land between this
        // increment and the read of its index, and the read would report that later index instead.
        String counter = "counter/w" + writer;
        List<Long> increments = new CopyOnWriteArrayList<>();
        incrementsAckedAt.put(counter, increments);
        writing.add(writers.submit(() -> {
          for (long i = 0; running.get(); i++) {
            String key = "w" + writer + "/" + i;
            ackedAt.put(key, kv.put(key, Values.text(key)).index());
            if (i % 3 == 0) {
              long value = kv.increment(counter, 1);
              Entry read = kv.get(counter).orElseThrow();
              assertThat(read.version()).as("%s read after increment to %d", counter, value).isEqualTo(value);
              increments.add(read.modIndex());
            }
          }
          return null;
        }));
      }
      Duration timeout = TestScale.timeout(Duration.ofSeconds(60));
      awaitAcked(ackedAt, 0, Math.max(ackedBeforeFirstBackup, WRITES_AROUND_EACH_BACKUP), timeout);
      for (int b = 0; b < backupCount; b++) {
        String leader = source.awaitLeader(Duration.ofSeconds(10));
        List<String> followers = source.runningIds().stream().filter(id -> !id.equals(leader)).toList();
        String follower = followers.get(b % followers.size());
        BackupResult backup = kv.admin().backup(source.endpoint(follower), backupRoot.resolve("b" + (b + 1)),
            ReadOptions.linearizable(), progress -> { });
        backups.add(backup);
        awaitAcked(ackedAt, backup.appliedIndex(), WRITES_AROUND_EACH_BACKUP, timeout);
      }
      running.set(false);
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      for (Future<?> writer : writing) {
        writer.get(); // a writer that failed fails the test
      }
    }
    System.out.printf("BackupRestoreIT: %d writers, %d writes acked, %d backups at %s%n", writerCount, ackedAt.size(),
        backups.size(), backups.stream().map(b -> b.appliedIndex() + " (" + b.files() + " files, " + b.bytes()
            + " bytes)").toList());
    for (BackupResult backup : backups) {
      restoreAndCheck(backup, ackedAt, incrementsAckedAt);
    }
  }

  @Test
  void checkpointsLeftByAnInterruptedBackupAreRemovedWhenTheMemberStarts() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(1)) {
      cluster.stop("n1");
      Path leftover = cluster.dataDir("n1").resolve("backup-tmp").resolve(UUID.randomUUID().toString());
      Files.createDirectories(leftover);
      Files.writeString(leftover.resolve("000042.sst"), "pinned");
      cluster.start("n1");
      assertThat(leftover).doesNotExist();
      assertThat(cluster.dataDir("n1").resolve("backup-tmp")).isEmptyDirectory();
    }
  }

  /** Waits until at least {@code count} writes were acknowledged at an index above {@code afterIndex}. */
  private static void awaitAcked(Map<String, Long> ackedAt, long afterIndex, int count, Duration timeout)
      throws InterruptedException {
    TestSupport.await(count + " writes acknowledged after index " + afterIndex, timeout,
        () -> ackedAt.values().stream().filter(index -> index > afterIndex).limit(count).count() == count);
  }

  private static void restoreAndCheck(BackupResult backup, Map<String, Long> ackedAt,
      Map<String, List<Long>> incrementsAckedAt) throws Exception {
    Path backupDir = backup.directory();
    assertThat(backup.appliedIndex()).isPositive();
    assertThat(Files.exists(backupDir.resolve("backup.json"))).isTrue();
    long n = backup.appliedIndex();
    assertThat(ackedAt.values()).as("writes on both sides of the backup at %d", n)
        .anyMatch(i -> i <= n).anyMatch(i -> i > n);

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
      Map<String, Long> countedBefore = new HashMap<>();
      for (Map.Entry<String, List<Long>> counter : incrementsAckedAt.entrySet()) {
        long before = counter.getValue().stream().filter(i -> i <= n).count();
        assertThat(Long.parseLong(data.getOrDefault(counter.getKey(), "0")))
            .as("%s at backup %d", counter.getKey(), n).isEqualTo(before);
        countedBefore.put(counter.getKey(), before);
      }

      long next = restored.put("after/restore", Values.text("new")).index();
      assertThat(next).isGreaterThan(n);
      assertThat(restored.increment("counter/w0", 1)).isEqualTo(countedBefore.get("counter/w0") + 1);
    }
  }
}
