package io.quorumkv.statemachine.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CheckpointSnapshotStorage} on a plain directory (no Ratis server, no RocksDB). */
class CheckpointSnapshotStorageTest {

  @TempDir
  Path sm;

  private final CheckpointSnapshotStorage storage = new CheckpointSnapshotStorage();

  private void snapshotDir(String name, String... files) throws IOException {
    Path dir = Files.createDirectories(sm.resolve(name));
    for (String file : files) {
      Files.writeString(dir.resolve(file), file + " content", StandardCharsets.UTF_8);
    }
  }

  private List<String> entries() throws IOException {
    try (Stream<Path> list = Files.list(sm)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void anEmptyDirectoryHasNoSnapshotAndUnfinishedOnesAreDeleted() throws IOException {
    snapshotDir(".tmp-1_10", "000001.sst");
    snapshotDir(".tmp-1_10.tmp", "CURRENT");
    storage.initAt(sm);
    assertThat(storage.getLatestSnapshot()).isNull();
    assertThat(entries()).isEmpty();
  }

  @Test
  void theLatestIsTheHighestIndexAndListsItsFilesWithoutMd5Sidecars() throws IOException {
    snapshotDir("1_10", "CURRENT");
    snapshotDir("0_20", "CURRENT");
    snapshotDir("2_30", "000007.sst", "000007.sst.md5", "CURRENT", "CURRENT.md5");
    snapshotDir("not-a-snapshot", "x");
    storage.initAt(sm);

    SnapshotInfo latest = storage.getLatestSnapshot();
    assertThat(latest.getTermIndex()).isEqualTo(TermIndex.valueOf(2, 30));
    assertThat(latest.getFiles()).extracting(FileInfo::getPath)
        .containsExactly(sm.resolve("2_30/000007.sst"), sm.resolve("2_30/CURRENT"));
    assertThat(latest.getFiles()).extracting(FileInfo::getFileSize)
        .containsExactly((long) "000007.sst content".length(), (long) "CURRENT content".length());
    assertThat(latest.getFiles()).allMatch(file -> file.getFileDigest() == null);
    // Ratis asks on every log-appender loop: no rescan, the same object.
    assertThat(storage.getLatestSnapshot()).isSameAs(latest);
    assertThat(storage.directoryOf(latest)).isEqualTo(sm.resolve("2_30"));
  }

  @Test
  void publishMovesTheStagedCheckpointIntoPlaceAndCachesIt() throws IOException {
    storage.initAt(sm);
    TermIndex termIndex = TermIndex.valueOf(3, 42);
    Path staging = storage.stagingDir(termIndex);
    Files.createDirectory(staging);
    Files.writeString(staging.resolve("CURRENT"), "MANIFEST-000001\n");

    SnapshotInfo published = storage.publish(termIndex, staging);

    assertThat(entries()).containsExactly("3_42");
    assertThat(published.getTermIndex()).isEqualTo(termIndex);
    assertThat(published.getFiles()).extracting(FileInfo::getPath).containsExactly(sm.resolve("3_42/CURRENT"));
    assertThat(storage.getLatestSnapshot()).isSameAs(published);
  }

  private static SnapshotRetentionPolicy keep(int snapshots) {
    return new SnapshotRetentionPolicy() {
      @Override
      public int getNumSnapshotsRetained() {
        return snapshots;
      }
    };
  }

  @Test
  void cleanupKeepsTheNewestAsManyAsThePolicySays() throws IOException {
    for (String name : List.of("1_100", "1_200", "2_300", "3_400")) {
      snapshotDir(name, "CURRENT");
    }
    storage.initAt(sm);

    storage.cleanupOldSnapshots(keep(-1));
    assertThat(entries()).hasSize(4);

    storage.cleanupOldSnapshots(keep(2));
    assertThat(entries()).containsExactly("2_300", "3_400");
    assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(400);
  }
}
