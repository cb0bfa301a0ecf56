package io.quorumkv.statemachine.search;

import static io.quorumkv.statemachine.search.SearchFixture.keys;
import static io.quorumkv.statemachine.search.SearchFixture.on;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.VectorField;
import io.quorumkv.proto.v1.VectorMetric;
import io.quorumkv.statemachine.TestSeeds;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Indexes with vectors are merged into one segment once idle; others, and busy ones, are left alone. */
class IdleMergeTest {

  private static final int DIMENSION = 8;
  private static final long IDLE = TimeUnit.SECONDS.toNanos(30);

  @TempDir
  Path dir;

  private final Random random = new Random(TestSeeds.seed(getClass().getSimpleName()));

  private static IndexDefinition definition(boolean vectors) {
    IndexSpec.Builder spec = IndexSpec.newBuilder().setName("m").setKeyPrefix(ByteString.copyFromUtf8("k/"))
        .addTextFields("title");
    if (vectors) {
      spec.setVector(VectorField.newBuilder().setField("embedding").setDimension(DIMENSION)
          .setMetric(VectorMetric.COSINE));
    }
    return IndexDefinition.newBuilder().setCreateIndex(1).setSpec(spec).build();
  }

  /** A built index of {@code segments} committed segments of {@code perSegment} documents each. */
  private LuceneIndex indexOfSegments(boolean vectors, int segments, int perSegment) throws Exception {
    LuceneIndex index = new LuceneIndex(definition(vectors), dir.resolve("m"));
    index.beginBuild();
    index.buildDone();
    for (int s = 0; s < segments; s++) {
      for (int i = 0; i < perSegment; i++) {
        put(index, "k/" + s + "-" + i, unitVector());
      }
      index.commit(s + 1);
      index.refreshNow();
    }
    return index;
  }

  private static void put(LuceneIndex index, String key, float[] vector) throws Exception {
    StringBuilder json = new StringBuilder("{\"title\": \"t\", \"embedding\": [");
    for (int i = 0; i < vector.length; i++) {
      json.append(i == 0 ? "" : ",").append(vector[i]);
    }
    json.append("]}");
    index.apply(ByteString.copyFromUtf8(key), Optional.of(StoredValue.newBuilder().setModIndex(1)
        .setValue(Value.newBuilder().setJson(json.toString())).build()));
  }

  private float[] unitVector() {
    float[] v = new float[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /** Calls {@link LuceneIndex#mergeWhenIdle} as the committer would, every "second", until no merge runs. */
  private static void awaitMerge(LuceneIndex index, long now) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (index.mergeWhenIdle(10, now, IDLE)) {
      assertThat(System.nanoTime()).as("merge still running after 60 s").isLessThan(deadline);
      assertThat(index.stats().merging()).isTrue();
      Thread.sleep(20);
      now += TimeUnit.SECONDS.toNanos(1);
    }
  }

  @Test
  void anIdleVectorIndexIsMergedIntoOneSegmentAndStillFindsEveryVector() throws Exception {
    LuceneIndex index = indexOfSegments(true, 3, LuceneIndex.LARGE_SEGMENT_DOCS);
    try {
      float[] probe = unitVector();
      put(index, "k/probe", probe);
      index.commit(4);
      index.refreshNow();
      assertThat(index.segments()).isEqualTo(4);
      long changed = System.nanoTime();
      assertThat(index.mergeWhenIdle(10, changed + IDLE / 2, IDLE)).as("not idle yet").isFalse();
      assertThat(index.segments()).isEqualTo(4);

      awaitMerge(index, changed + IDLE);

      assertThat(index.segments()).isEqualTo(1);
      assertThat(index.stats().merging()).isFalse();
      assertThat(index.stats().documents()).isEqualTo(3L * LuceneIndex.LARGE_SEGMENT_DOCS + 1);
      assertThat(IndexFiles.reusable(dir.resolve("m"), definition(true))).as("the merge was committed").isTrue();
      assertThat(keys(index.search(on("m").vector(probe).topK(1).build()))).containsExactly("k/probe");
      assertThat(index.mergeWhenIdle(10, changed + 10 * IDLE, IDLE)).as("merged already").isFalse();
    } finally {
      index.close();
    }
  }

  @Test
  void anIndexWithoutVectorsOrWithOneLargeSegmentOrStillChangingIsNotMerged() throws Exception {
    LuceneIndex text = indexOfSegments(false, 3, LuceneIndex.LARGE_SEGMENT_DOCS);
    try {
      assertThat(text.mergeWhenIdle(10, System.nanoTime() + 2 * IDLE, IDLE)).as("no vectors").isFalse();
      assertThat(text.segments()).isEqualTo(3);
    } finally {
      text.closeAndDelete();
    }
    LuceneIndex oneLarge = indexOfSegments(true, 1, LuceneIndex.LARGE_SEGMENT_DOCS);
    try {
      for (int i = 0; i < 10; i++) {
        put(oneLarge, "k/small-" + i, unitVector());
      }
      oneLarge.commit(2);
      oneLarge.refreshNow();
      assertThat(oneLarge.segments()).isEqualTo(2);
      assertThat(oneLarge.mergeWhenIdle(10, System.nanoTime() + 2 * IDLE, IDLE))
          .as("a small segment costs a search little").isFalse();
      put(oneLarge, "k/busy", unitVector());
      for (int i = 0; i < LuceneIndex.LARGE_SEGMENT_DOCS; i++) {
        put(oneLarge, "k/second-" + i, unitVector());
      }
      oneLarge.refreshNow();
      assertThat(oneLarge.mergeWhenIdle(10, System.nanoTime() + 2 * IDLE, IDLE))
          .as("changes not yet saved").isFalse();
      assertThat(oneLarge.segments()).isEqualTo(3);
    } finally {
      oneLarge.close();
    }
  }
}
