package io.quorumkv.statemachine.core;

import static io.quorumkv.statemachine.TestCommands.dump;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.statemachine.TestSeeds;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ratis replays its log after a restart from the latest snapshot, and the store may already hold some of
 * the replayed entries: nothing may be applied twice.
 */
class KvCoreReplayTest {

  @TempDir
  Path dir;

  @Test
  void replayAfterRestartChangesNothing() {
    long seed = TestSeeds.seed("KvCoreReplayTest");
    List<RandomCommands.Entry> entries = new RandomCommands(seed).entries(500);
    List<KeyValue> stateBefore;
    try (RocksKvStore store = RocksKvStore.open(dir)) {
      KvCoreDeterminismTest.applyAll(new KvCore(store), entries);
      stateBefore = dump(store);
    }

    try (RocksKvStore reopened = RocksKvStore.open(dir)) {
      List<CommandResult> replayed = KvCoreDeterminismTest.applyAll(new KvCore(reopened), entries);
      // No write id: nobody can be waiting for these replies, and no result is kept for them.
      assertThat(replayed).as("seed %d", seed)
          .allSatisfy(r -> assertThat(r.getFailure().getCode()).isEqualTo(Failure.Code.NOT_RETAINED));
      assertThat(dump(reopened)).as("seed %d", seed).isEqualTo(stateBefore);
    }
  }

  @Test
  void incrementIsCountedOnceAcrossRestarts() {
    try (RocksKvStore store = RocksKvStore.open(dir)) {
      KvCore core = new KvCore(store);
      core.apply(increment("n", 1), 1, 1);
      core.apply(increment("n", 1), 1, 2);
    }
    try (RocksKvStore store = RocksKvStore.open(dir)) {
      KvCore core = new KvCore(store);
      core.apply(increment("n", 1), 1, 1);
      core.apply(increment("n", 1), 1, 2);
      assertThat(core.apply(increment("n", 1), 2, 3).getIncrement().getValue()).isEqualTo(3);
      assertThat(store.get(key("n")).orElseThrow().getValue()).isEqualTo(text("3"));
      assertThat(store.applied().getTerm()).isEqualTo(2);
    }
  }
}
