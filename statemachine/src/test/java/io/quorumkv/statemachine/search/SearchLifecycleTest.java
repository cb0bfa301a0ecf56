package io.quorumkv.statemachine.search;

import static io.quorumkv.statemachine.search.SearchFixture.eq;
import static io.quorumkv.statemachine.search.SearchFixture.keys;
import static io.quorumkv.statemachine.search.SearchFixture.on;
import static io.quorumkv.statemachine.search.SearchFixture.range;
import static io.quorumkv.statemachine.search.SearchFixture.semanticEmbedding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.KeyEmbeddings;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.SemanticField;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.VectorField;
import io.quorumkv.proto.v1.VectorMetric;
import io.quorumkv.statemachine.TestSeeds;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.read.StoredEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Index lifecycle: builds over existing keys, interleaved writes, drop, re-create, reset and restart. */
class SearchLifecycleTest {

  private static final int KEYS = 3000;
  private static final String INDEX = "items";

  @TempDir
  Path dir;

  private SearchFixture fx;
  private Random random;

  @BeforeEach
  void open(TestInfo test) {
    random = new Random(TestSeeds.seed(getClass().getSimpleName() + "." + test.getTestMethod().orElseThrow().getName()));
    fx = SearchFixture.open(dir);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private static IndexSpec spec() {
    return IndexSpec.newBuilder().setName(INDEX).setKeyPrefix(ByteString.copyFromUtf8("k/")).addTextFields("title")
        .addKeywordFields("group").addNumericFields("n").build();
  }

  private static String key(int i) {
    return String.format("k/%04d", i);
  }

  private static Value item(int i, String word) {
    return Value.newBuilder().setJson("{\"title\": \"" + word + " item " + i + "\", \"group\": \"g" + (i % 3)
        + "\", \"n\": " + i + "}").build();
  }

  private void writeItems() {
    Map<String, Value> values = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      values.put(key(i), item(i, "old"));
    }
    values.put("z/outside", item(0, "old"));
    fx.putAll(values);
  }

  /** The covered keys of the store and the word in each one's title. */
  private Map<String, String> storedWords() {
    Map<String, String> words = new TreeMap<>();
    try (ReadView view = fx.store().openView()) {
      for (StoredEntry entry : view.scanStored(KeyRange.prefix(ByteString.copyFromUtf8("k/")), Integer.MAX_VALUE)) {
        String json = entry.stored().getValue().getJson();
        words.put(entry.key().toStringUtf8(), json.substring(json.indexOf(": \"") + 3, json.indexOf(' ', json.indexOf(": \"") + 3)));
      }
    }
    return words;
  }

  private List<String> withWord(Map<String, String> words, String word) {
    return words.entrySet().stream().filter(e -> e.getValue().equals(word)).map(Map.Entry::getKey).toList();
  }

  /** The index answers exactly what the store holds. */
  private void assertIndexMatchesStore() {
    Map<String, String> words = storedWords();
    assertThat(keys(fx.searchAll(on(INDEX).topK(1000).build()))).isEqualTo(List.copyOf(words.keySet()));
    for (String word : List.of("old", "new", "newer")) {
      List<SearchResult.Hit> hits = fx.searchAll(on(INDEX).text(word).topK(1000).build());
      assertThat(keys(hits)).as(word).containsExactlyInAnyOrderElementsOf(withWord(words, word));
    }
    assertThat(fx.stats(INDEX).orElseThrow().documents()).isEqualTo(words.size());
  }

  @Test
  void buildsOverExistingKeysThenAnswersWhatIsStored() {
    writeItems();
    fx.holdBuilds();
    long created = fx.createIndex(spec()).getCreateIndex().getCreated() ? fx.lastIndex() : -1;
    assertThat(created).isPositive();
    IndexStats building = fx.stats(INDEX).orElseThrow();
    assertThat(building.state()).isEqualTo(IndexStats.State.BUILDING);
    assertThat(building.definition().getCreateIndex()).isEqualTo(created);
    assertThat(building.documents()).isZero();
    assertThatThrownBy(() -> fx.search(on(INDEX).text("old").build()))
        .isInstanceOf(IndexUnavailableException.class).hasMessageContaining("being built");
    assertThatThrownBy(() -> fx.search(on(INDEX).build())).isInstanceOf(IndexUnavailableException.class);

    fx.releaseBuilds();
    IndexStats ready = fx.awaitReady(INDEX);
    assertThat(ready.buildVisited()).isEqualTo(KEYS);
    // Searched at the same log index as the refused searches above: the build's documents must show.
    SearchResult all = fx.search(on(INDEX).topK(1000).build());
    assertThat(all.totalHits()).isEqualTo(KEYS);
    assertThat(fx.search(on(INDEX).text("old").build()).totalHits()).isEqualTo(KEYS);
    assertThat(keys(fx.searchAll(on(INDEX).filter(range("n", 100.0, false, 200.0, true)).topK(1000).build())))
        .isEqualTo(java.util.stream.IntStream.range(100, 200).mapToObj(SearchLifecycleTest::key).toList());
    assertThat(keys(fx.search(on(INDEX).text("title:1234").build()))).containsExactly(key(1234));
    assertIndexMatchesStore();
  }

  private void interleaveWrites(int rounds) {
    for (int r = 0; r < rounds; r++) {
      int i = random.nextInt(KEYS + 200);
      switch (random.nextInt(4)) {
        case 0, 1 -> fx.put(key(i), item(i, "new"));
        case 2 -> fx.delete(key(i));
        default -> {
          fx.put(key(i), item(i, "newer"));
          if (random.nextBoolean()) {
            fx.delete(key(i));
          }
        }
      }
    }
  }

  @Test
  void writesDuringTheBuildAreNeverOverwrittenByIt() {
    writeItems();
    fx.holdBuilds();
    fx.createIndex(spec());
    assertThat(fx.stats(INDEX).orElseThrow().state()).isEqualTo(IndexStats.State.BUILDING);
    // The build's view still holds the old values of all of these.
    interleaveWrites(600);
    assertThat(fx.stats(INDEX).orElseThrow().state()).isEqualTo(IndexStats.State.BUILDING);
    fx.releaseBuilds();
    fx.awaitReady(INDEX);
    assertIndexMatchesStore();
    // And live writes after READY.
    interleaveWrites(100);
    assertIndexMatchesStore();
  }

  @Test
  void writesRacingAnUnheldBuildAreNeverOverwrittenByIt() {
    writeItems();
    fx.createIndex(spec());
    interleaveWrites(600);
    fx.awaitReady(INDEX);
    assertIndexMatchesStore();
  }

  @Test
  void dropRemovesTheIndexAndTheNameCanBeReused() {
    writeItems();
    fx.createIndex(spec());
    fx.awaitReady(INDEX);
    assertThat(fx.search(on(INDEX).text("old").build()).totalHits()).isEqualTo(KEYS);

    assertThat(fx.dropIndex(INDEX).getDropIndex().getDropped()).isTrue();
    assertThat(fx.stats(INDEX)).isEmpty();
    assertThatThrownBy(() -> fx.search(on(INDEX).text("old").build())).isInstanceOf(IndexNotFoundException.class);
    assertThat(fx.dropIndex(INDEX).getDropIndex().getDropped()).isFalse();
    // The keys stay.
    assertThat(fx.store().get(SearchFixture.key(key(7)))).isPresent();

    // Re-created with another spec under the same name: built afresh from the data.
    fx.put(key(7), item(7, "new"));
    IndexSpec other = spec().toBuilder().clearNumericFields().setKeyPrefix(ByteString.copyFromUtf8("k/1")).build();
    assertThat(fx.createIndex(other).getCreateIndex().getCreated()).isTrue();
    fx.awaitReady(INDEX);
    assertThat(fx.search(on(INDEX).text("old").build()).totalHits()).isEqualTo(1000);
    assertThat(keys(fx.search(on(INDEX).text("new").build()))).isEmpty();
    assertThatThrownBy(() -> fx.search(on(INDEX).filter(range("n", 1.0, false, null, false)).build()))
        .isInstanceOf(InvalidSearchException.class);
  }

  @Test
  void dropDuringTheBuildStopsItAndRecreateBuildsAgain() {
    writeItems();
    fx.holdBuilds();
    fx.createIndex(spec());
    assertThat(fx.stats(INDEX).orElseThrow().state()).isEqualTo(IndexStats.State.BUILDING);
    assertThat(fx.dropIndex(INDEX).getDropIndex().getDropped()).isTrue();
    fx.awaitIndexed();
    fx.releaseBuilds();
    assertThat(fx.stats(INDEX)).isEmpty();
    assertThat(fx.createIndex(spec()).getCreateIndex().getCreated()).isTrue();
    fx.awaitReady(INDEX);
    assertIndexMatchesStore();
  }

  @Test
  void createOfAnExistingName() {
    fx.put(key(1), item(1, "old"));
    fx.createIndex(spec());
    long createdAt = fx.lastIndex();
    fx.awaitReady(INDEX);

    CommandResult different = fx.createIndex(spec().toBuilder().addTextFields("other").build());
    assertThat(different.hasFailure()).isTrue();
    assertThat(different.getFailure().getCode()).isEqualTo(Failure.Code.INDEX_EXISTS);
    CommandResult equal = fx.createIndex(spec());
    assertThat(equal.hasCreateIndex()).isTrue();
    assertThat(equal.getCreateIndex().getCreated()).isFalse();

    // Neither touched the index: same definition, still READY, still answering.
    IndexStats stats = fx.stats(INDEX).orElseThrow();
    assertThat(stats.state()).isEqualTo(IndexStats.State.READY);
    assertThat(stats.definition().getSpec()).isEqualTo(spec());
    assertThat(stats.definition().getCreateIndex()).isEqualTo(createdAt);
    assertThat(fx.store().indexDefinitions().get(INDEX).getCreateIndex()).isEqualTo(createdAt);
    assertThat(keys(fx.search(on(INDEX).text("old").build()))).containsExactly(key(1));
  }

  /** A fixed set of searches of every kind over the vector corpus. */
  private List<List<SearchResult.Hit>> probes(List<float[]> queries) {
    List<List<SearchResult.Hit>> results = new ArrayList<>();
    results.add(fx.searchAll(on("vec").text("old").topK(250).build()));
    results.add(fx.searchAll(on("vec").text("item OR 17 OR 42").topK(33).build()));
    results.add(fx.searchAll(on("vec").filter(eq("group", "g1")).filter(range("n", 10.0, true, 900.0, false))
        .topK(100).build()));
    for (float[] q : queries) {
      results.add(fx.search(on("vec").vector(q).topK(20).build()).hits());
      results.add(fx.search(on("vec").vector(q).filter(eq("group", "g2")).topK(20).build()).hits());
      results.add(fx.search(on("vec").text("old").vector(q).topK(50).build()).hits());
    }
    return results;
  }

  private float[] randomVector(int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  private static String array(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ", ").append(v[i]);
    }
    return s.append(']').toString();
  }

  @Test
  void resetRebuildsAndAnswersTheSameSearches() {
    Map<String, Value> values = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      values.put(key(i), Value.newBuilder().setJson("{\"title\": \"old item " + i + (i % 7 == 0 ? " old" : "")
          + "\", \"group\": \"g" + (i % 3) + "\", \"n\": " + i + ", \"v\": " + array(randomVector(16)) + "}").build());
    }
    fx.putAll(values);
    fx.createIndex(IndexSpec.newBuilder().setName("vec").setKeyPrefix(ByteString.copyFromUtf8("k/"))
        .addTextFields("title").addKeywordFields("group").addNumericFields("n")
        .setVector(VectorField.newBuilder().setField("v").setDimension(16).setMetric(VectorMetric.L2)).build());
    fx.awaitReady("vec");
    List<float[]> queries = List.of(randomVector(16), randomVector(16), randomVector(16));
    List<List<SearchResult.Hit>> before = probes(queries);
    assertThat(before.get(0)).hasSize(1000);

    // Like a snapshot install: the same listener hears a reset with the (re)opened state.
    fx.restart(false);
    fx.awaitReady("vec");
    assertThat(probes(queries)).isEqualTo(before);

    // Like a process restart: new indexes over the same directory.
    fx.restart(true);
    fx.awaitReady("vec");
    assertThat(probes(queries)).isEqualTo(before);
    assertThat(fx.stats("vec").orElseThrow().documents()).isEqualTo(1000);

    // Live changes keep flowing after the reset.
    fx.delete(key(0));
    fx.put(key(5000), Value.newBuilder().setJson("{\"title\": \"fresh\"}").build());
    assertThat(keys(fx.search(on("vec").text("fresh").build()))).containsExactly(key(5000));
    assertThat(keys(fx.search(on("vec").text("title:0").build()))).isEmpty();
  }

  /** Overwrites 10 keys (title word "new"), deletes 5 and adds 7 ("newer"): 22 keys changed. */
  private void changeSomeItems() {
    List<Integer> picked = new ArrayList<>(java.util.stream.IntStream.range(0, KEYS).boxed().toList());
    java.util.Collections.shuffle(picked, random);
    Map<String, Value> overwrites = new LinkedHashMap<>();
    picked.subList(0, 10).forEach(i -> overwrites.put(key(i), item(i, "new")));
    fx.putAll(overwrites);
    picked.subList(10, 15).forEach(i -> fx.delete(key(i)));
    for (int i = 0; i < 7; i++) {
      fx.put(key(KEYS + i), item(KEYS + i, "newer"));
    }
  }

  @Test
  void cleanRestartReusesTheIndexFilesAndReindexesNothing() {
    writeItems();
    fx.createIndex(spec());
    assertThat(fx.awaitReady(INDEX).buildIndexed()).isEqualTo(KEYS);
    fx.restart(true);
    IndexStats after = fx.awaitReady(INDEX);
    // Saved at the store's position: kept as they are, without reading the store.
    assertThat(after.buildVisited()).isZero();
    assertThat(after.buildIndexed()).isZero();
    assertIndexMatchesStore();
  }

  @Test
  void restartAfterACrashReindexesOnlyTheKeysChangedSinceTheLastCommit() {
    writeItems();
    fx.createIndex(spec());
    fx.awaitReady(INDEX); // the build committed
    changeSomeItems();
    fx.crashAndRestart();
    IndexStats compared = fx.awaitReady(INDEX);
    assertThat(compared.buildVisited()).isEqualTo(KEYS + 2); // 3,000 - 5 deleted + 7 new
    assertThat(compared.buildIndexed()).isEqualTo(22);
    assertIndexMatchesStore();
    // And the next clean restart has nothing left to do.
    fx.restart(true);
    assertThat(fx.awaitReady(INDEX).buildIndexed()).isZero();
    assertIndexMatchesStore();
  }

  @Test
  void filesAheadOfTheStoreConvergeAsTheLostEntriesReplay() {
    writeItems();
    fx.createIndex(spec());
    fx.awaitReady(INDEX);
    Path older = dir.resolve("older");
    fx.checkpoint(older);
    changeSomeItems();
    // The clean close commits the 22 changes into the index files; the store comes back without them
    // (RocksDB lost writes its WAL had not synced), and the log replays them.
    fx.restartOnCheckpoint(older);
    IndexStats kept = fx.awaitReady(INDEX);
    assertThat(kept.buildVisited()).isZero();
    assertThat(kept.buildIndexed()).isZero();
    assertIndexMatchesStore();
  }

  @Test
  void pendingEmbeddingsSurviveARestartAndAttachedOnesAreReindexedAfterACrash() {
    IndexSpec semantic = IndexSpec.newBuilder().setName("sem").setKeyPrefix(ByteString.copyFromUtf8("s/")).setText(true)
        .setSemantic(SemanticField.getDefaultInstance()).build();
    int n = 10;
    for (int i = 0; i < n; i++) {
      fx.putText("s/early" + i, "early sentence " + i);
    }
    fx.createIndex(semantic);
    fx.awaitStats("sem", s -> s.buildVisited() == n && s.pendingEmbeddings() == n, "built, every key pending");

    fx.restart(true);
    IndexStats reopened = fx.awaitStats("sem", s -> s.pendingEmbeddings() == n, "kept, every key pending");
    assertThat(reopened.state()).isEqualTo(IndexStats.State.BUILDING);
    assertThat(reopened.pendingEmbeddings()).isEqualTo(n);
    assertThat(reopened.buildIndexed()).isZero();

    List<KeyEmbeddings> attach = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String key = "s/early" + i;
      attach.add(KeyEmbeddings.newBuilder().setKey(ByteString.copyFromUtf8(key))
          .setModIndex(fx.stored(key).getModIndex()).addEmbeddings(semanticEmbedding(randomVector(384))).build());
    }
    assertThat(fx.attach(attach).getAttachEmbeddings().getAttached()).isEqualTo(n);
    fx.awaitReady("sem");
    // The attached embeddings were never committed: the records changed, not their mod indexes.
    fx.crashAndRestart();
    IndexStats ready = fx.awaitReady("sem");
    assertThat(ready.buildIndexed()).isEqualTo(n);
    assertThat(ready.pendingEmbeddings()).isZero();
    assertThat(fx.search(on("sem").semantic(randomVector(384)).topK(20).build()).hits()).hasSize(n);
  }

  @Test
  void restartRebuildsFromStoredEmbeddingsWithSameSemanticResults() {
    IndexSpec semantic = IndexSpec.newBuilder().setName("sem").setKeyPrefix(ByteString.copyFromUtf8("s/")).setText(true)
        .setSemantic(SemanticField.getDefaultInstance()).build();
    // Some keys written before the index (embedded by attach), the rest with their put.
    List<KeyEmbeddings> attach = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fx.putText("s/early" + i, "early sentence " + i);
    }
    fx.createIndex(semantic);
    for (int i = 0; i < 20; i++) {
      String key = "s/early" + i;
      attach.add(KeyEmbeddings.newBuilder().setKey(ByteString.copyFromUtf8(key)).setModIndex(fx.stored(key).getModIndex())
          .addEmbeddings(semanticEmbedding(randomVector(384))).build());
    }
    assertThat(fx.attach(attach).getAttachEmbeddings().getAttached()).isEqualTo(20);
    for (int i = 0; i < 60; i++) {
      fx.apply(SearchFixture.put("s/late" + i, Value.newBuilder().setText("late sentence " + i).build(),
          List.of(semanticEmbedding(randomVector(384)))));
    }
    fx.awaitReady("sem");
    List<float[]> queries = List.of(randomVector(384), randomVector(384), randomVector(384));
    List<List<SearchResult.Hit>> before = new ArrayList<>();
    for (float[] q : queries) {
      before.add(fx.search(on("sem").semantic(q).topK(80).build()).hits());
      before.add(fx.search(on("sem").text("sentence").semantic(q).topK(80).build()).hits());
    }
    assertThat(before.get(0)).hasSize(80);

    fx.restart(true);
    IndexStats stats = fx.awaitReady("sem");
    assertThat(stats.pendingEmbeddings()).isZero();
    assertThat(stats.documents()).isEqualTo(80);
    List<List<SearchResult.Hit>> after = new ArrayList<>();
    for (float[] q : queries) {
      after.add(fx.search(on("sem").semantic(q).topK(80).build()).hits());
      after.add(fx.search(on("sem").text("sentence").semantic(q).topK(80).build()).hits());
    }
    assertThat(after).isEqualTo(before);
  }
}
