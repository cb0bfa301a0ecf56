package io.quorumkv.statemachine;

import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.statemachine.snapshot.BackupCheckpoint;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KvStateMachine#checkpointForBackup} under a real single-node Ratis server. */
class BackupCheckpointTest {

  private static final ClientId CLIENT = ClientId.valueOf(UUID.fromString("00000000-0000-0000-0000-0000000000c4"));

  @TempDir
  Path root;

  private SingleNodeRaft node;

  @BeforeEach
  void start() throws Exception {
    node = SingleNodeRaft.start(root.resolve("node"), SingleNodeRaft.freePort());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aBackupTakenDuringWritesHoldsExactlyTheEntriesUpToItsIndex() throws Exception {
    long seed = TestSeeds.seed("BackupCheckpointTest");
    Random random = new Random(seed);
    Map<String, Long> indexOfKey = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    // Writes unique keys in small concurrent bursts until told to stop, recording each key's log index.
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        for (long call = 1; !stop.get(); ) {
          List<CompletableFuture<RaftClientReply>> burst = new ArrayList<>();
          List<String> keys = new ArrayList<>();
          for (int i = 1 + random.nextInt(16); i > 0; i--, call++) {
            keys.add("key" + call);
            burst.add(node.submitAsync(CLIENT, call, put("key" + call, "v" + call)));
          }
          for (int i = 0; i < burst.size(); i++) {
            indexOfKey.put(keys.get(i), burst.get(i).get(30, TimeUnit.SECONDS).getLogIndex());
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    while (indexOfKey.size() < 200) {
      Thread.sleep(5);
    }

    BackupCheckpoint backup = node.stateMachine.checkpointForBackup(root.resolve("backup"));

    int seen = indexOfKey.size();
    while (indexOfKey.size() < seen + 100) {
      Thread.sleep(5);
    }
    stop.set(true);
    writer.get(30, TimeUnit.SECONDS);

    assertThat(backup.dir()).isEqualTo(root.resolve("backup").toAbsolutePath());
    try (RocksKvStore store = RocksKvStore.open(backup.dir())) {
      assertThat(store.applied().getIndex()).isEqualTo(backup.index());
      assertThat(store.applied().getTerm()).isEqualTo(backup.term());
      int before = 0;
      int after = 0;
      for (Map.Entry<String, Long> written : indexOfKey.entrySet()) {
        boolean included = written.getValue() <= backup.index();
        assertThat(store.get(key(written.getKey())).isPresent())
            .as("seed %d: %s at index %d, backup index %d", seed, written.getKey(), written.getValue(), backup.index())
            .isEqualTo(included);
        if (included) {
          before++;
        } else {
          after++;
        }
      }
      assertThat(before).as("keys in the backup").isPositive();
      assertThat(after).as("keys written after the backup").isPositive();
    }
  }

  @Test
  void theTargetMustNotExistAndNoBackupIsTakenWhilePausedOrClosed() throws Exception {
    node.submit(CLIENT, 1, put("k", "v"));
    Path existing = Files.createDirectories(root.resolve("existing"));
    assertThatThrownBy(() -> node.stateMachine.checkpointForBackup(existing))
        .isInstanceOf(FileAlreadyExistsException.class);

    node.stateMachine.pause();
    assertThatThrownBy(() -> node.stateMachine.checkpointForBackup(root.resolve("paused")))
        .isInstanceOf(IllegalStateException.class);
    node.stateMachine.reinitialize();
    assertThat(node.stateMachine.checkpointForBackup(root.resolve("running")).index()).isPositive();

    node.close();
    assertThatThrownBy(() -> node.stateMachine.checkpointForBackup(root.resolve("closed")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(root.resolve("paused")).doesNotExist();
    assertThat(root.resolve("closed")).doesNotExist();
  }
}
