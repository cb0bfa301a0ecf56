package io.quorumkv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SnapshotReceiveProgress} on a directory laid out like Ratis' install staging. */
class SnapshotReceiveProgressTest {

  @TempDir
  Path tmp;

  @Test
  void reportsBytesFilesAndPercentWhileChunksArriveAndNothingOtherwise() throws IOException {
    AtomicInteger askedLeader = new AtomicInteger();
    SnapshotReceiveProgress progress = new SnapshotReceiveProgress(tmp, () -> {
      askedLeader.incrementAndGet();
      return OptionalLong.of(4_000_000);
    });
    assertThat(progress.check()).as("no install").isEmpty();

    Path install = Files.createDirectories(tmp.resolve("snapshot-42/sm/3_900"));
    Files.write(install.resolve("000010.sst"), new byte[1_000_000]);
    Files.write(install.resolve("000010.sst.md5"), new byte[40]);
    assertThat(progress.check()).hasValue("receiving the leader's snapshot: 1.0 MB of 4.0 MB (25%), 1 files so far");
    assertThat(progress.check()).as("nothing new arrived").isEmpty();

    Files.write(install.resolve("000011.sst"), new byte[2_000_000]);
    assertThat(progress.check()).hasValue("receiving the leader's snapshot: 3.0 MB of 4.0 MB (75%), 2 files so far");
    assertThat(askedLeader).as("the leader is asked once per install").hasValue(1);
  }

  @Test
  void withoutTheLeadersSizeItReportsBytesAndFiles() throws IOException {
    SnapshotReceiveProgress progress = new SnapshotReceiveProgress(tmp, OptionalLong::empty);
    Path install = Files.createDirectories(tmp.resolve("snapshot-7/sm/1_10"));
    Files.write(install.resolve("CURRENT"), new byte[500_000]);
    assertThat(progress.check()).hasValue("receiving the leader's snapshot: 0.5 MB, 1 files so far");
  }
}
