package io.quorumkv.statemachine.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.statemachine.read.StoredEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a start may reuse an index directory. */
class IndexFilesTest {

  @TempDir
  Path dir;

  private static IndexDefinition definition(long createIndex) {
    return IndexDefinition.newBuilder().setCreateIndex(createIndex).setSpec(IndexSpec.newBuilder().setName("i")
        .setKeyPrefix(ByteString.copyFromUtf8("k/")).setText(true)).build();
  }

  private void writeOneKey(Path indexDir, IndexDefinition definition, boolean commit) throws Exception {
    LuceneIndex index = new LuceneIndex(definition, indexDir);
    index.apply(ByteString.copyFromUtf8("k/1"), Optional.of(StoredValue.newBuilder().setModIndex(3)
        .setValue(Value.newBuilder().setText("hello")).build()));
    if (commit) {
      index.close();
    } else {
      index.closeWithoutCommit();
    }
  }

  @Test
  void onlyACommittedIndexOfTheSameDefinitionIsReused() throws Exception {
    Path indexDir = dir.resolve("i-7");
    assertThat(IndexFiles.reusable(indexDir, definition(7))).as("missing").isFalse();
    Files.createDirectories(indexDir);
    writeOneKey(indexDir, definition(7), false);
    assertThat(IndexFiles.reusable(indexDir, definition(7))).as("never committed").isFalse();
    writeOneKey(indexDir, definition(7), true);
    assertThat(IndexFiles.reusable(indexDir, definition(7))).isTrue();
    assertThat(IndexFiles.reusable(indexDir, definition(8))).as("another definition").isFalse();
  }

  @Test
  void timedCommitsWaitForAPauseInIndexingOrForTheirMaximumInterval() throws Exception {
    Path indexDir = dir.resolve("i-7");
    Files.createDirectories(indexDir);
    long quiet = TimeUnit.SECONDS.toNanos(5);
    long max = TimeUnit.SECONDS.toNanos(300);
    LuceneIndex index = new LuceneIndex(definition(7), indexDir);
    index.beginBuild();
    index.buildDone(); // over no keys
    try {
      long start = System.nanoTime();
      assertThat(index.commitIfDue(1, start + 2 * quiet, quiet, max)).as("a new index is saved, empty").isTrue();
      assertThat(index.commitIfDue(1, start + 3 * quiet, quiet, max)).as("nothing to commit").isFalse();
      index.apply(ByteString.copyFromUtf8("k/1"), Optional.of(StoredValue.newBuilder().setModIndex(3)
          .setValue(Value.newBuilder().setText("hello")).build()));
      long changed = System.nanoTime();
      assertThat(index.commitIfDue(1, changed + quiet / 2, quiet, max)).as("still indexing").isFalse();
      assertThat(index.commitIfDue(1, changed + quiet, quiet, max)).as("paused").isTrue();
      assertThat(IndexFiles.reusable(indexDir, definition(7))).isTrue();
      assertThat(index.commitIfDue(1, changed + 2 * quiet, quiet, max)).as("nothing new").isFalse();
    } finally {
      index.close();
    }
    Path otherDir = Files.createDirectories(dir.resolve("i-8"));
    LuceneIndex steady = new LuceneIndex(definition(8), otherDir);
    try {
      steady.apply(ByteString.copyFromUtf8("k/1"), Optional.of(StoredValue.newBuilder().setModIndex(3)
          .setValue(Value.newBuilder().setText("hello")).build()));
      long changed = System.nanoTime();
      assertThat(steady.commitIfDue(1, changed + quiet / 2, quiet, max)).as("still indexing").isFalse();
      assertThat(IndexFiles.reusable(otherDir, definition(8))).isFalse();
      // Indexing never pauses, but the last commit (none yet: since the index opened) is older than the maximum.
      assertThat(steady.commitIfDue(1, changed + quiet / 2, quiet, quiet / 4)).as("due anyway").isTrue();
    } finally {
      steady.close();
    }
  }

  @Test
  void onlyABuiltIndexRecordsItsPosition() throws Exception {
    Path indexDir = Files.createDirectories(dir.resolve("i-7"));
    StoredValue stored = StoredValue.newBuilder().setModIndex(3).setValue(Value.newBuilder().setText("hello")).build();
    LuceneIndex building = new LuceneIndex(definition(7), indexDir);
    building.beginBuild();
    building.build(List.of(new StoredEntry(ByteString.copyFromUtf8("k/1"), stored)));
    building.close(100); // stopped during its build
    LuceneIndex reopened = new LuceneIndex(definition(7), indexDir);
    assertThat(reopened.openedAtPosition()).as("a partial index: compare it with the store").isEqualTo(-1);
    reopened.beginBuild();
    reopened.build(List.of(new StoredEntry(ByteString.copyFromUtf8("k/1"), stored)));
    reopened.buildDone();
    reopened.close(120);
    LuceneIndex built = new LuceneIndex(definition(7), indexDir);
    assertThat(built.openedAtPosition()).isEqualTo(120);
    built.close();
  }

  @Test
  void aFailedIndexIsNotReused() throws Exception {
    Path indexDir = dir.resolve("i-7");
    Files.createDirectories(indexDir);
    writeOneKey(indexDir, definition(7), true);
    IndexFiles.markFailed(indexDir, "test");
    assertThat(IndexFiles.reusable(indexDir, definition(7))).isFalse();
  }

  @Test
  void unreadableFilesAreNotReused() throws Exception {
    Path indexDir = dir.resolve("i-7");
    Files.createDirectories(indexDir);
    writeOneKey(indexDir, definition(7), true);
    try (var files = Files.list(indexDir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("segments_")).toList()) {
        Files.write(file, new byte[] {1, 2, 3});
      }
    }
    assertThat(IndexFiles.reusable(indexDir, definition(7))).isFalse();
  }
}
