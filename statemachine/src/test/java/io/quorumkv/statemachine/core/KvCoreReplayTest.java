package io.quorumkv.statemachine.core;

import static io.quorumkv.statemachine.TestCommands.dump;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
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

/** Ratis replays its whole log after a restart (no snapshots yet): nothing may be applied twice. */
class KvCoreReplayTest {

  @TempDir
  Path dir;

  @Test
  void replayAfterRestartChangesNothingAndReturnsOriginalResults() {
    long seed = TestSeeds.seed("KvCoreReplayTest");
    List<RandomCommands.Entry> entries = new RandomCommands(seed).entries(500);
    List<CommandResult> original;
    List<KeyValue> stateBefore;
    try (RocksKvStore store = RocksKvStore.open(dir)) {
      original = KvCoreDeterminismTest.applyAll(new KvCore(store), entries);
      stateBefore = dump(store);
    }

    try (RocksKvStore reopened = RocksKvStore.open(dir)) {
      List<CommandResult> replayed = KvCoreDeterminismTest.applyAll(new KvCore(reopened), entries);
      assertThat(replayed).as("seed %d", seed).isEqualTo(original);
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
      assertThat(core.apply(increment("n", 1), 1, 1).getIncrement().getValue()).isEqualTo(1);
      assertThat(core.apply(increment("n", 1), 1, 2).getIncrement().getValue()).isEqualTo(2);
      assertThat(core.apply(increment("n", 1), 2, 3).getIncrement().getValue()).isEqualTo(3);
      assertThat(store.get(key("n")).orElseThrow().getValue()).isEqualTo(text("3"));
      assertThat(store.applied().getTerm()).isEqualTo(2);
    }
  }

  @Test
  void replayOfAnEntryWhoseResultWasPrunedSaysSo() {
    try (RocksKvStore store = RocksKvStore.open(dir, 3)) {
      KvCore core = new KvCore(store);
      for (long index = 1; index <= 10; index++) {
        core.apply(increment("n", 1), 1, index);
      }
      CommandResult replayedOld = core.apply(increment("n", 1), 1, 2);
      assertThat(replayedOld.getFailure().getCode()).isEqualTo(Failure.Code.CODE_UNSPECIFIED);
      assertThat(replayedOld.getFailure().getMessage()).isEqualTo("result of replayed entry 2 no longer retained");
      assertThat(core.apply(increment("n", 1), 1, 9).getIncrement().getValue()).isEqualTo(9);
      assertThat(store.get(key("n")).orElseThrow().getValue()).isEqualTo(text("10"));
    }
  }

  @Test
  void resultsOutsideTheRetentionWindowAreDeletedAcrossIndexGaps() {
    try (RocksKvStore store = RocksKvStore.open(dir, 2)) {
      KvCore core = new KvCore(store);
      for (long index : new long[] {1, 2, 4, 5, 7}) {
        core.apply(put("k", "v" + index), 1, index);
      }
      assertThat(store.resultAt(1)).isEmpty();
      assertThat(store.resultAt(2)).isEmpty();
      assertThat(store.resultAt(4)).isEmpty();
      assertThat(store.resultAt(5)).isEmpty();
      assertThat(store.resultAt(7)).isPresent();

      // A jump far ahead (as after a snapshot install) prunes with one range deletion.
      core.apply(put("k", "far"), 1, 500);
      assertThat(store.resultAt(7)).isEmpty();
      assertThat(store.resultAt(500)).isPresent();
      core.apply(put("k", "next"), 1, 501);
      assertThat(store.resultAt(500)).isPresent();
      assertThat(store.resultAt(501)).isPresent();
    }
  }
}
