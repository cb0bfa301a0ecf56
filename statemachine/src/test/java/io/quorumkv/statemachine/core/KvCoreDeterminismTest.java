package io.quorumkv.statemachine.core;

import static io.quorumkv.statemachine.TestCommands.dump;
import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.statemachine.AppliedListener;
import io.quorumkv.statemachine.TestSeeds;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvCoreDeterminismTest {

  @TempDir
  Path dir;

  @Test
  void sameEntriesGiveSameStateOnEveryReplica() {
    long seed = TestSeeds.seed("KvCoreDeterminismTest");
    List<RandomCommands.Entry> entries = new RandomCommands(seed).entries(3000);

    try (RocksKvStore first = RocksKvStore.open(dir.resolve("first"));
        RocksKvStore second = RocksKvStore.open(dir.resolve("second"))) {
      List<CommandResult> firstResults = applyAll(new KvCore(first), entries);
      List<CommandResult> secondResults = applyAll(new KvCore(second), entries);

      assertThat(secondResults).as("seed %d", seed).isEqualTo(firstResults);
      assertThat(dump(second)).as("seed %d", seed).isEqualTo(dump(first)).isNotEmpty();
      assertThat(second.applied()).isEqualTo(first.applied());
      assertThat(first.applied().getIndex()).isEqualTo(entries.get(entries.size() - 1).index());
      assertThat(firstResults).as("the sequence exercises failures").anyMatch(CommandResult::hasFailure);
    }
  }

  @Test
  void keyVersionCacheChangesNoResultAndNoStoredValue() {
    long seed = TestSeeds.seed("KvCoreDeterminismTest.keyVersions");
    List<RandomCommands.Entry> entries = new RandomCommands(seed).entries(3000);

    try (RocksKvStore uncached = RocksKvStore.open(dir.resolve("uncached"));
        RocksKvStore evicting = RocksKvStore.open(dir.resolve("evicting"));
        RocksKvStore cached = RocksKvStore.open(dir.resolve("cached"))) {
      List<CommandResult> expected = applyAll(new KvCore(uncached, AppliedListener.NONE, 0), entries);
      // Room for about four keys: most lookups miss and every commit evicts.
      KvCore evictingCore = new KvCore(evicting, AppliedListener.NONE, 4 * (KeyVersions.ENTRY_OVERHEAD_BYTES + 8));
      List<CommandResult> evictingResults = applyAll(evictingCore, entries);
      List<CommandResult> cachedResults = applyAll(new KvCore(cached, AppliedListener.NONE, 1 << 20), entries);

      assertThat(evictingResults).as("seed %d", seed).isEqualTo(expected);
      assertThat(cachedResults).as("seed %d", seed).isEqualTo(expected);
      assertThat(dump(evicting)).as("seed %d", seed).isEqualTo(dump(uncached)).isNotEmpty();
      assertThat(dump(cached)).as("seed %d", seed).isEqualTo(dump(uncached));
    }
  }

  static List<CommandResult> applyAll(KvCore core, List<RandomCommands.Entry> entries) {
    List<CommandResult> results = new ArrayList<>(entries.size());
    for (RandomCommands.Entry entry : entries) {
      results.add(core.apply(entry.command(), entry.term(), entry.index()));
    }
    return results;
  }
}
