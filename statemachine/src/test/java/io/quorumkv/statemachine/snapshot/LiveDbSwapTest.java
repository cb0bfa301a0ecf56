package io.quorumkv.statemachine.snapshot;

import static io.quorumkv.statemachine.TestCommands.dump;
import static io.quorumkv.statemachine.TestCommands.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.statemachine.core.KvCore;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LiveDbSwap}: the live DB path holds a complete database whatever step a crash interrupts. */
class LiveDbSwapTest {

  @TempDir
  Path root;

  private List<KeyValue> fill(Path dir, String prefix, int entries) {
    try (RocksKvStore store = RocksKvStore.open(dir)) {
      KvCore core = new KvCore(store);
      for (int i = 1; i <= entries; i++) {
        core.apply(put(prefix + i, "v" + i), 1, i);
      }
      return dump(store);
    }
  }

  private static List<KeyValue> contents(Path dir) {
    try (RocksKvStore store = RocksKvStore.open(dir)) {
      return dump(store);
    }
  }

  private static Map<String, Long> sizes(Path dir) throws IOException {
    Map<String, Long> sizes = new TreeMap<>();
    for (Path file : FileTrees.files(dir)) {
      sizes.put(file.getFileName().toString(), Files.size(file));
    }
    return sizes;
  }

  @Test
  void replaceInstallsACopyAndNeverChangesTheCheckpoint() throws IOException {
    Path db = root.resolve("db");
    fill(db, "old", 5);
    Path source = root.resolve("source");
    List<KeyValue> expected = fill(source, "new", 50);
    Path checkpoint = root.resolve("checkpoint");
    try (RocksKvStore store = RocksKvStore.open(source)) {
      store.checkpoint(checkpoint);
    }
    Files.writeString(checkpoint.resolve("CURRENT.md5"), "sidecar of an installed snapshot");
    Map<String, Long> before = sizes(checkpoint);

    LiveDbSwap.replace(checkpoint, db);

    assertThat(contents(db)).isEqualTo(expected);
    assertThat(Files.exists(db.resolve("CURRENT.md5"))).isFalse();
    // Writing to the new live DB (WAL, MANIFEST, compactions) must not touch the snapshot's files.
    try (RocksKvStore store = RocksKvStore.open(db)) {
      KvCore core = new KvCore(store);
      for (int i = 51; i <= 80; i++) {
        core.apply(put("more" + i, "v"), 1, i);
      }
    }
    assertThat(sizes(checkpoint)).isEqualTo(before);
    try (Stream<Path> entries = Files.list(root)) {
      assertThat(entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("db", "source", "checkpoint");
    }
  }

  @Test
  void aHalfBuiltCopyIsDiscardedAndTheLiveDbKept() throws IOException {
    Path db = root.resolve("db");
    List<KeyValue> live = fill(db, "k", 3);
    Path staging = Files.createDirectories(root.resolve("db.restore-tmp"));
    Files.writeString(staging.resolve("000001.sst"), "half a file");

    LiveDbSwap.recover(db);

    assertThat(Files.exists(staging)).isFalse();
    assertThat(contents(db)).isEqualTo(live);
  }

  @Test
  void aCrashBetweenTheRenamesBringsTheOldDbBack() throws IOException {
    Path db = root.resolve("db");
    List<KeyValue> old = fill(root.resolve("db.old"), "old", 3);
    fill(root.resolve("db.restore-tmp"), "new", 4);

    LiveDbSwap.recover(db);

    assertThat(contents(db)).isEqualTo(old);
    assertThat(Files.exists(root.resolve("db.old"))).isFalse();
    assertThat(Files.exists(root.resolve("db.restore-tmp"))).isFalse();
  }

  @Test
  void aCrashBeforeCleanupKeepsTheNewDb() throws IOException {
    Path db = root.resolve("db");
    List<KeyValue> fresh = fill(db, "new", 4);
    fill(root.resolve("db.old"), "old", 3);

    LiveDbSwap.recover(db);

    assertThat(contents(db)).isEqualTo(fresh);
    assertThat(Files.exists(root.resolve("db.old"))).isFalse();
  }
}
